"""Breadcrumbs on the case, referral and meeting pages (issue 16, point 3): where the page
sits, its parents linked only where the user may go, the page itself marked current."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pytest
from flask import Flask

from tests.app.casework_helpers import case_id_of
from tests.app.meetings.helpers import meeting_ids
from tests.app.referrals.helpers import referral_ids
from tests.helpers import open_session

P1_CODE = "140310A1230"
NAV_RE = r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>'


def _trail(app: Flask, username: str, path: str) -> list[tuple[str | None, str]]:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.status_code
    [nav] = re.findall(NAV_RE, page.text, re.S)
    crumbs: list[tuple[str | None, str]] = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S):
        link = re.match(r'<a href="([^"]+)">(.*)</a>$', item.strip())
        crumbs.append((link[1], link[2]) if link else (None, item.strip()))
    assert nav.count('aria-current="page"') == 1 and crumbs[-1][0] is None
    return crumbs


def test_the_case_page_sits_under_my_cases(demo_app: Flask) -> None:
    path = f"/cases/{case_id_of(demo_app, P1_CODE)}"
    assert _trail(demo_app, "sanna", path) == [
        ("/", "Start"),
        ("/cases/", "My cases"),
        (None, "Esimerkki, Eetu"),
    ]


@pytest.mark.parametrize(
    ("username", "marker", "parent"),
    [
        ("helena", "DEMO-R1-POL-SOS", [("/referrals/inbox", "Inbox")]),
        ("pekka", "DEMO-R1-POL-SOS", [("/referrals/sent", "Sent referrals")]),
        # R2 goes from sos to nuo on P1's case, whose team pol is on: neither of pol's lists.
        ("pekka", "DEMO-R2-SOS-NUO", []),
    ],
)
def test_a_referral_sits_under_the_readers_own_list(
    demo_app: Flask, username: str, marker: str, parent: list[tuple[str, str]]
) -> None:
    path = f"/referrals/{referral_ids(demo_app)[marker]}"
    assert _trail(demo_app, username, path) == [("/", "Start"), *parent, (None, "Referral")]


def test_a_meeting_sits_under_the_meetings(demo_app: Flask) -> None:
    path = f"/meetings/{meeting_ids(demo_app)['M1']}"
    trail = _trail(demo_app, "noora", path)
    assert trail[:2] == [("/", "Start"), ("/meetings", "Meetings")]
    assert trail[2][0] is None and trail[2][1]


def test_a_parent_leads_only_where_its_route_lets_the_user_go(app: Flask) -> None:
    """Nobody signed in: the public statement only, never a page behind a permission."""
    with app.test_request_context("/"):
        may_open = cast(Callable[[str], bool], _context(app)["may_open"])
        assert may_open("main.accessibility") is True
        assert may_open("casework.mine") is False
        assert may_open("no.such.endpoint") is False


def _context(app: Flask) -> dict[str, object]:
    merged: dict[str, object] = {}
    for processor in app.template_context_processors[None]:
        merged.update(processor())
    return merged
