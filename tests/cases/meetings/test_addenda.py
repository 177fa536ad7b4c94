"""Issue 12, point 4: corrections of approved minutes are addenda — only after approval, by the
case's team, shown under the item they correct with author and time, each read under its own
category."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, Addendum, Meeting, MinuteEntry
from cases.meetings.queries import case_meeting_items
from cases.policy import PolicyDenied
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, rows, scene, snapshot


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _add(
    s: Scene,
    by: str,
    meeting: Meeting,
    corrects: MinuteEntry | ActionItem,
    *,
    category: str = "general",
    text: str = "Korjaus: päivä oli tiistai.",
) -> Addendum:
    return meetings.add_addendum(
        s.session, ctx(s.users[by]), meeting, corrects, category=category, text=text
    )


class TestWhen:
    def test_not_before_the_minutes_are_approved(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.with_minutes()
        for step in (lambda: None, lambda: s.submit(meeting)):
            step()
            before = snapshot(s.session)
            with pytest.raises((PolicyDenied, InputError)):
                _add(s, "sanna", meeting, entry)
            assert snapshot(s.session) == before

    def test_after_approval_an_addendum_is_written(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.approved()
        addendum = _add(s, "sanna", meeting, entry)
        assert addendum.entry_id == entry.id and rows(s.session, Addendum) == 1


class TestShown:
    def test_under_the_entry_it_corrects_with_author_and_time(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.approved()
        addendum = _add(s, "sakari", meeting, entry)
        [view] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        [shown_entry] = view.entries
        [shown] = shown_entry.addenda
        assert shown.addendum.id == addendum.id and shown.text == "Korjaus: päivä oli tiistai."
        assert shown.addendum.author_user_id == s.sakari.id
        assert shown.addendum.created_at is not None
        assert view.actions[0].addenda == []

    def test_under_the_action_item_it_corrects(self, s: Scene) -> None:
        meeting, _item, _entry, action = s.approved()
        addendum = _add(s, "sanna", meeting, action)
        [view] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        assert [a.addendum.id for a in view.actions[0].addenda] == [addendum.id]
        assert view.entries[0].addenda == []

    def test_the_page_can_name_every_addendum_author(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.approved()
        _add(s, "nelli", meeting, entry)  # a nuo supervisor: sees it through nuo, on the team
        view = meetings.view_meeting(s.session, ctx(s.noora), meeting)
        [shown] = view.agenda[0].entries[0].addenda
        assert shown.addendum.author_user_id in view.users

    def test_an_addendum_is_never_written_where_nobody_will_see_it(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        first = s.entry(meeting, item, body="Ensimmäinen versio.")
        meetings.write_entry(
            s.session,
            ctx(s.sanna),
            meeting,
            item,
            kind="decision",
            category="general",
            body="Korjattu versio.",
            supersedes=first,
        )
        s.submit(meeting)
        s.approve(meeting)
        try:
            _add(s, "sanna", meeting, first)
        except InputError:
            return  # refused: fine
        [view] = meetings.view_meeting(s.session, ctx(s.sanna), meeting).agenda
        shown = [d.text for e in view.entries for d in e.addenda]
        assert shown == ["Korjaus: päivä oli tiistai."]


class TestWho:
    @pytest.mark.parametrize("writer", ["jari", "olli", "oona", "nuutti", "timo", "ylva"])
    def test_refused_for_anyone_not_on_the_team_or_not_seeing_the_meeting(
        self, s: Scene, writer: str
    ) -> None:
        meeting, _item, entry, _action = s.approved()
        before = snapshot(s.session)
        with pytest.raises(PolicyDenied):
            _add(s, writer, meeting, entry)
        assert snapshot(s.session) == before

    @pytest.mark.parametrize("writer", ["noora", "pekka", "nelli", "siiri"])
    def test_any_team_member_who_sees_the_meeting_may_correct(self, s: Scene, writer: str) -> None:
        meeting, _item, entry, _action = s.approved()
        assert _add(s, writer, meeting, entry).author_user_id == s.users[writer].id


class TestVisibility:
    def test_follows_its_own_category_not_the_corrected_items(self, s: Scene) -> None:
        """A family addendum under a general decision: youth work and police (consent for
        general and education only) read the decision but not the addendum."""
        meeting, _item, entry, _action = s.approved()
        _add(s, "sanna", meeting, entry, category="family", text="Perhetilanne muuttui.")
        for reader, sees_addendum in (("noora", False), ("pekka", False), ("siiri", True)):
            [view] = meetings.view_meeting(s.session, ctx(s.users[reader]), meeting).agenda
            [shown] = view.entries
            assert bool(shown.addenda) is sees_addendum, reader

    def test_the_case_page_shows_it_under_the_decision_by_its_own_category(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.approved()
        _add(s, "sanna", meeting, entry, category="family", text="Perhetilanne muuttui.")
        _add(s, "sanna", meeting, entry, category="general", text="Päivä oli tiistai.")
        facts = case_facts(s.session, s.case)
        for reader, texts in (
            ("noora", ["Päivä oli tiistai."]),
            ("siiri", ["Perhetilanne muuttui.", "Päivä oli tiistai."]),
        ):
            items = case_meeting_items(s.session, s.users[reader], facts, utcnow())
            [decision] = items.decisions
            assert sorted(a.text for a in decision.addenda) == texts, reader

    def test_a_police_reader_never_reads_a_health_addendum(self, domain_session: Session) -> None:
        s = scene(domain_session, categories=("general", "health"))
        meeting, _item, entry, _action = s.approved()
        _add(s, "sanna", meeting, entry, category="health", text="Terveydentila.")
        [pol] = meetings.view_meeting(s.session, ctx(s.pekka), meeting).agenda
        [nuo] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        assert pol.entries[0].addenda == [] and len(nuo.entries[0].addenda) == 1

    def test_a_readable_addendum_to_an_unreadable_item_is_not_lost(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        entry = s.entry(meeting, item, category="health", body="Terveydentila.")
        s.submit(meeting)
        s.approve(meeting)
        _add(s, "sanna", meeting, entry, category="general", text="Yleinen korjaus ADD-GENERAL")
        [view] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        assert view.entries == []  # the health decision stays hidden from youth work
        # Shown (its own category lets youth work read it), or at least counted as not shown.
        assert "ADD-GENERAL" in repr(view) or view.hidden == 2


class TestInput:
    @pytest.mark.parametrize(
        "given",
        [{"category": "gossip"}, {"text": ""}, {"text": "a\x00b"}],
        ids=["unknown-category", "empty", "control-character"],
    )
    def test_bad_input_writes_nothing(self, s: Scene, given: dict[str, str]) -> None:
        meeting, _item, entry, _action = s.approved()
        before = snapshot(s.session)
        with pytest.raises(InputError):
            _add(s, "sanna", meeting, entry, **given)
        assert snapshot(s.session) == before

    def test_an_entry_of_another_meeting_is_refused(self, s: Scene) -> None:
        meeting, _item, _entry, _action = s.approved()
        _other, _i, foreign, _a = s.approved()
        before = snapshot(s.session)
        with pytest.raises(InputError):
            _add(s, "sanna", meeting, foreign)
        assert snapshot(s.session) == before
