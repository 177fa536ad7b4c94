"""The overview's weekly flow as an SVG bar chart drawn on the server with pygal.

The chart is served from its own route and shown as an <img>: an image runs no script whatever
it holds, and the page keeps the site's strict Content-Security-Policy. pygal's output is
cleaned on top of that: no <script> (its inline configuration and its CDN script, `js=[]`) and
no comments (which name pygal's web site), so the SVG holds no URL but its own namespace. The
SVG carries its style in a <style> element, which its response's own policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from app.dates import format_date
from cases.referrals.services import WeekFlow

# The SVG response's own policy: its inline <style>, nothing else (no script, no fetches).
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309"),
    font_family="sans-serif",
)


def _without_scripts(root: Any) -> Any:
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


def flow_svg(flow: Sequence[WeekFlow]) -> str:
    """The chart of referrals sent and received per week, as SVG text."""
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        width=760,
        height=340,
        style=_STYLE,
        title=_("Referrals per week"),
        x_label_rotation=30,
        legend_at_bottom=True,
        show_y_guides=True,
        print_values=False,
        tooltip_fancy_mode=False,
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = [format_date(week.week) for week in flow]
    chart.add(_("Sent"), [week.sent for week in flow])
    chart.add(_("Received"), [week.received for week in flow])
    return str(chart.render(is_unicode=True))
