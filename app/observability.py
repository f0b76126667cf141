"""What operators see: a request id on every log line, JSON logs, `/healthz`, `/readyz` and
Prometheus metrics on `/metrics` (README, "Operations").

- Each request takes the `X-Request-Id` the load balancer sent (when it looks like one), or
  makes one, and answers with it; every log line written while it runs carries it.
- Logs are JSON lines (python-json-logger) in production, or where `LOG_FORMAT=json`.
- `/metrics` answers only a bearer of `METRICS_TOKEN` (404 while it is unset). Under gunicorn
  set `PROMETHEUS_MULTIPROC_DIR` to an empty directory so every worker's counts are summed
  (deploy/gunicorn.conf.py clears it at start and marks each stopped worker).
"""

import hmac
import logging
import os
import re
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from pythonjsonlogger.json import JsonFormatter

from app import clock
from app.security import public
from app.services import health

# Matched whole (fullmatch): `$` would let a final line break through, into the log and the
# answer's header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

REQUESTS = Counter(
    "cv_http_requests_total", "Requests answered, by route, method and status",
    ["route", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "cv_http_request_seconds", "Time to answer a request, by route", ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)  # fmt: skip
WEBHOOKS_REFUSED = Counter(
    "cv_webhooks_refused_total", "Webhook requests refused for a bad or missing Twilio signature"
)


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


def log_handler(json_lines: bool) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    return handler


def _init_logging(app: Flask) -> None:
    if app.testing:
        return
    fmt = os.environ.get("LOG_FORMAT", "json" if app.config.get("IS_PRODUCTION") else "text")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "is_ours", False)]:
        root.removeHandler(old)
    handler = log_handler(fmt == "json")
    handler.is_ours = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)


def _start_request() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    route = request.url_rule.rule if request.url_rule else "unmatched"
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started else 0.0
    REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    LATENCY.labels(route).observe(seconds)
    current_app.logger.info(
        "%s %s %s %.1f ms", request.method, route, response.status_code, seconds * 1000,
        extra={
            "method": request.method, "route": route, "status": response.status_code,
            "ms": round(seconds * 1000, 1),
        },
    )  # fmt: skip
    return response


class _DatabaseFigures:
    """The figures kept in the database, read when Prometheus asks."""

    def collect(self):
        figures = health.figures(clock.now())
        messages = GaugeMetricFamily(
            "cv_outbox_messages", "Messages in the outbox, by status", labels=["status"]
        )
        for status, count in figures.messages_by_status.items():
            messages.add_metric([status], count)
        yield messages
        yield GaugeMetricFamily(
            "cv_outbox_due", "Messages due to be sent and not sent yet (the outbox's depth)",
            value=figures.messages_due,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "cv_verification_locks", "Residents whose phone verification is locked now",
            value=figures.verification_locks,
        )  # fmt: skip


def _registry() -> CollectorRegistry:
    """Every gunicorn worker's counts (multiprocess mode), else this process's own; and
    the database's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, WEBHOOKS_REFUSED):
            registry.register(collector)
    registry.register(_DatabaseFigures())
    return registry


def _bearer_matches(expected: str) -> bool:
    given = request.headers.get("Authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(
        given[7:].encode(), expected.encode()
    )


def init_observability(app: Flask) -> None:
    _init_logging(app)
    # First of all the checks before a view (CSRF, the rate limits), so a request they refuse
    # is logged and answered with its id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)

    @app.get("/readyz")
    @public
    def readyz():
        """Ready to serve: the database, Redis (when the limits are kept there) and a
        worker seen within a minute; 503 with what is wrong otherwise."""
        found = health.readiness(clock.now(), app.config.get("RATELIMIT_STORAGE_URI"))
        if found.ready:
            return jsonify(status="ok")
        app.logger.warning("not ready: %s", "; ".join(found.problems))
        return jsonify(status="unavailable", problems=found.problems), 503

    @app.get("/metrics")
    @public
    def metrics():
        """Prometheus's figures, for the bearer of METRICS_TOKEN only."""
        token = app.config.get("METRICS_TOKEN")
        if not token:
            return Response("Not found", status=404, mimetype="text/plain")
        if not _bearer_matches(token):
            return Response(
                "Unauthorised", status=401, mimetype="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )  # fmt: skip
        return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)
