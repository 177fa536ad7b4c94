"""One young person of a chunk: registration, a data key, the current version and its blind
indexes, a case with its team, a consent or a disclosure, five notes, maybe a closure, and the
audit events and statistics facts the application would have written for all of it."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from audit.events import Action
from cases.accounts.models import AgencyKind
from cases.casework.models import (
    Case,
    CaseNote,
    CaseStatus,
    ConcernCode,
    Outcome,
    TeamAgency,
    TeamUser,
)
from cases.generate import sharing, texts
from cases.generate.plan import (
    GIVEN_NAMES,
    MUNICIPALITIES,
    SURNAMES,
    Plan,
    at_hour,
    birth_date_of,
    identity_code,
    person_id,
)
from cases.generate.population import LEAD_KINDS, GeneratedAgency, Member, Population
from cases.generate.rows import Chunk, PersonKey
from cases.generate.sketch import TEAM, Sketch, between, fact, on_case
from cases.persons.models import (
    IDENTITY_CODE_INDEX,
    NAME_BIRTH_INDEX,
    MotherTongue,
    Person,
    PersonIndexEntry,
    PersonVersion,
)
from cases.policy import Reason
from cases.policy.facts import Category, Sensitivity
from cases.policy.sharing import age_on
from cases.statistics.models import FactEvent
from core import crypto
from core.fields import Encrypted, normalise_name

NOTES_PER_CASE = 5
EVENTS_PER_PERSON = 20
CLOSED_SHARE = 0.2
RESTRICTED_SHARE = 0.1
_LEAD_CATEGORIES = (Category.GENERAL, Category.GENERAL, Category.FAMILY, Category.EDUCATION)
_TONGUES = (*[MotherTongue.FINNISH.value] * 8, MotherTongue.SWEDISH.value, MotherTongue.OTHER.value)


def _agencies(
    people: Population, rng: random.Random, number: int
) -> tuple[GeneratedAgency, GeneratedAgency]:
    if number % 4 == sharing.DISCLOSED:
        return (
            people.of_kind(AgencyKind.POLICE, number),
            people.of_kind(AgencyKind.SOCIAL_SERVICES, number),
        )
    kinds = [kind for kind, _ in LEAD_KINDS]
    lead = rng.choices(kinds, weights=[weight for _, weight in LEAD_KINDS])[0]
    partner = rng.choice([kind for kind in people.by_kind if kind != lead])
    return people.of_kind(lead, number), people.of_kind(partner, number)


def _postal_code(rng: random.Random, municipality: str) -> str:
    first = {"Espoo": "02", "Vantaa": "01", "Kauniainen": "02"}.get(municipality, "00")
    return f"{first}{rng.randrange(10, 99)}0"


def _register(
    chunk: Chunk, plan: Plan, number: int, key: PersonKey, user: Member, at: datetime
) -> tuple[str, str, date]:
    """The person, their data key, version 1 and its blind indexes; (given name, postal code,
    birth date)."""
    rng, pid = chunk.rng, key.person_id
    code = identity_code(plan.seed, number)
    born = birth_date_of(code)
    given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
    municipality = rng.choice(MUNICIPALITIES)
    postal = _postal_code(rng, municipality)
    chunk.add(
        Person,
        id=pid,
        registered_by_agency_id=user.agency_id,
        registered_by_user_id=user.id,
        registered_at=at,
        current_version=1,
    )
    chunk.rows["data_keys"].append(key.data_key_row(chunk.keys, chunk.new_id(), at))
    adult = age_on(born, at.date()) >= 18
    guardian = {"name": f"{rng.choice(GIVEN_NAMES)} {surname}", "contact": ""}
    values: dict[Encrypted[Any], Any] = {
        PersonVersion.given_names: given,
        PersonVersion.surname: surname,
        PersonVersion.birth_date: born,
        PersonVersion.identity_code: code,
        PersonVersion.municipality: municipality,
        PersonVersion.postal_code: postal,
        PersonVersion.guardians: [] if adult else [guardian],
        PersonVersion.mother_tongue: rng.choice(_TONGUES),
        PersonVersion.forbids_guardian_disclosure: False,
    }
    version, table = chunk.new_id(), PersonVersion.__tablename__
    chunk.add(
        PersonVersion,
        id=version,
        person_id=pid,
        version=1,
        created_at=at,
        created_by_user_id=user.id,
        **{field.column: key.seal(field, table, version, value) for field, value in values.items()},
    )
    name_key = f"{normalise_name(surname)}|{born.isoformat()}"
    for index, value in ((IDENTITY_CODE_INDEX, code), (NAME_BIRTH_INDEX, name_key)):
        chunk.add(
            PersonIndexEntry,
            person_id=pid,
            index_name=index.name,
            value=index.value(chunk.keys, value),
        )
    chunk.event(
        user,
        Action.PERSON_CREATED,
        at,
        object_type="person",
        object_id=pid,
        subject=pid,
        bases=(str(Reason.REGISTERING_AGENCY),),
        temporary_identity_code=True,
        has_identity_code=True,
        confirmed_duplicates=0,
    )
    return given, postal, born


def person(chunk: Chunk, plan: Plan, people: Population, number: int, anchor: datetime) -> Sketch:
    """Add one young person and their case to the chunk."""
    rng = chunk.rng
    key = PersonKey(person_id(plan.seed, number), crypto.new_data_key())
    lead, partner = _agencies(people, rng, number)
    lead_user, partner_user = rng.choice(lead.caseworkers), rng.choice(partner.caseworkers)
    registered = at_hour((anchor - timedelta(days=rng.randint(30, 1000))).date(), rng)
    given, postal, born = _register(chunk, plan, number, key, lead_user, registered)
    opened = registered + timedelta(minutes=rng.randint(5, 90))
    closed = rng.random() < CLOSED_SHARE
    until = min(anchor, opened + timedelta(days=rng.randint(60, 600))) if closed else anchor
    concerns = tuple(sorted({c.value for c in rng.sample(list(ConcernCode), rng.randint(1, 2))}))
    sketch = Sketch(
        number=number,
        person_id=key.person_id,
        case_id=chunk.new_id(),
        key=key,
        given_names=given,
        lead=lead,
        lead_user=lead_user,
        partner=partner,
        partner_user=partner_user,
        opened_at=opened,
        until=until,
        consent_id=None,
        disclosure_id=None,
        concerns=concerns,
        born=born,
        postal_code=postal,
    )
    sketch = _case(chunk, sketch, closed)
    _notes(chunk, sketch)
    _reads(chunk, sketch)
    return sketch


def _case(chunk: Chunk, sketch: Sketch, closed: bool) -> Sketch:
    rng, at, lead_user = chunk.rng, sketch.opened_at, sketch.lead_user
    outcome = rng.choice(list(Outcome)).value if closed else None
    chunk.add(
        Case,
        id=sketch.case_id,
        person_id=sketch.person_id,
        lead_agency_id=sketch.lead.id,
        status=(CaseStatus.CLOSED if closed else CaseStatus.OPEN).value,
        concern_codes=list(sketch.concerns),
        opened_at=at,
        opened_by_user_id=lead_user.id,
        closed_at=sketch.until if closed else None,
        outcome=outcome,
        legal_hold=False,
    )
    on_case(
        chunk,
        lead_user,
        Action.CASE_OPENED,
        at,
        sketch,
        "case",
        sketch.case_id,
        concerns=list(sketch.concerns),
    )
    fact(chunk, FactEvent.CASE_OPENED, at, sketch)
    chunk.add(
        TeamAgency,
        case_id=sketch.case_id,
        agency_id=sketch.lead.id,
        start_at=at,
        added_by_user_id=lead_user.id,
        basis="lead",
    )
    chunk.add(TeamUser, case_id=sketch.case_id, user_id=lead_user.id, start_at=at)
    shared = at + timedelta(minutes=rng.randint(2, 30))
    if sketch.number % 4 == sharing.DISCLOSED:
        sketch = replace(sketch, disclosure_id=sharing.disclosure(chunk, sketch, shared))
        basis = f"disclosure:{sketch.disclosure_id}"
    else:
        sketch = replace(sketch, consent_id=sharing.consent(chunk, sketch, shared))
        basis = f"consent:{sketch.consent_id}"
    joined = shared + timedelta(minutes=1)
    chunk.add(
        TeamAgency,
        case_id=sketch.case_id,
        agency_id=sketch.partner.id,
        start_at=joined,
        added_by_user_id=lead_user.id,
        basis=basis,
    )
    chunk.add(TeamUser, case_id=sketch.case_id, user_id=sketch.partner_user.id, start_at=joined)
    on_case(
        chunk,
        lead_user,
        Action.CASE_TEAM_CHANGED,
        joined,
        sketch,
        "case",
        sketch.case_id,
        (*TEAM, basis),
        added_agency=sketch.partner.code,
    )
    on_case(
        chunk,
        lead_user,
        Action.CASE_TEAM_CHANGED,
        joined,
        sketch,
        "case",
        sketch.case_id,
        added_user=sketch.partner_user.username,
    )
    if closed:
        sharing.closure(chunk, sketch, outcome or Outcome.OTHER.value)
    return sketch


def _notes(chunk: Chunk, sketch: Sketch) -> None:
    """Five notes between the opening and the closure (or now), lead and partner in turn."""
    rng = chunk.rng
    start = sketch.opened_at + timedelta(hours=1)
    moments = sorted(between(rng, start, sketch.until) for _ in range(NOTES_PER_CASE))
    for index, at in enumerate(moments):
        by_partner = index % 2 == 1
        user = sketch.partner_user if by_partner else sketch.lead_user
        agency = sketch.partner if by_partner else sketch.lead
        category = (
            sharing.PARTNER_CATEGORY.get(agency.kind, Category.GENERAL)
            if by_partner
            else rng.choice(_LEAD_CATEGORIES)
        ).value
        restricted = rng.random() < RESTRICTED_SHARE
        sensitivity = (Sensitivity.RESTRICTED if restricted else Sensitivity.NORMAL).value
        note_id = chunk.new_id()
        body = texts.note_body(rng, sketch.given_names)
        chunk.add(
            CaseNote,
            id=note_id,
            person_id=sketch.person_id,
            case_id=sketch.case_id,
            author_user_id=user.id,
            author_agency_id=agency.id,
            category=category,
            sensitivity=sensitivity,
            created_at=at,
            supersedes_id=None,
            body=sketch.key.seal(CaseNote.body, CaseNote.__tablename__, note_id, body),
        )
        on_case(
            chunk,
            user,
            Action.NOTE_WRITTEN,
            at,
            sketch,
            "case_note",
            note_id,
            category=category,
            sensitivity=sensitivity,
            correction=False,
        )


def _reads(chunk: Chunk, sketch: Sketch) -> None:
    """A search and reads by the team (details, the case page), up to the person's share of
    the audit log."""
    rng, pid = chunk.rng, sketch.person_id
    written = sum(
        1 for e in chunk.rows["audit_events"][-EVENTS_PER_PERSON:] if e["subject_id"] == pid
    )
    searcher = sketch.partner_user
    searched = between(rng, sketch.opened_at, sketch.until)
    chunk.event(
        searcher, Action.PERSON_SEARCHED, searched, object_type="person", by="identity_code", hits=1
    )
    on_case(
        chunk, searcher, Action.PERSON_READ, searched, sketch, "person", pid, view="search_result"
    )
    for _ in range(max(0, EVENTS_PER_PERSON - written - 2)):
        user = rng.choice((sketch.lead_user, sketch.partner_user))
        at = between(rng, sketch.opened_at, sketch.until)
        if rng.random() < 0.25:
            on_case(
                chunk,
                user,
                Action.PERSON_READ,
                at,
                sketch,
                "person",
                pid,
                view="details",
                erased=False,
            )
        else:
            on_case(chunk, user, Action.CASE_READ, at, sketch, "case", sketch.case_id)
