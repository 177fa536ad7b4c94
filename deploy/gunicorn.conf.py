"""gunicorn settings for Silta under systemd (`deploy/systemd/silta.service`).

Workers: gunicorn's own `WEB_CONCURRENCY` (default here 4; about 2 per core). No `preload_app`:
each worker builds its own database engine after the fork (README, "Database connections").
"""

import os
from typing import Any

from prometheus_client import multiprocess

bind = "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Silta writes one JSON line per request itself (without query strings); gunicorn's access log
# would repeat each request with its full URL.
accesslog = None
errorlog = "-"
# nginx on the same host is the one proxy (SILTA_TRUSTED_PROXIES=1).
forwarded_allow_ips = "127.0.0.1"
# gunicorn 27's control socket defaults to ~/.gunicorn/, which the unit keeps read-only
# (ProtectHome); Silta has no use for it (older gunicorn ignores the setting).
control_socket_disable = True
timeout = 60
graceful_timeout = 30


def child_exit(server: Any, worker: Any) -> None:
    """Drop a finished worker's live gauges from the shared metrics folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
