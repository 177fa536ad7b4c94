"""The overview's weekly flow as an SVG bar chart drawn on the server with pygal.

The chart is served from its own route and shown as an <img>, cleaned of pygal's scripts and
comments (`app.charts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from app.charts import SVG_CONTENT_SECURITY_POLICY, fixed_id, without_scripts
from app.dates import format_date
from cases.referrals.services import WeekFlow

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309"),
    font_family="sans-serif",
)


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
    chart.add_xml_filter(without_scripts)
    chart.x_labels = [format_date(week.week) for week in flow]
    chart.add(_("Sent"), [week.sent for week in flow])
    chart.add(_("Received"), [week.received for week in flow])
    fixed_id(chart, "referral-flow")
    return str(chart.render(is_unicode=True))


__all__ = ["SVG_CONTENT_SECURITY_POLICY", "flow_svg"]
