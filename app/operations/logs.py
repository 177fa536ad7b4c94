"""Structured logs: one JSON object a line, and one line per request.

A request's line names the request id, the signed-in account's id (never its name), the URL
rule (never the concrete path: paths carry ids), the method, the status and the duration. No
query string, form value or header value other than a vetted request id is ever logged; an
exception is logged by its type and frames, not its message (a database error's message can
quote the values it was given).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson
from flask import Response, g, request

from app.security import USER_ID

#: The logger of the request lines.
REQUEST_LOGGER = "silta.request"
#: The loggers Silta writes to: its own and Flask's application logger (named after the package).
APP_LOGGERS = ("silta", "app")
#: A request id we accept from the proxy: what nginx's `$request_id` (32 hex digits) and the
#: usual tracing ids look like, and nothing that could carry a name or an identity code.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{15,63}")
REQUEST_ID_HEADER = "X-Request-ID"
#: Set on a record (`extra={FIELDS: {...}}`) to add fields to its line.
FIELDS = "silta_fields"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            line["exc_type"] = exc_type.__name__
            line["exc_frames"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return orjson.dumps(line, default=str).decode()


class StderrJsonHandler(logging.StreamHandler):  # type: ignore[type-arg]  # TextIO stream
    """JSON lines on whatever `sys.stderr` is at the time (gunicorn and systemd collect it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    # A live look-up instead of the stream fixed at start (pytest and gunicorn swap stderr).

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        return


def configure_logging() -> None:
    """Send Silta's and Flask's application logs to stderr as JSON lines, once per process."""
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, StderrJsonHandler) for h in logger.handlers):
            logger.addHandler(StderrJsonHandler())
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)


def request_id_from(value: str | None, trusted_proxy: bool) -> str:
    """The proxy's request id when Silta is behind a trusted proxy and the id is a safe token;
    otherwise a new one. A browser's own header is never taken: it would go into the log."""
    if trusted_proxy and value and REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def request_fields(response: Response) -> dict[str, Any]:
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    rule = request.url_rule
    return {
        "request_id": g.get("request_id"),
        # Set where the principal is loaded (app.security); no look-up of its own.
        "user_id": g.get(USER_ID),
        "method": request.method,
        "route": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round(duration, 2) if duration is not None else None,
    }
