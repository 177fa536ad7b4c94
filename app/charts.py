"""What every server-rendered pygal chart shares: its response's own Content-Security-Policy
and the `xml_filters` step that strips pygal's scripts and comments.

A chart is served from its own route and shown as an <img>: an image runs no script whatever
it holds, and the page keeps the site's strict Content-Security-Policy. pygal's output is
cleaned on top of that: no <script> (its inline configuration and its CDN script, `js=[]`) and
no comments (which name pygal's web site), so the SVG holds no URL but its own namespace. The
SVG carries its style in a <style> element, which its response's own policy allows.
"""

from __future__ import annotations

from typing import Any

from flask import Response

# The SVG response's own policy: its inline <style>, nothing else (no script, no fetches).
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def without_scripts(root: Any) -> Any:
    """An `xml_filters` step: drop every <script> element and every comment."""
    doomed = [
        (parent, child)
        for parent in root.iter()
        for child in list(parent)
        if callable(child.tag) or str(child.tag).rsplit("}", 1)[-1] == "script"
    ]
    for parent, child in doomed:
        parent.remove(child)
    return root


def fixed_id(chart: Any, name: str) -> None:
    """Give a pygal chart a fixed element id instead of its random one: the same query gives
    the same bytes (attack on issue 13), and each page holds one chart of each kind."""
    chart.uuid = name


def svg_response(svg: str) -> Response:
    """The SVG as its own response, under its own policy."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    return response
