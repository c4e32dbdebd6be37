"""Dask distributed's start-up, for comparison with FuncExec's: from creating a LocalCluster of WORKERS
single-threaded worker processes (no dashboard) to the first result of a submitted call, in this process.
Prints one JSON object: start_ms. Exits with 3 when Dask is not installed (Debian: apt-get install
python3-distributed).
"""
import json
import sys
import time

try:
    from distributed import Client, LocalCluster
except ImportError:
    print("dask is not installed (Debian: apt-get install python3-distributed)", file=sys.stderr)
    sys.exit(3)


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        assert client.submit(max, 1, 2, pure=False).result() == 2
        elapsed = (time.perf_counter() - start) * 1e3
    finally:
        client.close()
        cluster.close()
    print(json.dumps({"start_ms": elapsed}))


if __name__ == "__main__":
    main()
