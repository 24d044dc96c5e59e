"""gunicorn settings for Publisher (docs/deployment.md): ``gunicorn -c gunicorn.conf.py wsgi:app``.

Why these values:
- ``gthread``: each request runs in a thread of its worker while the worker's main loop
  keeps telling the arbiter it is alive, so a 200 MB upload on a slow link is never cut
  by the worker timeout (the ``sync`` worker reads the body in the loop that sends the
  heartbeat: it gets killed after ``timeout`` seconds with an HTML 500).
- ``timeout`` is then only a heartbeat: a worker that stops answering for that long (a
  stuck C call, a dead lock) is replaced; it is not a limit on a request's duration.
- ``graceful_timeout``: on ``kill -HUP`` (reload) or ``kill -TERM`` (stop), an old worker
  stops accepting and gets this long to finish what it is doing (an upload in flight)
  while new workers already answer on the same socket, which the master keeps open:
  a reload refuses no connection.
- ``preload_app`` stays off, so a HUP loads the new code in the new workers.
Every value can be overridden with an environment variable (or on the command line).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(2 * (os.cpu_count() or 1) + 1, 9))))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "300"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
preload_app = False
# Access log to stdout (journald or the container runtime keeps it); errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
