"""Dask distributed on the same workloads as FuncExec's W1 and W2, for comparison.

A LocalCluster of WORKERS single-threaded worker processes (no dashboard). Prints one JSON
object: w1_tasks_per_s (TASKS no-op tasks through client.map, every result checked) and
w2_p50_us / w2_p99_us (200 sequential submit-and-wait calls). Exits with 3 when Dask is not
installed (Debian: apt-get install python3-distributed).
"""
import json
import sys
import time

try:
    from distributed import Client, LocalCluster
except ImportError:
    print("dask is not installed (Debian: apt-get install python3-distributed)", file=sys.stderr)
    sys.exit(3)


def noop(x):
    return x


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        client.gather(client.map(noop, range(200), pure=False))  # warm up
        start = time.perf_counter()
        results = client.gather(client.map(noop, range(n), pure=False))
        w1 = n / (time.perf_counter() - start)
        assert results == list(range(n))
        lat = []
        for i in range(200):
            t = time.perf_counter()
            assert client.submit(noop, i, pure=False).result() == i
            lat.append((time.perf_counter() - t) * 1e6)
        lat.sort()
    finally:
        client.close()
        cluster.close()
    print(json.dumps({"w1_tasks_per_s": w1, "w2_p50_us": lat[99], "w2_p99_us": lat[197]}))


if __name__ == "__main__":
    main()
