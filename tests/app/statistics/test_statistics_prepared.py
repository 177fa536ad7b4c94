"""Production serves only the years `flask statistics prepare` stored (issue 13, fifth attack:
a first view protected its years in the request, 9–41 s, past gunicorn's 30 s timeout, and the
page failed). With SILTA_STATISTICS_PROTECT=ahead (the default), a year not prepared is a 503
with Retry-After and a plain message, audited as nothing shown; once stored, every worker
serves it."""

from __future__ import annotations

from flask import Flask

from app.config import load
from tests.app.statistics.helpers import PATHS, client_for, query, statistics_events, this_year
from tests.conftest import AppFactory
from tests.databases import PostgresDatabases, SqliteDatabases

PREPARING = "These statistics are being prepared"


def _two_workers(
    make_app: AppFactory,
    databases: SqliteDatabases | PostgresDatabases,
    demo_template: tuple[str, list[dict[str, str]]],
) -> tuple[Flask, Flask]:
    """Two apps on one copy of the demo: one serving prepared years only, one protecting."""
    url = databases.new(source=demo_template[0])
    return make_app(db_url=url, SILTA_STATISTICS_PROTECT="ahead"), make_app(db_url=url)


def test_production_serves_only_prepared_years(clean_env) -> None:  # type: ignore[no-untyped-def]
    assert load(clean_env, {})["SILTA_STATISTICS_PROTECT"] == "ahead"


def test_a_year_not_prepared_is_a_503_with_retry_after_and_shows_nothing(
    make_app: AppFactory,
    databases: SqliteDatabases | PostgresDatabases,
    demo_template: tuple[str, list[dict[str, str]]],
) -> None:
    url = databases.new(source=demo_template[0])
    ahead = make_app(db_url=url, SILTA_STATISTICS_PROTECT="ahead")
    client = client_for(ahead, "timo")
    for path in PATHS:
        response = client.get(path, query_string=query(first_year=str(this_year() - 1)))
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) > 0
        assert PREPARING in response.text
    page = client.get("/statistics").text
    assert 'id="statistics-query"' in page  # the analyst keeps the form
    assert 'id="statistics-table"' not in page
    assert statistics_events(ahead) == []


def test_once_a_year_is_stored_every_worker_serves_it_alike(
    make_app: AppFactory,
    databases: SqliteDatabases | PostgresDatabases,
    demo_template: tuple[str, list[dict[str, str]]],
) -> None:
    ahead, protecting = _two_workers(make_app, databases, demo_template)
    asked = query(first_year=str(this_year() - 1), breakdown="district")
    stored = client_for(protecting, "timo").get("/statistics/table.csv", query_string=asked)
    assert stored.status_code == 200
    served = client_for(ahead, "timo").get("/statistics/table.csv", query_string=asked)
    assert served.status_code == 200 and served.text == stored.text
    # Another view of the same measure-year is cut from the same stored families.
    other = client_for(ahead, "timo").get(
        "/statistics", query_string=query(first_year=str(this_year() - 1), breakdown="concern")
    )
    assert other.status_code == 200 and PREPARING not in other.text
