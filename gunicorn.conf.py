"""gunicorn settings for `make run` and the tests (read from the working directory).

gevent workers keep connections alive; sync workers close each one, which on two cores held a
layer download to about a third of nginx's rate on the same file (tests/bench/test_bench_gis.py).
"""
import os

worker_class = "gevent"
workers = int(os.environ.get("WORKERS", "2"))
worker_connections = 256
keepalive = 5
