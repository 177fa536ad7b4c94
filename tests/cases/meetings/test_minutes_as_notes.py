"""Issue 12, point 3: the policy decides who reads a minute entry, an action item or an addendum
exactly as it decides a note of that category written by the writer's agency.

The same situation is built with real notes: for every reader who sees the meeting and every
writer agency and category, the meeting item is read exactly when the note is (a consent that
covers youth work and police for some categories, the police compartment for health and
social-welfare notes, an agency outside the case's team)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cases.casework import services as casework
from cases.meetings import services as meetings
from cases.meetings.models import Meeting
from cases.meetings.queries import case_meeting_items
from cases.policy import PolicyDenied
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, scene
from tests.clock import work_day

# Covered by the consent for nuo and pol: all but family and offence.
COVERED = ("general", "education", "health", "social_welfare")
CATEGORIES = (*COVERED, "family", "offence")
WRITERS = ("sanna", "noora")
MARK = re.compile(r"\b[NEAD]-[a-z]+-[a-z_]+\b")
MEETING_READERS = ("sanna", "sakari", "siiri", "noora", "nelli", "pekka", "petri", "jari")
CASE_READERS = (*MEETING_READERS, "nuutti")


def _build(session: Session, situation: str = "consent") -> tuple[Scene, Meeting]:
    if situation == "consent":
        s = scene(session, categories=COVERED)
    elif situation == "emergency":
        # Noora's emergency access releases the case's normal notes to her (not to nuo).
        s = scene(session, categories=("general",))
        casework.request_emergency_access(session, ctx(s.noora), s.case, "Nuori kadonnut.")
    else:
        # Police reach sos's health and social-welfare notes only by an Act 812/2000 §18
        # disclosure; youth work reads them by no basis at all.
        s = scene(session, categories=("general", "education"))
        casework.create_disclosure(
            session,
            ctx(s.sanna),
            s.case,
            to_agency=s.agencies["pol"],
            categories=["health", "social_welfare"],
            basis="act_812_2000_18",
            justification="Poliisin tiedonsaanti.",
            expires_on=work_day() + timedelta(days=30),
        )
    meeting = s.meeting()
    item = s.agenda(meeting)
    s.held(meeting)
    first = None
    for writer in WRITERS:
        for category in CATEGORIES:
            s.build.note(s.case, s.users[writer], category=category, body=f"N-{writer}-{category}")
            entry = s.entry(
                meeting, item, by=writer, category=category, body=f"E-{writer}-{category}"
            )
            first = first or entry
            s.action(
                meeting,
                item,
                by=writer,
                # The writer's own colleague: they read their agency's items of any category.
                owner="sakari" if writer == "sanna" else "nuutti",
                category=category,
                description=f"A-{writer}-{category}",
            )
    s.submit(meeting)
    s.approve(meeting)
    assert first is not None
    for writer in WRITERS:
        for category in CATEGORIES:
            meetings.add_addendum(
                session,
                ctx(s.users[writer]),
                meeting,
                first,
                category=category,
                text=f"D-{writer}-{category}",
            )
    return s, meeting


def _notes_read(s: Scene, reader: str) -> set[str]:
    try:
        view = casework.view_case(s.session, ctx(s.users[reader]), s.case)
    except PolicyDenied:
        return set()
    return {m for shown in view.notes for m in MARK.findall(shown.body)}


def _meeting_read(s: Scene, meeting: Meeting, reader: str) -> set[str]:
    view = meetings.view_meeting(s.session, ctx(s.users[reader]), meeting)
    texts: list[str] = []
    for agenda in view.agenda:
        for e in agenda.entries:
            texts += [e.body, *(d.text for d in e.addenda)]
        for a in agenda.actions:
            texts += [a.description, *(d.text for d in a.addenda)]
    return {m for t in texts for m in MARK.findall(t)}


def _as_notes(found: set[str]) -> set[str]:
    return {"N" + m[1:] for m in found}


@pytest.fixture(params=["consent", "disclosure", "emergency"])
def built(domain_session: Session, request: pytest.FixtureRequest) -> tuple[Scene, Meeting]:
    return _build(domain_session, request.param)


@pytest.mark.parametrize("reader", MEETING_READERS)
def test_each_meeting_item_is_read_exactly_as_the_note(
    built: tuple[Scene, Meeting], reader: str
) -> None:
    s, meeting = built
    notes = _notes_read(s, reader)
    read = _meeting_read(s, meeting, reader)
    for prefix in "EAD":
        assert _as_notes({m for m in read if m[0] == prefix}) == notes, (reader, prefix)


@pytest.mark.parametrize("reader", CASE_READERS)
def test_the_case_page_reads_decisions_and_action_items_as_the_notes(
    built: tuple[Scene, Meeting], reader: str
) -> None:
    s, _meeting = built
    notes = _notes_read(s, reader)
    facts = case_facts(s.session, s.case)
    items = case_meeting_items(s.session, s.users[reader], facts, utcnow())
    decisions = {m for d in items.decisions for m in MARK.findall(d.body)}
    tasks = {m for t in items.tasks for m in MARK.findall(t.description)}
    assert _as_notes(decisions) == notes
    assert _as_notes(tasks) == notes


def test_the_table_is_not_trivial(domain_session: Session) -> None:
    """The readers differ: the police compartment and the uncovered category hide notes."""
    s, _meeting = _build(domain_session)
    pol = _notes_read(s, "pekka")
    assert "N-sanna-general" in pol and "N-sanna-health" not in pol
    assert "N-sanna-social_welfare" not in pol and "N-sanna-family" not in pol
    nuo = _notes_read(s, "nelli")
    assert "N-sanna-health" in nuo and "N-sanna-family" not in nuo
    assert "N-noora-family" in nuo
    assert _notes_read(s, "jari") == set()


def test_a_disclosure_releases_the_disclosing_agencys_items_only(domain_session: Session) -> None:
    s, _meeting = _build(domain_session, "disclosure")
    pol = _notes_read(s, "pekka")
    assert {"N-sanna-health", "N-sanna-social_welfare"} <= pol
    assert "N-noora-health" not in pol and "N-sanna-family" not in pol
    assert "N-sanna-health" not in _notes_read(s, "noora")


def test_an_emergency_access_releases_normal_items_to_its_holder_only(
    domain_session: Session,
) -> None:
    s, _meeting = _build(domain_session, "emergency")
    assert "N-sanna-family" in _notes_read(s, "noora")
    assert "N-sanna-family" not in _notes_read(s, "nelli")
