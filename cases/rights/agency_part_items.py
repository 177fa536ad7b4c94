"""The items of an agency's part of the subject access report (issue 14, point 4): what the
producing supervisor's agency holds about the young person, each item asked of the policy with
the permission that already governs it, so the part shows nothing the policy hides.

- the register data (`PERSON_READ`): the current details, as the person page shows them;
- each case the agency is on now (`CASE_READ`), with its consents and disclosures as the case
  page shows them (no purpose or justification text: the case page does not show it either);
- referrals the agency sent or received on the person's cases (`REFERRAL_READ`);
- case notes, minute entries, action items and addenda the agency wrote (`NOTE_READ`; minute
  items as notes of their category by their writer's agency), every version.

Another agency's records, a case the agency is not on and anything the policy denies are left
out; items are listed oldest first within each kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audit.events import Actor
from cases.accounts.models import Agency
from cases.casework.models import Case, CaseNote, Consent, Disclosure
from cases.meetings.models import ActionItem, Addendum, Meeting, MinuteEntry
from cases.persons.models import Person
from cases.persons.queries import PersonDetails
from cases.policy import Permission, decide
from cases.policy.facts import CaseFacts
from cases.policy.loading import note_facts, person_facts
from cases.policy.meetings import minute_note
from cases.policy.referrals import referral_facts
from cases.referrals.models import Referral

# The kinds of item, in the order the part lists them.
KINDS = (
    "register",
    "case",
    "consent",
    "disclosure",
    "referral",
    "note",
    "minute_entry",
    "action_item",
    "addendum",
)

Value = str | int | bool | list[str] | date | datetime | None


@dataclass(frozen=True)
class PartItem:
    """One record in the part: its kind, id, case, when, and its fields (plain values; agency
    ids already replaced by their names)."""

    kind: str
    id: uuid.UUID
    case_id: uuid.UUID | None
    at: datetime | date | None
    fields: tuple[tuple[str, Value], ...]

    @property
    def token(self) -> str:
        """The item's name in the release form: its kind and id."""
        return f"{self.kind}:{self.id}"


def _names(agencies: dict[uuid.UUID, Agency], ids: Iterable[uuid.UUID | str]) -> list[str]:
    found = (agencies.get(uuid.UUID(str(i))) for i in ids)
    return [a.name for a in found if a is not None]


def collect_items(
    session: Session,
    actor: Actor,
    person: Person,
    details: PersonDetails | None,
    facts: dict[uuid.UUID, CaseFacts],
    now: datetime,
) -> list[PartItem]:
    """Every item of the actor's agency's part the policy lets the actor read now (`details`:
    the person's current register data, read once by the caller)."""
    agency_id = actor.agency_id
    items: list[PartItem] = []
    if decide(actor, Permission.PERSON_READ, person_facts(session, person, now), now):
        items.extend(_register(person, details))
    readable = {
        case_id: f
        for case_id, f in facts.items()
        if decide(actor, Permission.CASE_READ, f, now).allowed
    }
    ids = list(readable)
    cases = session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.opened_at)).all()
    consents = session.scalars(
        select(Consent).where(Consent.case_id.in_(ids)).order_by(Consent.valid_from)
    ).all()
    disclosures = session.scalars(
        select(Disclosure).where(Disclosure.case_id.in_(ids)).order_by(Disclosure.granted_at)
    ).all()
    referrals = _referrals(session, actor, person, facts, now)
    agencies = _agencies(
        session,
        {a for case in cases for a in (case.lead_agency_id, *readable[case.id].member_agencies)}
        | {uuid.UUID(str(r)) for consent in consents for r in consent.recipients}
        | {a for d in disclosures for a in (d.from_agency_id, d.to_agency_id)}
        | {a for r in referrals for a in (r.from_agency_id, r.to_agency_id)},
    )
    items.extend(_case(case, readable[case.id], agencies) for case in cases)
    items.extend(_consent(consent, agencies) for consent in consents)
    items.extend(_disclosure(disclosure, agencies) for disclosure in disclosures)
    items.extend(_referral(referral, agencies) for referral in referrals)
    notes = session.scalars(
        select(CaseNote)
        .where(CaseNote.case_id.in_(ids), CaseNote.author_agency_id == agency_id)
        .order_by(CaseNote.created_at)
    )
    for note in notes:
        if decide(actor, Permission.NOTE_READ, note_facts(readable[note.case_id], note), now):
            items.append(_note(note))
    items.extend(_minutes(session, actor, readable, now))
    return items


def _agencies(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Agency]:
    """The agencies the items name, with one statement (never every agency)."""
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(ids)))}


def _register(person: Person, details: PersonDetails | None) -> list[PartItem]:
    if details is None:
        return []
    fields: tuple[tuple[str, Value], ...] = (
        ("given_names", details.given_names),
        ("surname", details.surname),
        ("birth_date", details.birth_date),
        ("identity_code", details.identity_code),
        ("municipality", details.municipality),
        ("postal_code", details.postal_code),
        ("phone", details.phone),
        ("email", details.email),
        ("guardians", [f"{g.name} {g.contact}".strip() for g in details.guardians]),
        ("mother_tongue", details.mother_tongue),
        ("forbids_guardian_disclosure", details.forbids_guardian_disclosure),
        ("registered_at", person.registered_at),
    )
    return [PartItem("register", person.id, None, person.registered_at, fields)]


def _case(case: Case, facts: CaseFacts, agencies: dict[uuid.UUID, Agency]) -> PartItem:
    fields: tuple[tuple[str, Value], ...] = (
        ("lead_agency", _names(agencies, [case.lead_agency_id])[0]),
        ("team_agencies", sorted(_names(agencies, facts.member_agencies))),
        ("status", case.status),
        ("concern_codes", list(case.concern_codes)),
        ("opened_at", case.opened_at),
        ("closed_at", case.closed_at),
        ("outcome", case.outcome),
    )
    return PartItem("case", case.id, case.id, case.opened_at, fields)


def _consent(consent: Consent, agencies: dict[uuid.UUID, Agency]) -> PartItem:
    fields: tuple[tuple[str, Value], ...] = (
        ("given_by", consent.given_by),
        ("given_on", consent.given_on),
        ("valid_from", consent.valid_from),
        ("valid_until", consent.valid_until),
        ("recipients", _names(agencies, consent.recipients)),
        ("categories", list(consent.categories)),
        ("how_recorded", consent.how_recorded),
        ("late_entry_reason", consent.late_entry_reason),
        ("withdrawn_at", consent.withdrawn_at),
    )
    return PartItem("consent", consent.id, consent.case_id, consent.given_on, fields)


def _disclosure(disclosure: Disclosure, agencies: dict[uuid.UUID, Agency]) -> PartItem:
    fields: tuple[tuple[str, Value], ...] = (
        ("from_agency", _names(agencies, [disclosure.from_agency_id])[0]),
        ("to_agency", _names(agencies, [disclosure.to_agency_id])[0]),
        ("basis", disclosure.basis),
        ("categories", list(disclosure.categories)),
        ("granted_at", disclosure.granted_at),
        ("expires_at", disclosure.expires_at),
    )
    return PartItem("disclosure", disclosure.id, disclosure.case_id, disclosure.granted_at, fields)


def _referrals(
    session: Session,
    actor: Actor,
    person: Person,
    facts: dict[uuid.UUID, CaseFacts],
    now: datetime,
) -> list[Referral]:
    """Referrals the actor's agency sent or received on any of the person's cases (a received
    referral may be on a case the agency never joined), each as `REFERRAL_READ` decides."""
    rows = session.scalars(
        select(Referral)
        .where(
            Referral.person_id == person.id,
            or_(
                Referral.from_agency_id == actor.agency_id,
                Referral.to_agency_id == actor.agency_id,
            ),
        )
        .order_by(Referral.sent_at)
    )
    readable = []
    for referral in rows:
        about = referral_facts(referral, facts[referral.case_id])
        if decide(actor, Permission.REFERRAL_READ, about, now):
            readable.append(referral)
    return readable


def _referral(referral: Referral, agencies: dict[uuid.UUID, Agency]) -> PartItem:
    fields: tuple[tuple[str, Value], ...] = (
        ("from_agency", _names(agencies, [referral.from_agency_id])[0]),
        ("to_agency", _names(agencies, [referral.to_agency_id])[0]),
        ("sent_at", referral.sent_at),
        ("urgency", referral.urgency),
        ("category", referral.category),
        ("state", referral.state),
        ("decline_reason", referral.decline_reason),
        ("reason", referral.reason),
    )
    return PartItem("referral", referral.id, referral.case_id, referral.sent_at, fields)


def _note(note: CaseNote) -> PartItem:
    fields: tuple[tuple[str, Value], ...] = (
        ("created_at", note.created_at),
        ("category", note.category),
        ("sensitivity", note.sensitivity),
        ("corrects", str(note.supersedes_id) if note.supersedes_id else None),
        ("text", note.body),
    )
    return PartItem("note", note.id, note.case_id, note.created_at, fields)


def _minutes(
    session: Session, actor: Actor, readable: dict[uuid.UUID, CaseFacts], now: datetime
) -> list[PartItem]:
    """The minute entries, action items and addenda the actor's agency wrote on its cases."""
    ids, agency_id = list(readable), actor.agency_id
    items: list[PartItem] = []

    def allowed(case_id: uuid.UUID, author: uuid.UUID, category: str) -> bool:
        note = minute_note(readable[case_id], author, category)
        return decide(actor, Permission.NOTE_READ, note, now).allowed

    entries = session.execute(
        select(MinuteEntry, Meeting.starts_at)
        .join(Meeting, Meeting.id == MinuteEntry.meeting_id)
        .where(MinuteEntry.case_id.in_(ids), MinuteEntry.author_agency_id == agency_id)
        .order_by(MinuteEntry.created_at)
    )
    for entry, starts_at in entries:
        if allowed(entry.case_id, entry.author_agency_id, entry.category):
            fields: tuple[tuple[str, Value], ...] = (
                ("meeting_at", starts_at),
                ("entry_kind", entry.kind),
                ("category", entry.category),
                ("corrects", str(entry.supersedes_id) if entry.supersedes_id else None),
                ("text", entry.body),
            )
            items.append(PartItem("minute_entry", entry.id, entry.case_id, starts_at, fields))
    actions = session.execute(
        select(ActionItem, Meeting.starts_at)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.case_id.in_(ids), ActionItem.author_agency_id == agency_id)
        .order_by(ActionItem.created_at)
    )
    for action, starts_at in actions:
        if allowed(action.case_id, action.author_agency_id, action.category):
            fields = (
                ("meeting_at", starts_at),
                ("category", action.category),
                ("due_on", action.due_on),
                ("status", action.status),
                ("text", action.description),
            )
            items.append(PartItem("action_item", action.id, action.case_id, starts_at, fields))
    addenda = session.scalars(
        select(Addendum)
        .where(Addendum.case_id.in_(ids), Addendum.author_agency_id == agency_id)
        .order_by(Addendum.created_at)
    )
    for addendum in addenda:
        if allowed(addendum.case_id, addendum.author_agency_id, addendum.category):
            fields = (
                ("created_at", addendum.created_at),
                ("category", addendum.category),
                ("text", addendum.text),
            )
            items.append(
                PartItem("addendum", addendum.id, addendum.case_id, addendum.created_at, fields)
            )
    return items
