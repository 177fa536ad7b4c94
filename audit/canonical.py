"""Canonical JSON (RFC 8785) of audit events: `rfc8785` is the reference, orjson the fast path.

For the event schema (ASCII keys; strings, integers, booleans, null, lists and objects; no
floats) orjson with sorted keys produces the same bytes as RFC 8785; a property test proves it.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785


def canonical(document: dict[str, Any]) -> bytes:
    """Serialise an event document canonically (fast path)."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def canonical_reference(document: dict[str, Any]) -> bytes:
    """Serialise with the reference RFC 8785 implementation."""
    return rfc8785.dumps(document)
