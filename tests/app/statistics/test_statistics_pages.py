"""The analyst's statistics pages (issue 13): the table page, its chart and its CSV for timo;
403 (audited) for everyone else; bad queries 400; no person data anywhere; page, chart and CSV
hide the same cells; one audit event per view or download, with the query only."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.demo.persons import DEMO_PERSONS
from cases.statistics.models import FactEvent
from cases.statistics.services import Breakdown
from tests.app.statistics.helpers import (
    OTHERS,
    PATHS,
    client_for,
    csv_rows,
    denials,
    page_grid,
    query,
    statistics_events,
    this_year,
)

QUERIES = [
    query(),
    query(granularity="quarter"),
    query(breakdown="concern", breakdown2="age_band"),
    query(measure="referral_sent", breakdown="receiving_agency_kind", granularity="quarter"),
    query(measure="case_closed", breakdown="outcome", breakdown2="district"),
    query(first_year=str(this_year() - 1)),
    query(granularity="quarter", breakdown="district"),
]


@pytest.mark.parametrize("params", QUERIES)
def test_timo_sees_the_page_the_chart_and_the_csv(demo_app: Flask, params: dict[str, str]) -> None:
    client = client_for(demo_app, "timo")
    page = client.get("/statistics", query_string=params)
    assert page.status_code == 200, page.text
    assert 'id="statistics-table"' in page.text and "<caption>" in page.text
    assert 'scope="col"' in page.text and 'scope="row"' in page.text
    assert '<img src="/statistics/chart.svg?' in page.text
    assert 'href="/statistics/table.csv?' in page.text
    assert "Includes synthetic demo data" in page.text
    assert "Counts from 1 to 4 are not shown" in page.text
    chart = client.get("/statistics/chart.svg", query_string=params)
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "gaps: suppressed" in chart.text
    download = client.get("/statistics/table.csv", query_string=params)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_the_page_without_a_query_shows_the_last_complete_year(demo_app: Flask) -> None:
    page = client_for(demo_app, "timo").get("/statistics")
    assert page.status_code == 200
    grid = page_grid(page.text)
    assert len(grid) == 13  # 12 months and the totals
    last = this_year() - 1
    for name in ("first_year", "last_year"):
        [tag] = re.findall(rf'<input id="{name}"[^>]*>', page.text)
        for attribute in ('type="number"', 'inputmode="numeric"', 'min="2000"', f'value="{last}"'):
            assert attribute in tag, (name, attribute)
    assert f"{last}-01" in page.text and f"{last}-12" in page.text
    assert f"{last + 1}-01" not in page.text
    assert "Tables cover whole calendar years that have ended" in page.text


def test_the_demos_default_view_shows_counts_and_gaps(demo_app: Flask) -> None:
    """Issue 13, point 6: timo's first page is a real table and chart, some months by agency
    kind published, some suppressed (not every entry hidden, as before the attack)."""
    client = client_for(demo_app, "timo")
    entries = [entry for row in page_grid(client.get("/statistics").text) for entry in row]
    assert any(entry.isdigit() and int(entry) >= 5 for entry in entries), entries
    assert any(entry.startswith("–") for entry in entries), entries
    chart = client.get("/statistics/chart.svg", query_string=query(first_year=str(this_year() - 1)))
    assert chart.status_code == 200 and _chart_gaps(chart.text) > 0


def test_the_nav_link_is_the_analysts_only(demo_app: Flask) -> None:
    assert 'href="/statistics"' in client_for(demo_app, "timo").get("/").text
    assert 'href="/statistics"' not in client_for(demo_app, "sanna").get("/").text


@pytest.mark.parametrize("username", OTHERS)
def test_everyone_else_is_refused_and_audited(demo_app: Flask, username: str) -> None:
    client = client_for(demo_app, username)
    for path in PATHS:
        response = client.get(path, query_string=query())
        assert response.status_code == 403, (username, path)
    refused = [d for d in denials(demo_app) if d["permission"].startswith("statistics:")]
    assert len(refused) == len(PATHS)
    assert {d["endpoint"] for d in refused} == {
        "statistics.index",
        "statistics.chart",
        "statistics.table_download",
    }
    assert statistics_events(demo_app) == []


BAD = [
    {"measure": "people"},
    {"first_year": "2024", "last_year": "2023"},
    {"first_year": "2000", "last_year": "2016"},
    {"breakdown": "concern", "breakdown2": "concern"},
    {"first_year": "2024-01"},
    {"last_year": "20245"},
    {"first_year": "٢٠٢٤"},
    {"first_year": "２０２４"},
    {"first_year": ""},
    {"last_year": ""},
    {"first_year": " 2024"},
    {"first_year": "+202"},
    {"granularity": "week"},
    {"breakdown": "name"},
    {"breakdown2": "person"},
    {"first_year": "0000"},
    {"first_year": "1999"},
    {"last_year": str(this_year())},
    {"first_year": str(this_year()), "last_year": str(this_year())},
    {"last_year": str(this_year() + 1)},
]


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_query_is_400_and_audits_nothing(demo_app: Flask, bad: dict[str, str]) -> None:
    client = client_for(demo_app, "timo")
    for path in PATHS:
        response = client.get(path, query_string=query(**bad))
        assert response.status_code == 400, (path, bad, response.status_code)
    page = client.get("/statistics", query_string=query(**bad))
    assert 'class="error-summary"' in page.text
    assert statistics_events(demo_app) == []


MESSAGES = [
    (
        {"first_year": "2024", "last_year": "2023"},
        "The first year must not be after the last year.",
    ),
    ({"first_year": "٢٠٢٤"}, "Enter a year as YYYY."),
    ({"last_year": "٢٠٢٤"}, "Enter a year as YYYY."),
    ({"last_year": "20245"}, "Enter a year as YYYY."),
    ({"first_year": ""}, "Enter a year."),
    ({"first_year": "1999", "last_year": "1999"}, "Choose a year from 2000 on."),
    ({"first_year": str(this_year() - 11)}, "Choose at most 10 years."),
    ({"last_year": str(this_year())}, "Choose years that have ended"),
]


@pytest.mark.parametrize(("bad", "message"), MESSAGES)
def test_a_bad_query_says_why(demo_app: Flask, bad: dict[str, str], message: str) -> None:
    client = client_for(demo_app, "timo")
    page = client.get("/statistics", query_string=query(**bad))
    assert page.status_code == 400 and message in page.text
    for path in ("/statistics/chart.svg", "/statistics/table.csv"):
        response = client.get(path, query_string=query(**bad))
        assert response.status_code == 400 and message in response.text, path


def test_a_running_year_is_refused_and_not_audited_as_a_read(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    running = str(this_year())
    for params in (query(last_year=running), query(first_year=running, last_year=running)):
        for path in PATHS:
            response = client.get(path, query_string=params)
            assert response.status_code == 400, (path, params)
            assert "a year still running would change every month" in response.text
    assert statistics_events(demo_app) == []


NAMES = [name for p in DEMO_PERSONS for name in (p[1], p[2], *p[6])]
CODES = [p[4] for p in DEMO_PERSONS]
UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


# One test per measure: each protects its own releases, so parallel workers share the crawl.
@pytest.mark.slow
@pytest.mark.parametrize("measure", list(FactEvent), ids=str)
def test_a_crawl_of_every_measure_and_breakdown_finds_no_person(
    demo_app: Flask, measure: FactEvent
) -> None:
    client = client_for(demo_app, "timo")
    for breakdown in Breakdown:
        params = query(measure=measure.value, breakdown=breakdown.value)
        for path in ("/statistics", "/statistics/table.csv"):
            text = client.get(path, query_string=params).text
            for needle in (*NAMES, *CODES, "DEMO-"):
                assert needle not in text, (path, params, needle)
            assert not UUID_RE.search(text), (path, params)


def test_the_csv_has_a_line_per_cell_and_the_totals(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    params = query(breakdown="concern", breakdown2="age_band")
    rows = csv_rows(client.get("/statistics/table.csv", query_string=params).text)
    assert rows[0] == ["concern", "age_band", "count", "suppressed"]
    grid = page_grid(client.get("/statistics", query_string=params).text)
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    cells, totals = rows[1 : 1 + n_rows * n_columns], rows[1 + n_rows * n_columns :]
    assert len(totals) == n_rows + n_columns + 1
    assert all("total" not in row[:2] for row in cells)
    assert all(row[1] == "total" for row in totals[:n_rows])
    assert all(row[0] == "total" for row in totals[n_rows:])
    assert totals[-1][:2] == ["total", "total"]
    for row in rows[1:]:
        assert row[3] in ("", "primary", "secondary")
        assert (row[2] == "") == (row[3] != "")
        assert row[2] == "" or row[2].isdigit()
    assert any(row[3] for row in rows[1:]), "the demo data is spread so that some are hidden"


def _csv_grid(rows: list[list[str]], n_rows: int, n_columns: int) -> list[list[str]]:
    """The CSV's entries in the page's layout (cells and row totals, then column totals)."""
    body = rows[1:]
    cells, totals = body[: n_rows * n_columns], body[n_rows * n_columns :]
    marks = {"primary": "–a", "secondary": "–b", "": None}

    def shown(row: list[str]) -> str:
        return marks[row[3]] or row[2]

    grid = [
        [shown(cells[r * n_columns + c]) for c in range(n_columns)] + [shown(totals[r])]
        for r in range(n_rows)
    ]
    grid.append([shown(row) for row in totals[n_rows:]])
    return grid


def _chart_gaps(svg: str) -> int:
    """How many bars the chart draws (a suppressed cell draws none)."""
    return len(re.findall(r'<rect[^>]*class="rect reactive tooltip-trigger"', svg))


@pytest.mark.parametrize("params", QUERIES)
def test_page_chart_and_csv_hide_the_same_cells(demo_app: Flask, params: dict[str, str]) -> None:
    client = client_for(demo_app, "timo")
    grid = page_grid(client.get("/statistics", query_string=params).text)
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    rows = csv_rows(client.get("/statistics/table.csv", query_string=params).text)
    assert _csv_grid(rows, n_rows, n_columns) == grid
    published = sum(1 for row in grid[:-1] for entry in row[:-1] if not entry.startswith("–"))
    svg = client.get("/statistics/chart.svg", query_string=params).text
    assert _chart_gaps(svg) == published


def test_a_table_too_large_to_protect_is_refused_and_its_quarters_are_not(
    demo_app: Flask,
) -> None:
    client = client_for(demo_app, "timo")
    # Ten years of months by concern: 120 periods by 11 concern lines (with "unknown").
    months = query(first_year=str(this_year() - 10), breakdown="concern")
    for path in PATHS:
        response = client.get(path, query_string=months)
        assert response.status_code == 400, path
        assert "This table is too large to protect" in response.text
    assert statistics_events(demo_app) == []
    quarters = months | {"granularity": "quarter"}
    assert client.get("/statistics", query_string=quarters).status_code == 200


def test_the_csv_is_named_for_its_measure_and_years(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    first, last = this_year() - 2, this_year() - 1
    download = client.get("/statistics/table.csv", query_string=query(measure="case_closed"))
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="statistics-case_closed-{first}-{last}.csv"'
    )


def test_quarters_are_the_periods_of_the_chosen_years(demo_app: Flask) -> None:
    client = client_for(demo_app, "timo")
    first, last = this_year() - 2, this_year() - 1
    rows = csv_rows(
        client.get("/statistics/table.csv", query_string=query(granularity="quarter")).text
    )
    periods = list(dict.fromkeys(row[0] for row in rows[1:] if row[0] != "total"))
    assert periods == [f"{year} Q{q}" for year in (first, last) for q in (1, 2, 3, 4)]
    page = client.get("/statistics", query_string=query(granularity="quarter"))
    assert len(page_grid(page.text)) == 9  # 8 quarters and the totals
    assert f"{first} Q1" in page.text and f"{last} Q4" in page.text


def test_the_legend_says_what_each_mark_means(demo_app: Flask) -> None:
    page = client_for(demo_app, "timo").get("/statistics", query_string=query())
    assert "suppressed (a small count, or a sum that includes one)" in page.text
    assert "suppressed (protects another cell)" in page.text


def test_the_chart_holds_no_script_and_no_url(demo_app: Flask) -> None:
    chart = client_for(demo_app, "timo").get(
        "/statistics/chart.svg", query_string=query(breakdown="concern", breakdown2="age_band")
    )
    svg = chart.text
    assert svg.startswith("<svg") and "<rect" in svg
    assert "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == {"http://www.w3.org/2000/svg"}
    policy = chart.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy


def test_a_view_and_a_download_each_write_one_event_with_the_query_only(
    demo_app: Flask,
) -> None:
    client = client_for(demo_app, "timo")
    params = query(breakdown="concern", breakdown2="age_band", granularity="quarter")
    client.get("/statistics", query_string=params)
    [read] = statistics_events(demo_app)
    client.get("/statistics/table.csv", query_string=params)
    [_, export] = statistics_events(demo_app)
    assert (read.action, export.action) == ("statistics:read", "statistics:export")
    for views, event in enumerate((read, export), start=1):
        # The query, with which breakdown is down and which across, and how many views the
        # analyst made in a day (flagged beyond 40); never a value.
        assert event.details == {
            "measure": "case_opened",
            "first_year": this_year() - 2,
            "last_year": this_year() - 1,
            "granularity": "quarter",
            "down": "concern",
            "across": "age_band",
            "views_in_a_day": views,
            "flagged": False,
        }
        assert event.subject_id is None and event.object_id is None
