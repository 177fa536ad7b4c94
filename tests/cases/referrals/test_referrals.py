"""Referral services on a plain session: sending, the workflow, reading, and hostile insiders."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.casework import services as casework
from cases.inputs import InputError
from cases.policy import PolicyDenied, Reason
from cases.policy.loading import case_facts
from cases.referrals import services as referrals
from cases.referrals.models import ReferralEvent
from tests.cases.referrals.scenario import Scene, ctx, events, referral_count, scene
from tests.clock import work_day


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


class TestSending:
    def test_a_covered_referral_is_sent_with_its_basis_clocks_history_and_audit(
        self, s: Scene
    ) -> None:
        referral = s.send()
        assert referral.state == "sent"
        assert referral.basis == f"consent:{s.consent.id}"
        assert referral.consent_id == s.consent.id and referral.legal_basis == "consent"
        assert referral.reason == "Tarvitsee tukea vapaa-aikaan. DEMO-TEST"
        assert referral.reason_ct is not None and b"DEMO-TEST" not in referral.reason_ct
        assert referral.acknowledge_due_at < referral.response_due_at
        assert not referral.needs_assessment  # to youth work, not social services
        kinds = s.session.scalars(
            select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)
        )
        assert list(kinds) == ["sent"]
        event = s.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.REFERRAL_SENT)
        )
        assert event is not None and event.subject_id == s.case.person_id
        assert event.object_id == str(referral.id) and f"consent:{s.consent.id}" in event.bases

    def test_without_a_covering_basis_it_is_refused_with_the_reason_and_nothing_written(
        self, s: Scene
    ) -> None:
        with pytest.raises(PolicyDenied) as refused:
            s.send(to_agency=s.ngo.id)
        assert refused.value.decision.reason == Reason.NO_BASIS
        # The denial names the referral and the young person, for the route's denial event.
        assert refused.value.object_type == "referral"
        assert refused.value.subject_id == s.case.person_id
        with pytest.raises(PolicyDenied):
            s.send(category="health")  # the consent covers general notes only
        assert referral_count(s.session) == 0 and events(s.session, Action.REFERRAL_SENT) == 0

    def test_a_withdrawn_consent_stops_the_next_send(self, s: Scene) -> None:
        s.send()
        casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Nuori peruutti.")
        with pytest.raises(PolicyDenied) as refused:
            s.send()
        assert refused.value.decision.reason == Reason.NO_BASIS
        assert referral_count(s.session) == 1

    def test_a_team_member_without_a_basis_may_not_send(self, s: Scene) -> None:
        # Police joins on a §18 disclosure from social services; no consent or disclosure
        # covers the NGO, so a police note would not be readable there: no referral. (Towards
        # youth work the case's consent covers any author's general notes, so that one goes.)
        casework.create_disclosure(
            s.session,
            ctx(s.sanna),
            s.case,
            to_agency=s.pol,
            categories=["family"],
            basis="act_812_2000_18",
            justification="Rikosasia.",
            expires_on=work_day(),
        )
        s.build.member(s.case, s.sanna, s.pekka)
        with pytest.raises(PolicyDenied) as refused:
            s.send(by=s.pekka, to_agency=s.ngo.id)
        assert refused.value.decision.reason == Reason.NO_BASIS
        assert s.send(by=s.pekka).basis == f"consent:{s.consent.id}"

    def test_an_uninvolved_agency_may_not_send_on_the_case(self, s: Scene) -> None:
        with pytest.raises(PolicyDenied) as refused:
            s.send(by=s.jari)
        assert refused.value.decision.reason == Reason.NOT_ON_TEAM

    @pytest.mark.parametrize(
        ("given", "field"),
        [
            ({"urgency": "whenever"}, "urgency"),
            ({"category": "gossip"}, "category"),
            ({"reason": ""}, "reason"),
            ({"reason": "\u200b"}, "reason"),
            ({"to_agency": uuid.uuid4()}, "to_agency"),
        ],
    )
    def test_bad_input_writes_nothing(self, s: Scene, given: dict[str, object], field: str) -> None:
        with pytest.raises(InputError) as refused:
            s.send(**given)
        assert refused.value.field == field
        assert referral_count(s.session) == 0 and events(s.session, Action.REFERRAL_SENT) == 0

    def test_forged_attachments_of_another_case_are_refused(self, s: Scene) -> None:
        other = s.build.case(s.sanna)
        foreign = s.build.note(other, s.sanna, body="Toisen nuoren asia.")
        own = s.build.note(s.case, s.sanna, body="Tämän nuoren asia.")
        with pytest.raises(InputError) as refused:
            s.send(attached_note_ids=(own.id, foreign.id))
        assert refused.value.field == "attached_note_ids"
        with pytest.raises(InputError):
            s.send(attached_note_ids=(uuid.uuid4(),))
        assert referral_count(s.session) == 0
        referral = s.send(attached_note_ids=(own.id, own.id))
        assert referral.attached_note_ids == [str(own.id)]

    def test_a_note_the_sender_may_not_read_is_not_attached(self, s: Scene) -> None:
        # Police's own offence note: social services reads no offence notes on this case.
        casework.create_disclosure(
            s.session,
            ctx(s.sanna),
            s.case,
            to_agency=s.pol,
            categories=["family"],
            basis="act_812_2000_18",
            justification="Rikosasia.",
            expires_on=work_day(),
        )
        s.build.member(s.case, s.sanna, s.pekka)
        hidden = s.build.note(s.case, s.pekka, body="Poliisin asia.", category="offence")
        with pytest.raises(InputError) as refused:
            s.send(attached_note_ids=(hidden.id,))
        assert refused.value.field == "attached_note_ids"
        assert referral_count(s.session) == 0

    def test_a_superseded_note_is_not_attached(self, s: Scene) -> None:
        old = s.build.note(s.case, s.sanna, body="Vanha.")
        s.build.note(s.case, s.sanna, body="Korjattu.", supersedes=old)
        with pytest.raises(InputError):
            s.send(attached_note_ids=(old.id,))


class TestYouthActReferral:
    def _disclose(self, s: Scene) -> None:
        casework.create_disclosure(
            s.session,
            ctx(s.sanna),
            s.case,
            to_agency=s.nuo,
            categories=[],
            basis="youth_act_1285_2016_11",
            justification="Etsivä nuorisotyö.",
            expires_on=work_day() + timedelta(days=30),
        )

    def test_it_carries_grounds_and_who_was_informed_and_no_text(self, s: Scene) -> None:
        self._disclose(s)
        referral = s.send(
            category=None,
            reason="",
            youth_act_grounds=("dropped_out_of_education",),
            young_person_informed=True,
            guardian_informed=True,
        )
        assert referral.legal_basis == "youth_act_1285_2016_11"
        assert referral.category is None and referral.reason is None
        assert referral.youth_act_grounds == ["dropped_out_of_education"]
        assert referral.young_person_informed and referral.guardian_informed

    @pytest.mark.parametrize(
        ("given", "field"),
        [
            ({"reason": "Vapaa teksti."}, "reason"),
            ({"youth_act_grounds": ()}, "youth_act_grounds"),
            ({"youth_act_grounds": ("bored",)}, "youth_act_grounds"),
            ({"young_person_informed": False}, "young_person_informed"),
            ({"guardian_informed": False}, "guardian_informed"),  # a minor
        ],
    )
    def test_its_rules(self, s: Scene, given: dict[str, object], field: str) -> None:
        self._disclose(s)
        fields: dict[str, object] = {
            "category": None,
            "reason": "",
            "youth_act_grounds": ("needs_support_to_reach_services",),
            "young_person_informed": True,
            "guardian_informed": True,
        }
        fields.update(given)
        with pytest.raises(InputError) as refused:
            s.send(**fields)
        assert refused.value.field == field


class TestWorkflow:
    def test_only_the_receiving_agency_acknowledges_accepts_or_declines(self, s: Scene) -> None:
        referral = s.send()
        for user in (s.sanna, s.siiri, s.jari):
            for step in (referrals.acknowledge, referrals.accept):
                with pytest.raises(PolicyDenied):
                    step(s.session, ctx(user), referral)
            with pytest.raises(PolicyDenied):
                referrals.decline(
                    s.session, ctx(user), referral, reason_code="duplicate", text="Sama."
                )
        assert referral.state == "sent"

    def test_acknowledge_then_accept_joins_the_team_and_names_the_caseworker(
        self, s: Scene
    ) -> None:
        referral = s.send()
        referrals.acknowledge(s.session, ctx(s.nuutti), referral)
        assert referral.state == "acknowledged" and referral.handler_user_id == s.nuutti.id
        with pytest.raises(PolicyDenied) as again:
            referrals.acknowledge(s.session, ctx(s.noora), referral)
        assert again.value.decision.reason == Reason.WRONG_STATE
        referrals.accept(s.session, ctx(s.noora), referral)
        facts = case_facts(s.session, s.case)
        assert referral.state == "accepted"
        assert s.nuo.id in facts.member_agencies and s.noora.id in facts.member_users
        assert s.nuutti.id not in facts.member_users  # acknowledging is not accepting
        assert events(s.session, Action.REFERRAL_ACCEPTED, referral.id) == 1

    def test_a_decline_needs_a_reason_from_the_list_and_a_text(self, s: Scene) -> None:
        referral = s.send()
        with pytest.raises(InputError) as no_code:
            referrals.decline(s.session, ctx(s.noora), referral, reason_code="bored", text="x")
        assert no_code.value.field == "decline_reason"
        with pytest.raises(InputError) as no_text:
            referrals.decline(s.session, ctx(s.noora), referral, reason_code="other", text=" ")
        assert no_text.value.field == "decline_text"
        assert referral.state == "sent" and events(s.session, Action.REFERRAL_DECLINED) == 0
        referrals.decline(
            s.session, ctx(s.noora), referral, reason_code="no_capacity", text="Ei tilaa."
        )
        assert referral.state == "declined" and referral.decline_reason == "no_capacity"
        assert referral.closed_at is not None

    def test_complete_sends_the_outcome_back_and_the_sender_reads_it(self, s: Scene) -> None:
        referral = s.send()
        referrals.accept(s.session, ctx(s.noora), referral)
        with pytest.raises(InputError):
            referrals.complete(s.session, ctx(s.noora), referral, outcome="")
        referrals.complete(s.session, ctx(s.noora), referral, outcome="Aloitti ryhmässä.")
        view = referrals.view_referral(s.session, ctx(s.sanna), referral)
        assert [h.event.kind for h in view.history] == ["sent", "accepted", "completed"]
        assert view.history[-1].text == "Aloitti ryhmässä."

    def test_the_sender_withdraws_only_while_open(self, s: Scene) -> None:
        referral = s.send()
        with pytest.raises(PolicyDenied):
            referrals.withdraw(s.session, ctx(s.noora), referral)
        referrals.withdraw(s.session, ctx(s.siiri), referral, reason="Ei enää tarpeen.")
        assert referral.state == "withdrawn"
        with pytest.raises(PolicyDenied) as late:
            referrals.withdraw(s.session, ctx(s.sanna), referral)
        assert late.value.decision.reason == Reason.WRONG_STATE

    def test_a_receiving_supervisor_reopens_with_a_reason(self, s: Scene) -> None:
        referral = s.send()
        referrals.decline(s.session, ctx(s.noora), referral, reason_code="other", text="Ei.")
        with pytest.raises(PolicyDenied):
            referrals.reopen(s.session, ctx(s.noora), referral, reason="Uudelleen.")
        with pytest.raises(InputError):
            referrals.reopen(s.session, ctx(s.nelli), referral, reason="")
        referrals.reopen(s.session, ctx(s.nelli), referral, reason="Tilaa vapautui.")
        assert referral.state == "acknowledged" and referral.decline_reason is None
        assert referral.closed_at is None

    def test_accepting_needs_the_basis_still_in_force(self, s: Scene) -> None:
        referral = s.send()
        casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Peruttu.")
        with pytest.raises(PolicyDenied) as refused:
            referrals.accept(s.session, ctx(s.noora), referral)
        assert refused.value.decision.reason == Reason.NO_BASIS
        referrals.decline(
            s.session, ctx(s.noora), referral, reason_code="young_person_declined", text="Ei."
        )


class TestReading:
    def test_the_receiver_reads_name_identity_code_and_reason_from_the_inbox(
        self, s: Scene
    ) -> None:
        referral = s.send()
        rows = referrals.inbox_page(s.session, ctx(s.nuutti)).rows
        assert [r.referral.id for r in rows] == [referral.id]
        assert rows[0].person is not None and rows[0].person.surname == "Virtanen"
        view = referrals.view_referral(s.session, ctx(s.nuutti), referral)
        assert view.content and view.reason is not None and "DEMO-TEST" in view.reason
        assert view.person is not None and view.person.surname == "Virtanen"
        assert "case:referral:acknowledge" in view.may
        assert events(s.session, Action.REFERRAL_LISTED, referral.id) == 1
        assert events(s.session, Action.REFERRAL_READ, referral.id) == 1

    def test_the_sender_sees_it_in_the_sent_list(self, s: Scene) -> None:
        referral = s.send()
        assert [r.referral.id for r in referrals.sent_page(s.session, ctx(s.sanna)).rows] == [
            referral.id
        ]
        assert referrals.sent_page(s.session, ctx(s.noora)).rows == []
        assert referrals.inbox_page(s.session, ctx(s.sanna)).rows == []

    def test_another_team_agency_sees_existence_agencies_and_state_only(self, s: Scene) -> None:
        casework.create_disclosure(
            s.session,
            ctx(s.sanna),
            s.case,
            to_agency=s.pol,
            categories=["family"],
            basis="act_812_2000_18",
            justification="Rikosasia.",
            expires_on=work_day(),
        )
        s.build.member(s.case, s.sanna, s.pekka)
        referral = s.send()
        view = referrals.view_referral(s.session, ctx(s.pekka), referral)
        assert not view.content and view.reason is None and view.person is None
        assert all(h.text is None for h in view.history) and view.notes == []
        assert view.referral.state == "sent" and view.may == frozenset()

    def test_an_uninvolved_agency_is_answered_as_if_there_were_none(self, s: Scene) -> None:
        referral = s.send()
        with pytest.raises(PolicyDenied) as refused:
            referrals.view_referral(s.session, ctx(s.jari), referral)
        assert refused.value.decision.reason == Reason.NOT_ON_TEAM
        assert referrals.inbox_page(s.session, ctx(s.jari)).rows == []

    @pytest.mark.parametrize("role", ["auditor", "analyst", "admin"])
    def test_no_content_for_auditors_analysts_and_admins(self, s: Scene, role: str) -> None:
        referral = s.send()
        other = s.build.user(f"x{role}", agency="nuo", role=role)
        with pytest.raises(PolicyDenied) as refused:
            referrals.view_referral(s.session, ctx(other), referral)
        assert refused.value.decision.reason == Reason.ROLE_NO_CONTENT
        with pytest.raises(PolicyDenied):
            referrals.inbox_page(s.session, ctx(other))

    def test_attached_notes_are_read_under_the_note_rule_at_read_time(self, s: Scene) -> None:
        general = s.build.note(s.case, s.sanna, body="Yleinen. DEMO-ATT-GEN")
        family = s.build.note(s.case, s.sanna, body="Perhe. DEMO-ATT-FAM", category="family")
        referral = s.send(attached_note_ids=(general.id, family.id))
        view = referrals.view_referral(s.session, ctx(s.noora), referral)
        assert [body for _n, body in view.notes] == ["Yleinen. DEMO-ATT-GEN"]
        assert view.hidden_notes == 1
        casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Peruttu.")
        # With the consent gone the receiver reads nothing of it: no notes, no person, no
        # reason — its state only (attack on issue 11: the reason and identity code stayed).
        later = referrals.view_referral(s.session, ctx(s.noora), referral)
        assert later.notes == [] and not later.content
        assert later.person is None and later.reason is None
        assert all(entry.text is None for entry in later.history)
        # The sender's agency reads its own notes as ever.
        own = referrals.view_referral(s.session, ctx(s.sanna), referral)
        assert len(own.notes) == 2

    @pytest.mark.parametrize("step", ["decline", "withdraw"])
    def test_a_referral_closed_before_the_receiver_shows_it_its_state_only(
        self, s: Scene, step: str
    ) -> None:
        referral = s.send()
        assert referrals.view_referral(s.session, ctx(s.noora), referral).content
        if step == "decline":
            referrals.decline(
                s.session, ctx(s.noora), referral, reason_code="no_capacity", text="Ei tilaa."
            )
        else:
            referrals.withdraw(s.session, ctx(s.sanna), referral)
        later = referrals.view_referral(s.session, ctx(s.noora), referral)
        assert not later.content and later.person is None and later.reason is None
        assert referrals.view_referral(s.session, ctx(s.sanna), referral).content

    def test_the_overview_counts_in_and_out_for_supervisors_only(self, s: Scene) -> None:
        first, second = s.send(), s.send(urgency="routine")
        referrals.decline(s.session, ctx(s.noora), second, reason_code="duplicate", text="Sama.")
        out = referrals.overview(s.session, ctx(s.siiri))
        assert out.outgoing == {"sent": 1, "declined": 1} and out.incoming == {}
        assert [r.id for r in out.open_out] == [first.id]
        into = referrals.overview(s.session, ctx(s.nelli))
        assert into.incoming == {"sent": 1, "declined": 1} and into.outgoing == {}
        with pytest.raises(PolicyDenied):
            referrals.overview(s.session, ctx(s.noora))


class TestNeedsAssessment:
    @pytest.fixture
    def to_sos(self, s: Scene) -> tuple[Scene, object]:
        """Youth work refers to social services about the minor (the consent covers sos)."""
        s.build.member(s.case, s.sanna, s.noora)
        casework.record_consent(
            s.session,
            ctx(s.sanna),
            s.case,
            casework.ConsentInput(
                given_by="self",
                recipients=(s.sos.id, s.nuo.id),
                categories=("general",),
                purpose="Yhteistyö.",
                how_recorded="written",
            ),
        )
        referral = s.send(by=s.noora, to_agency=s.sos.id)
        return s, referral

    def test_a_referral_to_social_services_about_a_minor_carries_the_clocks(
        self, to_sos: tuple[Scene, object]
    ) -> None:
        _s, referral = to_sos
        assert referral.needs_assessment  # type: ignore[attr-defined]
        assert referral.assessment_start_due_at is not None  # type: ignore[attr-defined]
        assert referral.assessment_complete_due_at > referral.assessment_start_due_at  # type: ignore[attr-defined]

    def test_dates_are_not_back_dated_nor_in_the_future_and_are_recorded_once(
        self, to_sos: tuple[Scene, object]
    ) -> None:
        s, referral = to_sos
        with pytest.raises(PolicyDenied):  # not yet acknowledged
            referrals.record_assessment(s.session, ctx(s.sanna), referral, started_on=work_day())  # type: ignore[arg-type]
        referrals.acknowledge(s.session, ctx(s.sanna), referral)  # type: ignore[arg-type]
        today = work_day()
        for given, field in (
            ({"started_on": today - timedelta(days=1)}, "started_on"),
            ({"started_on": today + timedelta(days=1)}, "started_on"),
            ({"completed_on": today}, "completed_on"),
            ({}, "started_on"),
        ):
            with pytest.raises(InputError) as refused:
                referrals.record_assessment(s.session, ctx(s.sanna), referral, **given)  # type: ignore[arg-type]
            assert refused.value.field == field
        with pytest.raises(PolicyDenied):  # youth work is the sender, not the receiver
            referrals.record_assessment(s.session, ctx(s.noora), referral, started_on=today)  # type: ignore[arg-type]
        referrals.record_assessment(s.session, ctx(s.sanna), referral, started_on=today)  # type: ignore[arg-type]
        with pytest.raises(InputError) as twice:
            referrals.record_assessment(s.session, ctx(s.sanna), referral, started_on=today)  # type: ignore[arg-type]
        assert twice.value.code == "already_recorded"
        referrals.record_assessment(s.session, ctx(s.sanna), referral, completed_on=today)  # type: ignore[arg-type]
        assert referral.assessment_completed_on == today  # type: ignore[attr-defined]

    def test_no_clock_for_an_adult(self, domain_session: Session) -> None:
        s = scene(domain_session, birth_date=date(2000, 1, 1))
        s.build.member(s.case, s.sanna, s.noora)
        casework.record_consent(
            s.session,
            ctx(s.sanna),
            s.case,
            casework.ConsentInput(
                given_by="self",
                recipients=(s.sos.id,),
                categories=("general",),
                purpose="Yhteistyö.",
                how_recorded="written",
            ),
        )
        referral = s.send(by=s.noora, to_agency=s.sos.id)
        assert not referral.needs_assessment and referral.assessment_start_due_at is None


class TestOverdue:
    def test_overdue_first_in_the_inbox_and_marked_on_both_sides(self, s: Scene) -> None:
        on_time, late = s.send(urgency="routine"), s.send(urgency="routine")
        late.sent_at -= timedelta(days=30)
        late.acknowledge_due_at -= timedelta(days=30)
        late.response_due_at -= timedelta(days=30)
        s.session.flush()
        rows = referrals.inbox_page(s.session, ctx(s.noora)).rows
        assert [(r.referral.id, r.overdue) for r in rows] == [(late.id, True), (on_time.id, False)]
        assert referrals.view_referral(s.session, ctx(s.sanna), late).overdue
        assert referrals.overview(s.session, ctx(s.siiri)).overdue_out == 1

    def test_the_assessment_clock_runs_until_its_dates_are_recorded(self, s: Scene) -> None:
        referral = s.send()
        now = referral.sent_at + timedelta(days=200)
        referrals.acknowledge(s.session, ctx(s.noora), referral)
        referrals.accept(s.session, ctx(s.noora), referral)
        assert not referrals.overdue(referral, now)  # no clock: to youth work
        referral.needs_assessment = True
        referral.assessment_start_due_at = referral.sent_at + timedelta(days=9)
        referral.assessment_complete_due_at = referral.sent_at + timedelta(days=90)
        assert referrals.overdue(referral, now)
        referral.assessment_started_on = work_day()
        assert referrals.overdue(referral, now)
        referral.assessment_completed_on = work_day()
        assert not referrals.overdue(referral, now)
        referral.state = "declined"
        assert not referrals.overdue(referral, now)


def test_an_unknown_referral_id_is_not_found(s: Scene) -> None:
    with pytest.raises(InputError) as missing:
        referrals.get_referral(s.session, uuid.uuid4())
    assert missing.value.code == "not_found"
    referral = s.send()
    assert referrals.get_referral(s.session, referral.id) is referral
