"""`GET /metrics`: for the monitoring network or the bearer token only; 404 to anyone else."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, abort, current_app, request
from werkzeug.wrappers import Response

from app.extensions import db
from app.operations.metrics import CONTENT_TYPE_LATEST, current_metrics
from app.security import public
from audit.queries import chain_lag
from core.db import utcnow

bp = Blueprint("operations", __name__)


def _from_allowed_network() -> bool:
    """Is the client (as the trusted proxies report it, see SILTA_TRUSTED_PROXIES) allowed?"""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in current_app.config["SILTA_METRICS_NETWORKS"])


def _has_token() -> bool:
    token = current_app.config.get("SILTA_METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@bp.get("/metrics")
@public  # a system route: it needs no account, but the network or the token (else 404)
def metrics() -> Response:
    if not (_from_allowed_network() or _has_token()):
        abort(404)
    body = current_metrics().render(lambda: chain_lag(db(), utcnow()))
    return Response(body, content_type=CONTENT_TYPE_LATEST)
