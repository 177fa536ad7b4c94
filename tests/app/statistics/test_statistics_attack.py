"""What the attack on issue 13 found that is fixed here: a blank second breakdown was a 500;
a table and its transpose hid different cells; a one-way view's audit event named its
orientation the wrong way round."""

from __future__ import annotations

from flask import Flask

from tests.app.statistics.helpers import client_for, csv_rows, query, statistics_events


def test_a_blank_second_breakdown_is_none(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    for blank in (" ", "\t", "  "):
        for path in ("/statistics", "/statistics/chart.svg", "/statistics/table.csv"):
            params = query(breakdown2=blank)
            assert client.get(path, query_string=params).status_code == 200, (path, blank)


def _hidden(rows: list[list[str]]) -> set[tuple[str, str]]:
    return {(row[0], row[1]) for row in rows[1:] if row[3]}


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
