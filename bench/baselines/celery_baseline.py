"""Celery on the same no-op workload as FuncExec's broker benchmark, for comparison.

Usage: celery_baseline.py BROKER_URL TASKS WORKERS

Starts a Celery worker (prefork pool of WORKERS processes, its default prefetch multiplier of 4)
on a queue of its own, submits TASKS no-op tasks as one group through the broker with the rpc://
result backend, checks every result, and prints one JSON object: w1_tasks_per_s, and
w2_p50_us / w2_p99_us over 200 sequential delay().get() calls. Exits with 3 when Celery is not
installed (Debian: apt-get install python3-celery).
"""
import json
import os
import subprocess
import sys
import time
import uuid

try:
    from celery import Celery, group
except ImportError:
    print("celery is not installed (Debian: apt-get install python3-celery)", file=sys.stderr)
    sys.exit(3)

QUEUE = os.environ.get("FUNCEXEC_CELERY_QUEUE", "funcexec.bench.celery")
app = Celery("celery_baseline", broker=os.environ.get("FUNCEXEC_CELERY_BROKER"), backend="rpc://")
app.conf.task_default_queue = QUEUE
app.conf.broker_connection_retry_on_startup = True


@app.task
def noop(x):
    return x


def main():
    url, n, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    queue = f"funcexec.bench.celery.{uuid.uuid4().hex}"
    env = dict(os.environ, FUNCEXEC_CELERY_BROKER=url, FUNCEXEC_CELERY_QUEUE=queue,
               PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_baseline", "worker", "--pool=prefork",
         f"--concurrency={workers}", "-Q", queue, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=WARNING"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert group(noop.s(i) for i in range(200)).apply_async().get(timeout=120) == list(range(200))  # warm up
        start = time.perf_counter()
        results = group(noop.s(i) for i in range(n)).apply_async().get(timeout=600)
        w1 = n / (time.perf_counter() - start)
        assert results == list(range(n))
        lat = []
        for i in range(200):
            t = time.perf_counter()
            assert noop.delay(i).get(timeout=60) == i
            lat.append((time.perf_counter() - t) * 1e6)
        lat.sort()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(json.dumps({"w1_tasks_per_s": w1, "w2_p50_us": lat[99], "w2_p99_us": lat[197]}))


if __name__ == "__main__":
    main()
