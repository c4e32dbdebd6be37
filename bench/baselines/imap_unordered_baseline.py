"""Python multiprocessing's Pool.imap_unordered on the same workload as FuncExec's MapAsync, for comparison.

Usage: imap_unordered_baseline.py ITEMS WORKERS [CHUNKSIZE ...]

For each chunk size (default: ITEMS / (4 * WORKERS) rounded up, the rule Pool.map applies when no
chunksize is given, and the rule MapAsync applies by default), runs
list(pool.imap_unordered(noop, range(ITEMS), chunksize=C)) on a pool of WORKERS processes, times it,
then checks that every item came back exactly once. Prints one JSON object:
{"items": ITEMS, "workers": WORKERS, "runs": [{"chunksize": C, "items_per_s": ...}, ...]}.
"""
import json
import multiprocessing as mp
import sys
import time


def noop(x):
    return x


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    sizes = [int(a) for a in sys.argv[3:]] or [-(-n // (4 * workers))]
    runs = []
    with mp.Pool(workers) as pool:
        list(pool.imap_unordered(noop, range(10_000), chunksize=100))  # warm up
        for chunksize in sizes:
            start = time.perf_counter()
            results = list(pool.imap_unordered(noop, range(n), chunksize=chunksize))
            seconds = time.perf_counter() - start
            # Checked outside the clock, as the C# side checks its list after timing.
            if len(results) != n or sorted(results) != list(range(n)):
                print(f"imap_unordered returned wrong results at chunksize {chunksize}", file=sys.stderr)
                sys.exit(1)
            runs.append({"chunksize": chunksize, "items_per_s": n / seconds})
    print(json.dumps({"items": n, "workers": workers, "runs": runs}))


if __name__ == "__main__":
    main()
