"""The statistics table as an SVG bar chart drawn on the server with pygal (scripts stripped,
`app.charts`): a bar group per row, one series per column; a suppressed cell is a gap (None),
and the chart says so in its title. The chart draws the one suppressed table the page and the
CSV show, so it hides exactly their cells."""

from __future__ import annotations

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from app.charts import fixed_id, without_scripts
from app.statistics.messages import BREAKDOWN_LABELS, MEASURE_LABELS, value_label
from cases.statistics.services import Breakdown, StatisticsView

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f"),
    font_family="sans-serif",
)


def line_breakdowns(view: StatisticsView) -> tuple[Breakdown | None, Breakdown]:
    """The breakdown of the rows (None: the periods) and of the columns."""
    breakdowns = view.request.breakdowns
    if len(breakdowns) == 1:
        return None, breakdowns[0]
    return breakdowns[0], breakdowns[1]


def table_svg(view: StatisticsView) -> str:
    """The chart of the view's suppressed table, as SVG text."""
    table = view.table
    down, across = line_breakdowns(view)
    title = _(
        "%(measure)s: %(down)s by %(across)s (gaps: suppressed)",
        measure=str(MEASURE_LABELS[view.request.measure]),
        down=str(BREAKDOWN_LABELS[down]) if down is not None else _("Period"),
        across=str(BREAKDOWN_LABELS[across]),
    )
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        width=900,
        height=420,
        style=_STYLE,
        title=title,
        x_label_rotation=30,
        legend_at_bottom=True,
        show_y_guides=True,
        print_values=False,
        tooltip_fancy_mode=False,
        allow_interruptions=True,
    )
    chart.add_xml_filter(without_scripts)
    chart.x_labels = [value_label(down, row) for row in table.rows]
    for c, column in enumerate(table.columns):
        values = [table.cells[r][c].value for r in range(len(table.rows))]
        chart.add(value_label(across, column), values)
    fixed_id(chart, "statistics")
    return str(chart.render(is_unicode=True))
