"""The load test's scenario (issue 15): caseworkers, supervisors and an auditor at work.

Run by `python -m bench.load_run`, which seeds the database, signs the users in and names the
plan file in SILTA_LOCUST_PLAN. Each simulated user takes a signed-in session of its own and a
forwarded address of its own: the server trusts one proxy hop (SILTA_TRUSTED_PROXIES=1), as it
would behind the city's nginx, so each user has its own address for the rate limits and the
audit log. Think times of 1–3 s: a brisk user; at a real user's 10–30 s, 64 of these make a few
hundred people at work.

- caseworkers (5 in 6): read the case pages of their cases; one time in eleven, write a note
  (the form for its CSRF token, then the POST, answered by a redirect to the case);
- supervisors (1 in 6): their cases (`/cases/`) and their closure and emergency queue;
- one auditor: the log filtered by action (`case:read`) and by a demo user.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from collections.abc import Iterator
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from locust.env import Environment

from bench import load_plan

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
NOTE = "Tapaaminen {n}: kuulumiset käyty läpi, seuraava tapaaminen sovittu ensi viikolle."
_seats = itertools.count()
_notes = itertools.count()
_turns: dict[str, Iterator[int]] = {}


@cache
def plan() -> load_plan.Plan:
    return load_plan.read(Path(os.environ[load_plan.PLAN_ENV]))


def _on_init(environment: Environment, **_kwargs: object) -> None:
    def write_errors(**_kwargs: object) -> None:
        # At the very end: locust's own failures CSV is rewritten only once a second.
        if environment.runner is not None and load_plan.ERRORS_ENV in os.environ:
            errors = list(environment.runner.stats.serialize_errors().values())
            load_plan.write_errors(Path(os.environ[load_plan.ERRORS_ENV]), errors)

    # locust's EventHook.add_listener carries no annotations.
    environment.events.quit.add_listener(write_errors)  # type: ignore[no-untyped-call]


events.init.add_listener(_on_init)  # type: ignore[no-untyped-call]  # (as above)


class SiltaUser(FastHttpUser):
    """A signed-in user of one role; its cookie follows what the server sets, as a browser's."""

    abstract = True
    wait_time = between(1, 3)
    role: ClassVar[str]

    def on_start(self) -> None:
        accounts = plan()["accounts"][self.role]
        turn = next(_turns.setdefault(self.role, itertools.count()))
        self.account = accounts[turn % len(accounts)]
        self.cookie = self.account["cookies"][turn // len(accounts)]
        self.address = load_plan.forwarded_address(next(_seats))

    def call(
        self, method: str, path: str, name: str, expect: int, form: dict[str, str] | None = None
    ) -> str:
        """Request `path`; anything but the `expect`ed status counts as a failure (`status N`)."""
        headers = {"Cookie": self.cookie, "X-Forwarded-For": self.address}
        headers["Accept-Language"] = "en"
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self._keep_cookie(response.headers.get("Set-Cookie") if response.headers else None)
            if response.status_code != expect:
                response.failure(f"status {response.status_code}")
                return ""
            response.success()
            return response.text or ""

    def _keep_cookie(self, header: str | None) -> None:
        if not header:
            return
        name = self.cookie.split("=", 1)[0]
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar and jar[name].value:
            self.cookie = f"{name}={jar[name].value}"


class Caseworker(SiltaUser):
    weight = 5
    role = "caseworker"

    @task(10)
    def read_case(self) -> None:
        case = random.choice(self.account["read"])
        self.call("GET", f"/cases/{case}", load_plan.CASE_PAGE, 200)

    @task(1)
    def write_note(self) -> None:
        case = random.choice(self.account["write"])
        path = f"/cases/{case}/notes/new"
        page = self.call("GET", path, load_plan.NOTE_FORM, 200)
        token = CSRF.search(page)
        if token is None:
            return  # the form failed and is counted; there is nothing to post
        fields = {"category": "general", "sensitivity": "normal"}
        fields.update(csrf_token=token.group(1), body=NOTE.format(n=next(_notes)))
        self.call("POST", path, load_plan.NOTE_FORM, 302, form=fields)


class Supervisor(SiltaUser):
    weight = 1
    role = "supervisor"

    @task(2)
    def my_cases(self) -> None:
        self.call("GET", "/cases/", load_plan.MY_CASES, 200)

    @task(1)
    def queue(self) -> None:
        self.call("GET", "/cases/queue", load_plan.QUEUE, 200)


class Auditor(SiltaUser):
    fixed_count = 1
    role = "auditor"

    @task
    def by_action(self) -> None:
        self.call("GET", "/audit/?action=case:read", load_plan.LOG_BY_ACTION, 200)

    @task
    def by_user(self) -> None:
        user = random.choice(plan()["usernames"])
        self.call("GET", f"/audit/?user={user}", load_plan.LOG_BY_USER, 200)
