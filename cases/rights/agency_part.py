"""An agency's part of the subject access report (GDPR Art. 15; issue 14, point 4).

A supervisor of an agency on the young person's cases prepares the part (every item their
agency holds that the policy lets them read, `cases.rights.agency_part_items`), chooses for
each item to release it or to withhold it with a reason from a fixed list, and produces the
part for the young person or their guardian. Nothing is stored: the part is produced on demand,
and both the preparation and the production are audited with counts, never content. No
guardian version is produced for a young person who forbids disclosure to their guardian.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, Outcome, record
from cases.accounts.models import Agency
from cases.casework.models import Case
from cases.inputs import InputError
from cases.persons.models import Person
from cases.persons.queries import current_details
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import cases_facts
from cases.policy.rights import AgencyPartFacts
from cases.rights.agency_part_items import KINDS, PartItem, Value, collect_items
from core.db import utcnow

__all__ = [
    "AgencyPart",
    "Choice",
    "GuardianVersionRefused",
    "ProducedPart",
    "Recipient",
    "WithholdReason",
    "prepare_part",
    "produce_part",
]


class Recipient(StrEnum):
    YOUNG_PERSON = "young_person"
    GUARDIAN = "guardian"


class Choice(StrEnum):
    RELEASE = "release"
    WITHHOLD = "withhold"


class WithholdReason(StrEnum):
    """The fixed grounds on which an agency withholds an item (GDPR Art. 15(4) and 23, the
    Act on the Openness of Government Activities 621/1999 §11 and §24)."""

    THIRD_PARTY = "third_party_data"
    ENDANGERS = "endangers_young_person_or_another"
    PRE_TRIAL_SECRECY = "police_investigation_pre_trial_secrecy"
    OTHER_AUTHORITY = "statutory_secrecy_of_another_authority"


class GuardianVersionRefused(Exception):
    """The young person forbids disclosure to their guardian: no guardian version exists."""


@dataclass(frozen=True)
class AgencyPart:
    """What a supervisor may release: the person, their agency and the items, in `KINDS`
    order."""

    person: Person
    agency: Agency
    items: list[PartItem]
    forbids_guardian_disclosure: bool

    def by_kind(self) -> list[tuple[str, list[PartItem]]]:
        return [(k, [i for i in self.items if i.kind == k]) for k in KINDS]


@dataclass(frozen=True)
class ProducedPart:
    """The released items only; the withheld ones appear as counts by reason."""

    person_id: uuid.UUID
    agency: Agency
    recipient: Recipient
    produced_at: datetime
    released: list[PartItem]
    withheld: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "report": "subject_access_agency_part",
            "person_id": str(self.person_id),
            "agency": self.agency.name,
            "recipient": str(self.recipient),
            "produced_at": self.produced_at.isoformat(),
            "items": [
                {
                    "kind": item.kind,
                    "id": str(item.id),
                    "case_id": str(item.case_id) if item.case_id else None,
                    "fields": {key: _plain(value) for key, value in item.fields},
                }
                for item in self.released
            ],
            "withheld_by_reason": dict(sorted(self.withheld.items())),
        }


def _plain(value: Value) -> object:
    """A field's value as JSON holds it (days and moments in ISO 8601)."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def _load(
    session: Session, ctx: AuditContext, person_id: uuid.UUID, rules: CaseRules, now: datetime
) -> AgencyPart:
    """The part as the policy lets the actor see it now (`PolicyDenied` otherwise: a person
    who does not exist is refused like one the actor's agency has no case of)."""
    person = session.get(Person, person_id)
    cases = (
        session.scalars(select(Case).where(Case.person_id == person_id)).all()
        if person is not None
        else []
    )
    facts = cases_facts(session, cases, now, rules)
    about = AgencyPartFacts(
        person_id, tuple(facts.values()), erased=person is None or person.erased_at is not None
    )
    authorize(ctx.actor, Permission.SUBJECT_ACCESS_AGENCY_PART, about, now)
    assert ctx.actor is not None and person is not None  # noqa: S101 - the policy allowed it
    agency = session.get(Agency, ctx.actor.agency_id)
    assert agency is not None  # noqa: S101 - a foreign key
    details = current_details(session, person)
    items = collect_items(session, ctx.actor, person, details, facts, now)
    return AgencyPart(
        person, agency, items, bool(details is not None and details.forbids_guardian_disclosure)
    )


def _counts(prefix: str, items: list[PartItem]) -> dict[str, int]:
    """Counts by kind as flat audit details (`items_note: 3`): numbers, never content."""
    return {f"{prefix}_{kind}": n for kind, n in sorted(Counter(i.kind for i in items).items())}


def _audit(
    session: Session,
    ctx: AuditContext,
    action: Action,
    person: Person,
    details: Mapping[str, object],
) -> None:
    """An event about the person (their access report lists it) with counts only."""
    record(
        session,
        ctx,
        action,
        object_type="person",
        object_id=person.id,
        subject=person.id,
        bases=["agency_supervisor"],
        extra=details,
    )


def prepare_part(
    session: Session,
    ctx: AuditContext,
    person_id: uuid.UUID,
    *,
    rules: CaseRules = DEFAULT_RULES,
    now: datetime | None = None,
) -> AgencyPart:
    """The items to choose from (shown to the supervisor: a read, audited with counts)."""
    now = now or utcnow()
    part = _load(session, ctx, person_id, rules, now)
    _audit(
        session,
        ctx,
        Action.SUBJECT_ACCESS_PART_PREPARED,
        part.person,
        {"items": len(part.items), **_counts("items", part.items)},
    )
    return part


def produce_part(
    session: Session,
    ctx: AuditContext,
    person_id: uuid.UUID,
    recipient: str,
    choices: Mapping[str, tuple[str, str]],
    *,
    output: str = "html",
    rules: CaseRules = DEFAULT_RULES,
    now: datetime | None = None,
) -> ProducedPart:
    """The part with the items released by `choices` (item token -> (choice, reason)).

    Every item of the part needs its own choice, a withheld item a reason from
    `WithholdReason`, and no choice may name an item outside the part (another person's, or
    another agency's): `InputError` otherwise, and nothing is produced. A guardian version of a
    young person who forbids it is refused (`GuardianVersionRefused`), after auditing the
    refusal in the caller's transaction.
    """
    now = now or utcnow()
    if recipient not in Recipient.__members__.values():
        raise InputError("invalid_recipient", "recipient")
    part = _load(session, ctx, person_id, rules, now)
    if recipient == Recipient.GUARDIAN and part.forbids_guardian_disclosure:
        record(
            session,
            ctx,
            Action.SUBJECT_ACCESS_PART_REFUSED,
            object_type="person",
            object_id=part.person.id,
            subject=part.person.id,
            outcome=Outcome.DENIED,
            recipient=str(recipient),
            reason="forbids_guardian_disclosure",
        )
        raise GuardianVersionRefused
    released, withheld = _decide(part.items, choices)
    details: dict[str, object] = {
        "recipient": str(recipient),
        "output": "json" if output == "json" else "html",
        "released": len(released),
        "withheld": sum(withheld.values()),
        **_counts("released", released),
        **{f"withheld_{reason}": n for reason, n in sorted(withheld.items())},
    }
    _audit(session, ctx, Action.SUBJECT_ACCESS_PART_PRODUCED, part.person, details)
    return ProducedPart(part.person.id, part.agency, Recipient(recipient), now, released, withheld)


def _decide(
    items: list[PartItem], choices: Mapping[str, tuple[str, str]]
) -> tuple[list[PartItem], dict[str, int]]:
    tokens = {item.token for item in items}
    if any(token not in tokens for token in choices):
        raise InputError("unknown_item", "items")
    released: list[PartItem] = []
    withheld: Counter[str] = Counter()
    for item in items:
        choice, reason = choices.get(item.token, ("", ""))
        if choice == Choice.RELEASE:
            released.append(item)
        elif choice == Choice.WITHHOLD:
            if not reason:
                raise InputError("reason_required", item.token)
            if reason not in WithholdReason.__members__.values():
                raise InputError("invalid_reason", item.token)
            withheld[reason] += 1
        else:
            raise InputError("choice_required", item.token)
    return released, dict(withheld)
