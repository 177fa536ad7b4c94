"""The subject access report's blueprint (issue 14, point 4)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rights", __name__, url_prefix="/rights")
