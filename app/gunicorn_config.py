"""gunicorn's settings for the web process (`gunicorn --config python:app.gunicorn_config`),
read from the environment, so the Procfile, the systemd units and `make cluster` share them.

- `PORT` (default 8000) on `BIND_HOST` (default 127.0.0.1: a load balancer in front), or the
  whole address in `BIND`;
- `WEB_CONCURRENCY` worker processes (default two per core), each serving `WEB_THREADS`
  requests at once (default 4) in threads ("gthread"): while one request waits on the
  database another computes, and a browser's connection is kept between its polls;
- the app loaded once, before the workers are forked (`preload_app`): a worker restarted
  after `MAX_REQUESTS` requests starts at once instead of importing the app again (about 2 s
  of CPU taken from the requests under way);
- no access log of gunicorn's: the app writes a line per request with its request id;
- `PROMETHEUS_MULTIPROC_DIR`, when set, is made and emptied at start and each stopped worker's
  figures are marked dead, so /metrics sums the live workers.
"""

import os
from pathlib import Path

bind = os.environ.get("BIND") or (
    f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
preload_app = True
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
# Longer than the 3 seconds between a page's polls, so each poll reuses its connection.
keepalive = 5
max_requests = int(os.environ.get("MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
# The load balancer's address: X-Forwarded-* from it are trusted through PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:
    """Forget the figures of processes before this start (this one's own stay: importing
    the app to read these settings made them)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            if not stale.stem.endswith(f"_{os.getpid()}"):
                stale.unlink(missing_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker) -> None:
    """A worker forked from the loaded app starts with no database connection of its
    parent's: two processes on one connection would read each other's answers. (Loading
    the app opens none today; this keeps it so.)"""
    from app.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
