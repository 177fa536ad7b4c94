"""Arbitrary query strings and path segments on every GET route never answer 5xx (issue 9, #10).

The routes come from the app's URL map, so a route added later is fuzzed too. Path arguments are
filled with real demo ids (of the right kind and of every other kind) and with garbage; each
request carries a few of the query parameters the app knows (its GET forms' fields and every
name the routes read from `request.args`) and some made-up ones. Every route is tried by every
demo role the policy lets reach it, and the public ones by an anonymous visitor.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

import app as app_package
from app.extensions import db
from cases.accounts import services as accounts
from cases.policy import decide
from core.db import Base
from tests.helpers import open_session, post

APP_SOURCE = Path(__file__).parents[2] / "app"
# One demo user per role, and a police caseworker for the compartment's own pages.
ROLE_USERS = ["sanna", "helena", "pekka", "aino", "timo", "admin"]
ARGS_READ = re.compile(r"request\.args(?:\.get\(|\[)\s*[\"']([A-Za-z0-9_]+)[\"']")
NASTY = [
    "",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "1899-12-31",
    "-1",
    "0",
    "99999999999999999999",
    "\u00b2",
    "\u0663\u0664",
    "\uff11",
    "\x00",
    "a\x00b",
    "line\nbreak",
    "\r\n",
    "\u202e\u200b",
    "x" * 5000,
    "%00",
    "../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "{{7*7}}",
    "' OR 1=1 --",
    "[]",
    "csv",
    "json",
    "complaint",
    "allowed",
    "denied",
]


def _query_forms() -> list[type[FlaskForm]]:
    """Every GET form of the app: the forms without a CSRF token."""
    found = []
    for module_info in pkgutil.walk_packages(app_package.__path__, "app."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, FlaskForm)
                and getattr(value.Meta, "csrf", True) is False
            ):
                found.append(value)
    return found


# Names that mean something to Flask's url_for: a link built from the query must not pass them on.
URL_FOR_NAMES = ["_external", "_scheme", "_anchor", "_method", "endpoint", "values", "format"]


def known_parameter_names() -> list[str]:
    """The GET forms' field names and every name a route reads from the query string."""
    names = {
        name
        for form in _query_forms()
        for name, value in inspect.getmembers(form)
        if isinstance(value, UnboundField)
    }
    for path in APP_SOURCE.rglob("*.py"):
        names.update(ARGS_READ.findall(path.read_text(encoding="utf-8")))
    return sorted(names | set(URL_FOR_NAMES))


def demo_ids(app: Flask) -> dict[str, list[str]]:
    """Ids of every table with a UUID `id`, by table name (at most 25 each)."""
    found: dict[str, list[str]] = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            column = table.columns.get("id")
            if column is None or column.type.python_type is not uuid.UUID:
                continue
            rows = db().execute(select(column).limit(25)).scalars()
            found[table.name] = [str(value) for value in rows]
    return found


def _ids_for(argument: str, ids: dict[str, list[str]]) -> list[str]:
    stem = argument.removesuffix("_id")
    own = [value for table, values in ids.items() if stem in table for value in values]
    return own or [value for values in ids.values() for value in values]


def _segment(argument: str, converter: str, ids: dict[str, list[str]]) -> st.SearchStrategy[str]:
    garbage = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.uuids().map(str)).map(
        lambda text: quote(text, safe="") or "x"
    )
    if converter == "UUIDConverter":
        every = [value for values in ids.values() for value in values]
        return st.one_of(st.sampled_from(_ids_for(argument, ids)), st.sampled_from(every), garbage)
    if argument == "filename":
        return st.one_of(st.sampled_from(["silta.css", "favicon.svg"]), garbage)
    return garbage


def _url(rule: Rule, ids: dict[str, list[str]]) -> st.SearchStrategy[str]:
    parts = {
        argument: _segment(argument, type(rule._converters[argument]).__name__, ids)
        for argument in rule.arguments
    }

    def build(values: dict[str, str]) -> str:
        url = rule.rule
        for argument, value in values.items():
            url = re.sub(rf"<(?:[a-z]+:)?{argument}>", lambda _m, v=value: v, url)
        return url

    return st.fixed_dictionaries(parts).map(build)


def _first_url(rule: Rule, ids: dict[str, list[str]]) -> str:
    url = rule.rule
    for argument in rule.arguments:
        value = "silta.css" if argument == "filename" else _ids_for(argument, ids)[0]
        url = re.sub(rf"<(?:[a-z]+:)?{argument}>", value, url)
    return url


def _query(names: list[str], ids: dict[str, list[str]]) -> st.SearchStrategy[list[tuple[str, str]]]:
    every = [value for values in ids.values() for value in values]
    value = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=60),
        st.dates().map(lambda d: d.isoformat()),
        st.integers().map(str),
        st.sampled_from(every),
        st.uuids().map(str),
    )
    name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12))
    return st.lists(st.tuples(name, value), max_size=6)


def _get_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())),
        key=lambda rule: rule.rule,
    )


def _reachable(app: Flask, username: str | None) -> list[Rule]:
    """GET rules this user's role may reach (public ones only for an anonymous visitor)."""
    with app.app_context():
        user = accounts.get_user_by_username(db(), username) if username else None
        chosen = []
        for rule in _get_rules(app):
            view = app.view_functions[rule.endpoint]
            public = rule.endpoint == "static" or getattr(view, "silta_public", False)
            permission = getattr(view, "silta_permission", None)
            if user is None:
                reachable = public
            else:
                reachable = permission is not None and bool(decide(user, permission))
            if reachable:
                chosen.append(rule)
    return chosen


def _client(app: Flask, username: str | None, accounts_: dict[str, dict[str, str]]) -> FlaskClient:
    client = app.test_client()
    if username is not None:
        open_session(app, client, username, password=accounts_[username]["password"])
        # The export asks for the password again; give it once, as a browser would.
        password = accounts_[username]["password"]
        assert post(client, "/reauthenticate", {"password": password}).status_code in (200, 302)
    return client


@pytest.mark.parametrize("username", [*ROLE_USERS, None], ids=lambda u: u or "anonymous")
def test_no_get_route_answers_5xx_to_arbitrary_input(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str | None
) -> None:
    client = _client(demo_app, username, demo_accounts)
    rules = _reachable(demo_app, username)
    assert rules, "no route to fuzz"
    ids = demo_ids(demo_app)
    names = known_parameter_names()
    assert {"date_from", "date_to", "user", "page", "subject", "reference", "next"} <= set(names)

    def check(url: str, query: list[tuple[str, str]]) -> None:
        response = client.get(url, query_string=query)
        response.get_data()  # a streamed export fails only while its body is produced
        assert response.status_code < 500, (url, query, response.status_code)

    # Every reachable route, with a real id of the right kind, and every known parameter set to
    # each nasty value.
    for rule in rules:
        url = _first_url(rule, ids)
        for nasty in NASTY[:14]:
            check(url, [(name, nasty) for name in names])

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        rule = data.draw(st.sampled_from(rules), label="rule")
        check(data.draw(_url(rule, ids), label="url"), data.draw(_query(names, ids), label="query"))

    fuzz()
