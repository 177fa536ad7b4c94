"""What the attack on issue 13 found that is fixed here: a blank second breakdown was a 500;
a table and its transpose hid different cells; a one-way view's audit event named its
orientation the wrong way round."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.app.statistics.helpers import (
    client_for,
    csv_rows,
    page_grid,
    query,
    statistics_events,
    this_year,
)


def test_a_blank_second_breakdown_is_none(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    for blank in (" ", "\t", "  "):
        for path in ("/statistics", "/statistics/chart.svg", "/statistics/table.csv"):
            params = query(breakdown2=blank)
            assert client.get(path, query_string=params).status_code == 200, (path, blank)


def _hidden(rows: list[list[str]]) -> set[tuple[str, str]]:
    return {(row[0], row[1]) for row in rows[1:] if row[3]}


@pytest.mark.slow
def test_a_table_and_its_transpose_hide_the_same_cells(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    for first, second in (
        ("district", "age_band"),
        ("concern", "outcome"),
        ("agency_kind", "district"),
    ):
        for measure in ("case_opened", "case_closed", "referral_sent"):
            one = csv_rows(
                client.get(
                    "/statistics/table.csv",
                    query_string=query(measure=measure, breakdown=first, breakdown2=second),
                ).text
            )
            other = csv_rows(
                client.get(
                    "/statistics/table.csv",
                    query_string=query(measure=measure, breakdown=second, breakdown2=first),
                ).text
            )
            swapped = {(b, a) for a, b in _hidden(other)}
            assert _hidden(one) == swapped


def test_a_one_way_view_names_periods_down(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    client.get("/statistics", query_string=query(breakdown="district", breakdown2="none"))
    [event] = statistics_events(demo_app)
    assert (event.details["down"], event.details["across"]) == ("period", "district")


def _line_totals(rows: list[list[str]]) -> dict[str, str]:
    """The row totals of a two-way CSV (rows whose second value is `total`): count or ''."""
    return {row[0]: row[2] for row in rows[1:] if row[1] == "total"}


def test_a_total_hidden_by_facts_is_hidden_by_concern_too(demo_app: Flask) -> None:
    """Second attack on issue 13: meeting_held's agency total was hidden in the views by
    district and published as 6 in the view by concern (no meeting has a concern, so its pairs
    are its facts); consent_withdrawn's zero months, hidden by facts, were published by
    concern. An agency's total (and the grand total) is hidden in both families or neither."""
    client = client_for(demo_app, "timo")
    for measure in ("meeting_held", "consent_withdrawn", "case_opened", "referral_sent"):
        for year in (this_year() - 2, this_year() - 1):
            span = {"measure": measure, "first_year": str(year), "last_year": str(year)}
            by_fact, by_concern = (
                _line_totals(
                    csv_rows(
                        client.get(
                            "/statistics/table.csv",
                            query_string=query(**span, breakdown="agency_kind", breakdown2=other),
                        ).text
                    )
                )
                for other in ("district", "concern")
            )
            for line in by_fact.keys() & by_concern.keys():
                hidden_by_fact, hidden_by_concern = by_fact[line] == "", by_concern[line] == ""
                assert hidden_by_fact == hidden_by_concern, (measure, year, line)


def _lines_with_one_hidden_entry(grid: list[list[str]]) -> list[str]:
    """The rows and columns (each with its total) of a page's table holding exactly one
    suppressed entry: it would be its line's total minus the rest."""
    hidden = [[entry.startswith("–") for entry in row] for row in grid]
    rows = [f"row {r}" for r, line in enumerate(hidden) if sum(line) == 1]
    columns = [f"column {c}" for c, line in enumerate(zip(*hidden, strict=True)) if sum(line) == 1]
    return rows + columns


@pytest.mark.parametrize("measure", ["consent_withdrawn", "emergency_access"])
def test_a_month_of_nobody_is_not_told_by_the_view_by_concern(
    demo_app: Flask, measure: str
) -> None:
    """Fifth attack on issue 13: with four facts in a year, the views by district hid every
    month total, the zero months too; the view by concern hid those totals but showed their
    cells, all 0, and told which months had nobody (the four months left held 1 each). The
    demo's years move with the date, so that shape is pinned down in
    tests/cases/statistics/test_linked_families.py; here the served pages of the two rarest
    measures hold no line with exactly one hidden entry."""
    client = client_for(demo_app, "timo")
    for year in (this_year() - 2, this_year() - 1):
        span = {"measure": measure, "first_year": str(year), "last_year": str(year)}
        for breakdown in ("concern", "district"):
            params = query(**span, breakdown=breakdown, breakdown2="none")
            html = client.get("/statistics", query_string=params).text
            assert _lines_with_one_hidden_entry(page_grid(html)) == [], (year, breakdown)


@pytest.mark.parametrize("path", ["/statistics", "/statistics/table.csv"])
def test_a_parameter_given_twice_is_refused_not_read_as_its_first(
    demo_app: Flask, path: str
) -> None:
    """Fifth attack on issue 13: `measure=case_opened&measure=meeting_held` answered the
    first; a link could show one query and serve another."""
    client = client_for(demo_app, "timo")
    twice = [*query().items(), ("measure", "meeting_held")]
    response = client.get(path, query_string=twice)
    assert response.status_code == 400
    assert "Give this only once." in response.text
    assert statistics_events(demo_app) == []


def test_the_same_chart_is_the_same_bytes(demo_app: Flask) -> None:
    """Fifth attack on issue 13: pygal gave each SVG a random element id."""
    client = client_for(demo_app, "timo")
    first, again = (client.get("/statistics/chart.svg", query_string=query()) for _ in "12")
    assert first.status_code == again.status_code == 200
    assert first.data == again.data and b'id="chart-statistics"' in first.data
