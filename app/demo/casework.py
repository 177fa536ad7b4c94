"""The demo's cases (issue 5's scenario): teams, consents, a disclosure and marked notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case
from cases.persons import services as persons
from cases.persons.models import Person
from cases.policy.facts import DEFAULT_RULES, Category, LegalBasis
from cases.policy.sharing import local_day
from cases.referrals.clocks import working_days_before
from core.db import utcnow


def local_moment(day: date, hour: int) -> datetime:
    """`hour` o'clock on `day` where the work is done (the demo's recent effective moments)."""
    return datetime.combine(day, time(hour), ZoneInfo(DEFAULT_RULES.timezone)).astimezone(UTC)


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
    "DEMO-P5-SOS-GENERAL": "Aada kävi sosiaalitoimistossa, sovittiin tukitapaamisista.",
}


def _note(
    session: Session,
    case: Case,
    author: User,
    marker: str,
    category: str,
    sensitivity: str = "normal",
    written_at: datetime | None = None,
) -> None:
    casework.write_note(
        session,
        AuditContext(author, request_id="demo-seed"),
        case,
        category=category,
        sensitivity=sensitivity,
        body=f"{NOTE_TEXTS[marker]} {marker}",
        written_at=written_at,
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


def seed_cases(session: Session) -> int:
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
        # Issue 11: dated three working days before the seeding day, so that referral R1 can
        # be sent two working days before it (see app/demo/referrals.py).
        began = local_moment(working_days_before(today, 3), 9)
        case = casework.open_case(session, as_("pekka"), p4, ["property_crime"], began)
        casework.create_disclosure(
            session,
            as_("pekka"),
            case,
            to_agency=agencies["sos"],
            categories=("offence", "general"),
            basis=LegalBasis.CHILD_WELFARE_25,
            justification="police notification of a suspected offence by a minor",
            expires_on=(utcnow() + timedelta(days=30)).date(),
            granted_at=began,
        )
        casework.add_team_agency(session, as_("pekka"), case, agencies["sos"], began)
        casework.add_team_user(session, as_("pekka"), case, users["sanna"], began)
        _note(session, case, users["pekka"], "DEMO-P4-POL-OFFENCE", "offence")
        _note(session, case, users["sanna"], "DEMO-P4-SOS-FAMILY", "family")
        created += 1
    if (p5 := person("110203A312J")) is not None:
        _seed_p5(session, p5, users["sanna"], users["helena"])
        created += 1
    return created


def _seed_p5(session: Session, p5: Person, sanna: User, helena: User) -> None:
    """Issue 14: Aada's case, opened by sanna on the day sos registered her and closed by
    helena on her 18th birthday (aged out): under the default rules she is due for erasure."""
    opened = _at("2018-09-03")
    as_sanna = AuditContext(sanna, request_id="demo-seed")
    case = casework.open_case(session, as_sanna, p5, ["family_situation"], opened)
    _note(session, case, sanna, "DEMO-P5-SOS-GENERAL", "general", written_at=opened)
    request = casework.request_closure(session, as_sanna, case, "aged_out")
    casework.decide_closure(
        session,
        AuditContext(helena, request_id="demo-seed"),
        request,
        approve=True,
        closed_at=_at("2021-02-11"),
    )
