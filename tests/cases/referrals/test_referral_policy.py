"""The referral rules as reference tables (issue 11, points 1–3).

Reading and moving a referral on: every role × every relation to the referral × every state,
against expectations written here from the issue's text (not from `cases.policy.referrals`'s
sets). Sending: the rule is "exactly when a note of that category by the sender would be
readable by the receiver", so it is checked against the note reference table
(`tests/data/note_access.csv`) row by row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from cases.policy import Permission, Reason, decide
from cases.policy.facts import CaseFacts, DisclosureFacts, LegalBasis, NoteFacts, Sensitivity
from cases.policy.referrals import ReferralFacts, ReferralProposal, attached_note_decision
from tests.cases.test_note_access import AUTHOR, NOW, READER, ROWS, _facts

ROLES = ["caseworker", "supervisor", "analyst", "auditor", "admin"]
STATES = ["sent", "acknowledged", "accepted", "declined", "completed", "withdrawn"]
RELATIONS = [
    "sender",
    "sending_agency_named",
    "sending_agency_not_named",
    "receiving_agency",
    "receiving_agency_on_team",
    "other_team_agency",
    "other_team_agency_not_named",
    "outsider",
]
S_AGENCY, R_AGENCY, T_AGENCY, U_AGENCY = (uuid.UUID(int=i) for i in (101, 102, 103, 104))
SENDER_ID, ACTOR_ID = uuid.UUID(int=201), uuid.UUID(int=202)
CATEGORY = "general"


@dataclass
class Practitioner:
    role: str
    agency_id: uuid.UUID
    id: uuid.UUID = ACTOR_ID
    active: bool = True


def _scenario(role: str, relation: str, state: str) -> tuple[Practitioner, ReferralFacts]:
    """The actor and the referral for one row: S sent to R; T is another team agency."""
    agencies = {S_AGENCY, T_AGENCY}
    users = {SENDER_ID}
    actor_id, agency = ACTOR_ID, U_AGENCY
    match relation:
        case "sender":
            actor_id, agency = SENDER_ID, S_AGENCY
        case "sending_agency_named":
            agency = S_AGENCY
            users.add(ACTOR_ID)
        case "sending_agency_not_named":
            agency = S_AGENCY
        case "receiving_agency":
            agency = R_AGENCY
        case "receiving_agency_on_team":
            agency = R_AGENCY
            agencies.add(R_AGENCY)
            users.add(ACTOR_ID)
        case "other_team_agency":
            agency = T_AGENCY
            users.add(ACTOR_ID)
        case "other_team_agency_not_named":
            agency = T_AGENCY
        case "outsider":
            pass
    case = CaseFacts(
        id=uuid.uuid4(),
        lead_agency=S_AGENCY,
        member_agencies=frozenset(agencies),
        member_users=frozenset(users),
        agency_kinds={
            S_AGENCY: "police",
            R_AGENCY: "social_services",
            T_AGENCY: "youth_work",
            U_AGENCY: "ngo",
        },
        # A Child Welfare Act §25 notification from S to R covering the category: the basis.
        disclosures=(
            DisclosureFacts(
                S_AGENCY,
                R_AGENCY,
                frozenset({CATEGORY}),
                LegalBasis.CHILD_WELFARE_25,
                NOW - timedelta(days=3),
                NOW + timedelta(days=30),
                uuid.uuid4(),
            ),
        ),
        person_id=uuid.uuid4(),
    )
    referral = ReferralFacts(
        case=case,
        from_agency=S_AGENCY,
        from_user=SENDER_ID,
        to_agency=R_AGENCY,
        state=state,
        category=CATEGORY,
        needs_assessment=True,
        id=uuid.uuid4(),
    )
    return Practitioner(role, agency, actor_id), referral


# --- expectations, from the text ---------------------------------------------------


def _practitioner(role: str) -> bool:
    return role in ("caseworker", "supervisor")


def _sending_side(role: str, relation: str) -> bool:
    # "the sender and the sending agency's practitioners who may work on the case (named team
    # caseworkers, the agency's supervisors)".
    if relation in ("sender", "sending_agency_named"):
        return True
    return relation == "sending_agency_not_named" and role == "supervisor"


def _receiving_side(relation: str) -> bool:
    # "every caseworker and supervisor of the receiving agency, from its inbox".
    return relation in ("receiving_agency", "receiving_agency_on_team")


def _other_team_agency(role: str, relation: str) -> bool:
    if relation == "other_team_agency":
        return True
    return relation == "other_team_agency_not_named" and role == "supervisor"


def expected(role: str, relation: str, state: str, permission: Permission) -> bool:
    if not _practitioner(role):
        return False  # "Auditors, analysts and admins see none of the content."
    sending, receiving = _sending_side(role, relation), _receiving_side(relation)
    if permission == Permission.REFERRAL_READ:
        # The receiving side reads it "from its inbox" because "the referral is what makes the
        # person visible to that agency": once declined or withdrawn it no longer does, unless
        # the agency is on the case team anyway (the demo's R4, declined by sos on P4's team).
        if receiving and state in ("declined", "withdrawn"):
            return relation == "receiving_agency_on_team"
        return sending or receiving
    if permission == Permission.REFERRAL_STATUS_READ:
        return sending or receiving or _other_team_agency(role, relation)
    if permission == Permission.REFERRAL_ACKNOWLEDGE:
        return receiving and state == "sent"
    if permission in (Permission.REFERRAL_ACCEPT, Permission.REFERRAL_DECLINE):
        return receiving and state in ("sent", "acknowledged")
    if permission == Permission.REFERRAL_COMPLETE:
        return receiving and state == "accepted"
    if permission == Permission.REFERRAL_WITHDRAW:
        # "The sender may withdraw while it is open."
        return sending and state in ("sent", "acknowledged", "accepted")
    if permission == Permission.REFERRAL_REOPEN:
        # "A supervisor of the receiving agency may reopen a declined or completed referral."
        return receiving and role == "supervisor" and state in ("declined", "completed")
    if permission == Permission.REFERRAL_ASSESSMENT_RECORD:
        # The receiving agency records the needs-assessment dates once it has the referral.
        return receiving and state in ("acknowledged", "accepted", "completed")
    raise AssertionError(permission)


PERMISSIONS = [
    Permission.REFERRAL_READ,
    Permission.REFERRAL_STATUS_READ,
    Permission.REFERRAL_ACKNOWLEDGE,
    Permission.REFERRAL_ACCEPT,
    Permission.REFERRAL_DECLINE,
    Permission.REFERRAL_COMPLETE,
    Permission.REFERRAL_WITHDRAW,
    Permission.REFERRAL_REOPEN,
    Permission.REFERRAL_ASSESSMENT_RECORD,
]
TABLE = [(r, rel, s) for r in ROLES for rel in RELATIONS for s in STATES]


def test_the_table_covers_every_combination() -> None:
    assert len(TABLE) == 5 * 8 * 6
    assert {p for p in Permission if p.value.startswith("case:referral:")} - set(PERMISSIONS) == {
        Permission.REFERRAL_SEND,  # below, against the note table
        Permission.REFERRAL_INBOX,  # the actor's own agency's inbox: practitioners
    }


@pytest.mark.parametrize(("role", "relation", "state"), TABLE)
def test_referral_access_matches_the_reference_table(role: str, relation: str, state: str) -> None:
    actor, referral = _scenario(role, relation, state)
    for permission in PERMISSIONS:
        decision = decide(actor, permission, referral, NOW)
        assert decision.allowed == expected(role, relation, state, permission), permission
        if not _practitioner(role):
            assert decision.reason == Reason.ROLE_NO_CONTENT
        elif not expected(role, relation, state, Permission.REFERRAL_STATUS_READ):
            # Someone with no part in it is answered as if it did not exist.
            assert decision.reason == Reason.NOT_ON_TEAM


def test_a_closed_case_takes_no_acceptance_or_reopening() -> None:
    actor, referral = _scenario("supervisor", "receiving_agency", "sent")
    closed = replace(referral, case=replace(referral.case, closed=True))
    assert decide(actor, Permission.REFERRAL_ACCEPT, closed, NOW).reason == Reason.CASE_CLOSED
    assert decide(actor, Permission.REFERRAL_DECLINE, closed, NOW)
    finished = replace(closed, state="completed")
    assert decide(actor, Permission.REFERRAL_REOPEN, finished, NOW).reason == Reason.CASE_CLOSED


def test_acceptance_needs_the_basis_still_in_force() -> None:
    actor, referral = _scenario("caseworker", "receiving_agency", "acknowledged")
    lapsed = replace(referral, case=replace(referral.case, disclosures=()))
    assert decide(actor, Permission.REFERRAL_ACCEPT, lapsed, NOW).reason == Reason.NO_BASIS
    # Already on the team (joined otherwise): accepting only names the practitioner.
    member = replace(lapsed, case=replace(lapsed.case, member_agencies=frozenset({R_AGENCY})))
    assert decide(actor, Permission.REFERRAL_ACCEPT, member, NOW)


def test_needs_assessment_dates_only_on_a_referral_with_the_clock() -> None:
    actor, referral = _scenario("caseworker", "receiving_agency", "accepted")
    without = replace(referral, needs_assessment=False)
    decision = decide(actor, Permission.REFERRAL_ASSESSMENT_RECORD, without, NOW)
    assert decision.reason == Reason.NO_ASSESSMENT_CLOCK


# --- sending: the note reference table, row by row ------------------------------------------

# A referral shares what a normal note would, to an agency (not to one user): rows about the
# reader's role, restricted notes, emergency access, the reader's own notes and the team are
# the note rule's other questions.
SEND_ROWS = [
    row
    for row in ROWS
    if row["reader_role"] == "caseworker"
    and row["reader_on_case_team"] == "yes"
    and row["note_author"] == "other_agency"
    and row["sensitivity"] == "normal"
    and row["emergency_access"] == "none"
]


@dataclass
class Sender:
    agency_id: uuid.UUID = AUTHOR
    id: uuid.UUID = uuid.UUID(int=77)
    role: str = "supervisor"
    active: bool = True


def test_the_send_rows_are_many() -> None:
    assert len(SEND_ROWS) > 150
    assert {row["expected"] for row in SEND_ROWS} == {"allow", "deny"}


@pytest.mark.parametrize("row", SEND_ROWS, ids=lambda row: "-".join(list(row.values())[3:9]))
def test_sending_matches_the_note_reference_table(row: dict[str, str]) -> None:
    note = _facts(row)
    # The receiving agency is not on the team: a referral is how it gets there.
    case = replace(
        note.case, member_agencies=frozenset({AUTHOR}), member_users=frozenset({Sender.id})
    )
    proposal = ReferralProposal(case, AUTHOR, READER, row["category"])
    decision = decide(Sender(), Permission.REFERRAL_SEND, proposal, NOW)
    assert (decision.allowed, str(decision.reason)) == (row["expected"] == "allow", row["reason"])
    if decision.allowed:
        kind = decision.basis[0].split(":")[0]
        assert kind == row["reason"]


def _section_11_case(*, expires: datetime, to_kind: str = "youth_work") -> CaseFacts:
    return CaseFacts(
        id=uuid.uuid4(),
        lead_agency=S_AGENCY,
        member_agencies=frozenset({S_AGENCY}),
        member_users=frozenset({SENDER_ID}),
        agency_kinds={S_AGENCY: "police", R_AGENCY: to_kind},
        disclosures=(
            DisclosureFacts(
                S_AGENCY,
                R_AGENCY,
                frozenset(),
                LegalBasis.YOUTH_ACT_11,
                NOW - timedelta(days=1),
                expires,
                uuid.uuid4(),
            ),
        ),
    )


class TestSendingRules:
    sender = Practitioner("caseworker", S_AGENCY, SENDER_ID)

    def test_a_youth_act_11_referral_needs_a_fitting_section_11_disclosure(self) -> None:
        case = _section_11_case(expires=NOW + timedelta(days=5))
        allowed = decide(
            self.sender,
            Permission.REFERRAL_SEND,
            ReferralProposal(case, S_AGENCY, R_AGENCY, None),
            NOW,
        )
        assert allowed.allowed and allowed.basis[0].startswith("disclosure:")
        # §11 releases no notes: a referral with a category is not covered by it.
        general = ReferralProposal(case, S_AGENCY, R_AGENCY, "general")
        assert decide(self.sender, Permission.REFERRAL_SEND, general, NOW).reason == Reason.NO_BASIS
        expired = _section_11_case(expires=NOW - timedelta(days=1))
        proposal = ReferralProposal(expired, S_AGENCY, R_AGENCY, None)
        assert (
            decide(self.sender, Permission.REFERRAL_SEND, proposal, NOW).reason == Reason.NO_BASIS
        )
        # Recorded before the basis table was enforced, to social services: it fits nothing.
        unfit = _section_11_case(expires=NOW + timedelta(days=5), to_kind="social_services")
        proposal = ReferralProposal(unfit, S_AGENCY, R_AGENCY, None)
        assert not decide(self.sender, Permission.REFERRAL_SEND, proposal, NOW)

    def test_not_to_ones_own_agency_nor_from_another(self) -> None:
        case = _section_11_case(expires=NOW + timedelta(days=5))
        own = ReferralProposal(case, S_AGENCY, S_AGENCY, "general")
        assert decide(self.sender, Permission.REFERRAL_SEND, own, NOW).reason == Reason.SAME_AGENCY
        forged = ReferralProposal(case, T_AGENCY, R_AGENCY, None)
        assert (
            decide(self.sender, Permission.REFERRAL_SEND, forged, NOW).reason
            == Reason.NOT_SENDING_SIDE
        )

    def test_only_a_team_member_sends_and_not_on_a_closed_case(self) -> None:
        case = _section_11_case(expires=NOW + timedelta(days=5))
        stranger = Practitioner("caseworker", S_AGENCY, ACTOR_ID)
        proposal = ReferralProposal(case, S_AGENCY, R_AGENCY, None)
        assert (
            decide(stranger, Permission.REFERRAL_SEND, proposal, NOW).reason == Reason.NOT_ON_TEAM
        )
        closed = ReferralProposal(replace(case, closed=True), S_AGENCY, R_AGENCY, None)
        assert (
            decide(self.sender, Permission.REFERRAL_SEND, closed, NOW).reason == Reason.CASE_CLOSED
        )
        for role in ("analyst", "auditor", "admin"):
            other = Practitioner(role, S_AGENCY, SENDER_ID)
            assert (
                decide(other, Permission.REFERRAL_SEND, proposal, NOW).reason
                == Reason.ROLE_NO_CONTENT
            )


class TestAttachedNotes:
    def _note(self, referral: ReferralFacts, category: str = CATEGORY) -> NoteFacts:
        return NoteFacts(referral.case, S_AGENCY, category, Sensitivity.NORMAL, uuid.uuid4())

    def test_the_receiver_reads_an_attachment_as_the_note_rule_allows_now(self) -> None:
        actor, referral = _scenario("caseworker", "receiving_agency", "sent")
        assert attached_note_decision(actor, referral, self._note(referral), NOW)
        # A category the basis does not cover stays hidden, attached or not.
        assert not attached_note_decision(actor, referral, self._note(referral, "family"), NOW)
        # Once the disclosure has expired, the attachment is hidden too.
        later = NOW + timedelta(days=40)
        assert not attached_note_decision(actor, referral, self._note(referral), later)

    def test_a_declined_referral_shows_its_attachments_no_longer(self) -> None:
        actor, referral = _scenario("caseworker", "receiving_agency", "declined")
        assert not attached_note_decision(actor, referral, self._note(referral), NOW)

    def test_a_note_of_another_case_is_never_read_through_a_referral(self) -> None:
        actor, referral = _scenario("caseworker", "receiving_agency", "sent")
        other = NoteFacts(
            replace(referral.case, id=uuid.uuid4()), S_AGENCY, CATEGORY, Sensitivity.NORMAL
        )
        assert attached_note_decision(actor, referral, other, NOW).reason == Reason.NOT_GRANTED

    @pytest.mark.parametrize("relation", ["other_team_agency", "outsider"])
    def test_uninvolved_readers_read_no_attachment(self, relation: str) -> None:
        actor, referral = _scenario("supervisor", relation, "sent")
        assert not attached_note_decision(actor, referral, self._note(referral), NOW)
        auditor = Practitioner("auditor", R_AGENCY)
        assert (
            attached_note_decision(auditor, referral, self._note(referral), NOW).reason
            == Reason.ROLE_NO_CONTENT
        )


def test_now_is_utc() -> None:
    assert NOW.tzinfo == UTC
