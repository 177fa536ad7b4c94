"""The demo data set (`flask demo seed`): agencies, users and their TOTP enrolment.

It follows the issues to the letter; later issues add their parts here, each once.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypedDict

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts import admin as admin_services
from cases.accounts import release, totp
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.accounts.passwords import Passwords, password_problems
from cases.casework import services as casework
from cases.casework.models import Case
from cases.persons import services as persons
from cases.persons.models import MotherTongue, Person
from cases.persons.services import Guardian, PersonDetails
from cases.policy import CliActor, credential_needs_release
from cases.policy.facts import DEFAULT_RULES, Category, LegalBasis
from cases.policy.sharing import local_day
from core.db import utcnow
from core.keyring import KeyProvider

DEMO_AGENCIES = [
    ("sos", "Helsingin kaupunki, sosiaalipalvelut", "social_services"),
    ("nuo", "Helsingin kaupunki, nuorisopalvelut", "youth_work"),
    ("pol", "Helsingin poliisilaitos", "police"),
    ("ngo", "Nuorten Tuki ry", "ngo"),
    ("tur", "Kaupunginkanslia, turvallisuus- ja valmiusyksikkö", "coordination"),
]

DEMO_USERS = [
    ("sanna", "Sanna Saarinen", "caseworker", "sos"),
    ("helena", "Helena Heikkilä", "supervisor", "sos"),
    ("noora", "Noora Nieminen", "caseworker", "nuo"),
    ("nelli", "Nelli Nurmi", "supervisor", "nuo"),
    ("pekka", "Pekka Peltonen", "caseworker", "pol"),
    ("petri", "Petri Pelkonen", "supervisor", "pol"),
    ("jari", "Jari Järvinen", "caseworker", "ngo"),
    ("aino", "Aino Aalto", "auditor", "tur"),
    ("timo", "Timo Turunen", "analyst", "tur"),
    ("admin", "Ylläpitäjä", "admin", "tur"),
]


# Issue 5's scenario: the young people and who registered them (cases, consents and notes are
# added with the case issue). Fictional people; the codes are valid test codes.
DEMO_PERSONS = [
    # (marker, given names, surname, birth date, identity code, registering user, guardians)
    ("P1", "Eetu", "Esimerkki", date(2010, 3, 14), "140310A1230", "sanna", ()),
    ("P2", "Venla", "Virtanen", date(2012, 6, 2), "020612A2465", "sanna", ("Mari Virtanen",)),
    ("P3", "Oskari", "Ojala", date(2009, 9, 9), "090909A357W", "noora", ()),
    ("P4", "Lumi", "Laine", date(2011, 4, 20), "200411A4682", "pekka", ()),
]


class DemoAccount(TypedDict):
    username: str
    password: str
    totp_secret: str
    role: str
    agency: str


def _new_demo_password(username: str) -> str:
    while True:
        candidate = secrets.token_urlsafe(12)
        if not password_problems(candidate, username):
            return candidate


def seed(session: Session, keys: KeyProvider, passwords: Passwords) -> list[DemoAccount]:
    """Create whatever part of the demo data is missing; return the demo accounts."""
    ctx = AuditContext(CliActor("demo seed"))
    agencies_created = users_created = 0
    for code, name, kind in DEMO_AGENCIES:
        if accounts.get_agency_by_code(session, code) is None:
            admin_services.create_agency(session, ctx, code, name, kind)
            agencies_created += 1
    for username, display_name, role, agency_code in DEMO_USERS:
        if accounts.get_user_by_username(session, username) is not None:
            continue
        agency = accounts.get_agency_by_code(session, agency_code)
        assert agency is not None  # noqa: S101 - created above
        password = _new_demo_password(username)
        user, _ = admin_services.create_user(
            session,
            ctx,
            passwords,
            username=username,
            display_name=display_name,
            agency=agency,
            role=role,
            password=password,
        )
        accounts.store_demo_password(session, keys, user, password)
        accounts.enrol_totp_secret(session, keys, user, totp.new_secret())
        if credential_needs_release(role):
            # Practitioners come released (by the seed command), so the demo logins work.
            release.record_seeded_release(session, ctx, user)
        users_created += 1
    persons_created = _seed_persons(session)
    cases_created = _seed_cases(session)
    if agencies_created or users_created or persons_created or cases_created:
        # A re-run that creates nothing changes nothing, not even the audit log.
        record(
            session,
            ctx,
            Action.DEMO_SEEDED,
            agencies_created=agencies_created,
            users_created=users_created,
            persons_created=persons_created,
            cases_created=cases_created,
        )
    return demo_accounts(session, keys)


def _seed_persons(session: Session) -> int:
    created = 0
    for _marker, given, surname, born, code, username, guardians in DEMO_PERSONS:
        if persons.find_by_identity_code(session, code) is not None:
            continue
        registrar = accounts.get_user_by_username(session, username)
        assert registrar is not None  # noqa: S101 - created above
        # The registering user is the actor so the person belongs to their agency; the request
        # id marks these events as the seed's.
        persons.register(
            session,
            AuditContext(registrar, request_id="demo-seed"),
            PersonDetails(
                given_names=given,
                surname=surname,
                birth_date=born,
                identity_code=code,
                municipality="Helsinki",
                guardians=tuple(Guardian(name) for name in guardians),
                mother_tongue=MotherTongue.FINNISH,
            ),
            confirmed=True,
        )
        created += 1
    return created


def demo_accounts(session: Session, keys: KeyProvider) -> list[DemoAccount]:
    """The demo logins, in the order the issue lists them."""
    order = {username: index for index, (username, *_rest) in enumerate(DEMO_USERS)}
    users = accounts.demo_users(session)
    listing: list[DemoAccount] = []
    for user in sorted(users, key=lambda u: (order.get(u.username, len(order)), u.username)):
        password = accounts.demo_password(session, keys, user)
        if password is None or user.totp_secret is None:
            continue
        listing.append(
            DemoAccount(
                username=user.username,
                password=password,
                totp_secret=totp.to_base32(accounts.totp_secret(session, keys, user)),
                role=user.role,
                agency=user.agency.code,
            )
        )
    return listing


def write_accounts_file(path: Path, listing: list[DemoAccount]) -> None:
    """Write the demo logins for the owner's eyes only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(listing, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def _at(day: str) -> datetime:
    # Past effective dates of the scenario: noon UTC of the day the issue names.
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


NOTE_TEXTS = {
    "DEMO-P1-SOS-GENERAL": "Tapasimme Eetun kanssa sosiaalitoimistossa; hän kertoi koulusta.",
    "DEMO-P1-POL-OFFENCE": "Ilmoitus näpistyksestä kauppakeskuksessa, selvitetään.",
    "DEMO-P1-NUO-EDUCATION": "Eetu kävi nuorisotalolla läksykerhossa kahdesti.",
    "DEMO-P1-SOS-HEALTH": "Terveydenhoitajan arvio unirytmistä, ei jaeta.",
    "DEMO-P2-SOS-FAMILY": "Perhetapaaminen Mari Virtasen kanssa, tilanne rauhoittunut.",
    "DEMO-P2-NGO-GENERAL": "Venla osallistui vertaisryhmään ja viihtyi.",
    "DEMO-P3-NUO-GENERAL": "Oskari kävi nuorisotalolla, keskusteltiin harrastuksista.",
    "DEMO-P3-POL-OFFENCE": "Ilkivaltailmoitus koulun pihalla, kuultu.",
    "DEMO-P4-POL-OFFENCE": "Epäilty vahingonteko, ilmoitus lastensuojeluun tehty.",
    "DEMO-P4-SOS-FAMILY": "Kotikäynti Lumin perheessä lastensuojeluilmoituksen jälkeen.",
}


def _note(
    session: Session,
    case: Case,
    author: User,
    marker: str,
    category: str,
    sensitivity: str = "normal",
) -> None:
    casework.write_note(
        session,
        AuditContext(author, request_id="demo-seed"),
        case,
        category=category,
        sensitivity=sensitivity,
        body=f"{NOTE_TEXTS[marker]} {marker}",
    )


DEMO_LATE_ENTRY_REASON = "demo data"


def _past_consent(given_on: date, today: date, **fields: object) -> casework.ConsentInput:
    """A consent the scenario says was given on `given_on`: recorded today by the lead agency,
    as a late entry ("demo data") when that is longer ago than the late-entry limit."""
    late = (today - given_on).days > DEFAULT_RULES.consent_late_entry_days
    return casework.ConsentInput(
        given_on=given_on,
        valid_from=given_on,
        late_entry_reason=DEMO_LATE_ENTRY_REASON if late else "",
        **fields,  # type: ignore[arg-type]
    )


def _seed_cases(session: Session) -> int:
    """Issue 5's scenario, once per young person (a person with a case is left alone)."""
    users = accounts.users_by_username(session)
    agencies = accounts.agencies_by_code(session)
    today = local_day(utcnow(), DEFAULT_RULES)

    def as_(username: str) -> AuditContext:
        return AuditContext(users[username], request_id="demo-seed")

    def person(code: str) -> Person | None:
        found = persons.find_by_identity_code(session, code)
        if found is None or casework.has_case(session, found):
            return None
        return found

    created = 0
    if (p1 := person("140310A1230")) is not None:
        case = casework.open_case(session, as_("sanna"), p1, ["school_absence"], _at("2026-11-18"))
        casework.record_consent(
            session,
            as_("sanna"),
            case,
            _past_consent(
                date(2026, 11, 18),
                today,
                given_by="self",
                recipients=(agencies["sos"].id, agencies["nuo"].id, agencies["pol"].id),
                categories=("general", "education"),
                purpose="Koulunkäynnin tukeminen yhdessä nuorisopalvelujen ja poliisin kanssa.",
                how_recorded="written",
                valid_until=date(2028, 11, 17),
            ),
        )
        for code, username in (("nuo", "noora"), ("pol", "pekka")):
            casework.add_team_agency(session, as_("sanna"), case, agencies[code], _at("2026-11-18"))
            casework.add_team_user(session, as_("sanna"), case, users[username], _at("2026-11-18"))
        _note(session, case, users["sanna"], "DEMO-P1-SOS-GENERAL", "general")
        _note(session, case, users["pekka"], "DEMO-P1-POL-OFFENCE", "offence")
        _note(session, case, users["noora"], "DEMO-P1-NUO-EDUCATION", "education")
        _note(session, case, users["sanna"], "DEMO-P1-SOS-HEALTH", "health", "restricted")
        created += 1
    if (p2 := person("020612A2465")) is not None:
        case = casework.open_case(
            session, as_("sanna"), p2, ["family_situation"], _at("2026-11-23")
        )
        casework.record_consent(
            session,
            as_("sanna"),
            case,
            # Venla (14) and her guardian together, so it holds past her 15th birthday.
            _past_consent(
                date(2026, 11, 23),
                today,
                given_by="both",
                recipients=(agencies["sos"].id, agencies["ngo"].id),
                categories=("general", "family"),
                purpose="Perheen tukeminen ja vertaisryhmä Nuorten Tuki ry:ssä.",
                how_recorded="written",
                valid_until=date(2028, 11, 22),
                young_person_view="Venla haluaa osallistua ryhmään ja toivoo, että äiti on mukana.",
            ),
        )
        casework.add_team_agency(session, as_("sanna"), case, agencies["ngo"], _at("2026-11-23"))
        casework.add_team_user(session, as_("sanna"), case, users["jari"], _at("2026-11-23"))
        _note(session, case, users["sanna"], "DEMO-P2-SOS-FAMILY", "family")
        _note(session, case, users["jari"], "DEMO-P2-NGO-GENERAL", "general")
        created += 1
    if (p3 := person("090909A357W")) is not None:
        case = casework.open_case(session, as_("noora"), p3, ["property_crime"], _at("2026-05-12"))
        consent = casework.record_consent(
            session,
            as_("noora"),
            case,
            _past_consent(
                date(2026, 5, 12),
                today,
                given_by="self",
                recipients=tuple(agencies[c].id for c in ("sos", "nuo", "pol", "ngo")),
                categories=tuple(Category),
                purpose="Yhteistyö nuorisopalvelujen, poliisin ja muiden toimijoiden kesken.",
                how_recorded="written",
            ),
        )
        casework.add_team_agency(session, as_("noora"), case, agencies["pol"], _at("2026-05-12"))
        casework.add_team_user(session, as_("noora"), case, users["pekka"], _at("2026-05-12"))
        casework.withdraw_consent(
            session,
            as_("noora"),
            case,
            consent,
            "withdrawn by the young person in a meeting",
            at=_at("2026-10-29"),
        )
        _note(session, case, users["noora"], "DEMO-P3-NUO-GENERAL", "general")
        _note(session, case, users["pekka"], "DEMO-P3-POL-OFFENCE", "offence")
        created += 1
    if (p4 := person("200411A4682")) is not None:
        case = casework.open_case(session, as_("pekka"), p4, ["property_crime"])
        casework.create_disclosure(
            session,
            as_("pekka"),
            case,
            to_agency=agencies["sos"],
            categories=("offence", "general"),
            basis=LegalBasis.CHILD_WELFARE_25,
            justification="police notification of a suspected offence by a minor",
            expires_on=(utcnow() + timedelta(days=30)).date(),
        )
        casework.add_team_agency(session, as_("pekka"), case, agencies["sos"])
        casework.add_team_user(session, as_("pekka"), case, users["sanna"])
        _note(session, case, users["pekka"], "DEMO-P4-POL-OFFENCE", "offence")
        _note(session, case, users["sanna"], "DEMO-P4-SOS-FAMILY", "family")
        created += 1
    return created
