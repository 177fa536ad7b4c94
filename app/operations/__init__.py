"""Operations: the request log line, the request metrics and the `/metrics` endpoint."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, g, request

from app.operations import logs
from app.operations.metrics import EXTENSION, Metrics, current_metrics
from app.operations.routes import bp

__all__ = ["bp", "current_metrics", "init_app"]


def _start() -> None:
    g.request_started = time.perf_counter()
    trusted = bool(current_app.config["SILTA_TRUSTED_PROXIES"])
    g.request_id = logs.request_id_from(request.headers.get(logs.REQUEST_ID_HEADER), trusted)


def _finish(response: Response) -> Response:
    fields = logs.request_fields(response)
    response.headers[logs.REQUEST_ID_HEADER] = str(fields["request_id"])
    logging.getLogger(logs.REQUEST_LOGGER).info("request", extra={logs.FIELDS: fields})
    started = g.get("request_started")
    if started is not None:
        current_metrics().observe_request(
            request.endpoint, response.status_code, time.perf_counter() - started
        )
    return response


def init_app(app: Flask) -> Metrics:
    """Call before any extension that adds request hooks: this `before_request` runs first (so
    CSRF, rate limits and the route guard see the request id) and this `after_request` last (so
    the line and the latency carry the final status)."""
    logs.configure_logging()
    registry = Metrics(app.config.get("SILTA_METRICS_MULTIPROC_DIR"))
    app.extensions[EXTENSION] = registry
    app.before_request(_start)
    app.after_request(_finish)
    return registry
