"""Python multiprocessing on the same workloads as FuncExec's W1 and W2, for comparison.

Prints one JSON object: w1_tasks_per_s (20,000 no-op apply_async on a 2-process pool, every
result checked; the median of five runs), w1_runs (the five) and w2_p50_us / w2_p99_us (1,000 sequential apply calls).
"""
import gc
import json
import multiprocessing as mp
import sys
import time


def noop(x):
    return x


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with mp.Pool(workers) as pool:
        pool.map(noop, range(1000))  # warm up
        # The median of five runs, as FuncExec's W1 is (bench/FuncExec.Bench/Workloads.cs).
        runs = []
        for _ in range(5):
            # Each run starts from a clean heap, so that none collects an earlier run's 20,000 results (three runs without
            # this gave 42, 29 and 23 k tasks/s, one after another).
            gc.collect()
            start = time.perf_counter()
            handles = [pool.apply_async(noop, (i,)) for i in range(n)]
            for i, h in enumerate(handles):
                assert h.get() == i
            runs.append(n / (time.perf_counter() - start))
            del handles
        w1 = sorted(runs)[2]
        lat = []
        for i in range(1000):
            t = time.perf_counter()
            assert pool.apply(noop, (i,)) == i
            lat.append((time.perf_counter() - t) * 1e6)
        lat.sort()
    print(json.dumps({"w1_tasks_per_s": w1, "w1_runs": runs, "w2_p50_us": lat[499], "w2_p99_us": lat[989]}))


if __name__ == "__main__":
    main()
