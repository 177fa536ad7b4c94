"""Anonymous statistics facts (issue 13, point 1): each counted event writes one fact in its own
transaction, with the month, the agencies' kinds, the concerns, the age band and the district
and nothing that names or joins to a person; the back-fill counts what came before exactly as
live recording would have; erasure leaves the facts as they were."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from cases.casework import services as casework
from cases.inputs import InputError
from cases.persons import services as persons
from cases.persons.erasure import shred
from cases.persons.models import Person
from cases.referrals import services as referrals
from cases.statistics import services as statistics
from cases.statistics.counting import age_band, district_of, month_of
from cases.statistics.models import StatisticsFact, StatisticsState
from core.db import utcnow
from tests.cases.referrals.scenario import Scene, ctx, scene
from tests.factories import OPERATOR


def _facts(session: Session) -> list[tuple[object, ...]]:
    rows = session.scalars(select(StatisticsFact).order_by(StatisticsFact.event))
    return sorted(
        (
            f.month,
            f.event,
            f.lead_agency_kind,
            f.sending_agency_kind,
            f.receiving_agency_kind,
            tuple(f.concern_codes),
            f.age_band,
            f.district,
            f.outcome,
        )
        for f in rows
    )


def _events(session: Session) -> Counter[str]:
    return Counter(f.event for f in session.scalars(select(StatisticsFact)))


def _lifecycle(s: Scene) -> None:
    """Every kind of counted event but the meeting's (tests/cases/meetings count that one)."""
    accepted = s.send()
    referrals.accept(s.session, ctx(s.noora), accepted)
    referrals.complete(s.session, ctx(s.noora), accepted, outcome="Kävi ryhmässä.")
    declined = s.send()
    referrals.decline(
        s.session, ctx(s.noora), declined, reason_code="no_capacity", text="Ei tilaa nyt."
    )
    casework.request_emergency_access(s.session, ctx(s.sanna), s.case, "Kiireellinen tarve.")
    casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Nuori peruutti.")
    request = casework.request_closure(s.session, ctx(s.sanna), s.case, "no_further_need")
    casework.decide_closure(s.session, ctx(s.siiri), request, approve=True)
    s.session.flush()


def test_the_facts_table_has_nothing_that_joins_to_a_person(domain_session: Session) -> None:
    table = inspect(domain_session.get_bind()).get_columns("statistics_facts")
    names = {column["name"] for column in table}
    assert not {n for n in names if n.endswith("_id")}
    assert not inspect(domain_session.get_bind()).get_foreign_keys("statistics_facts")
    assert "day" not in names and "created_at" not in names


def test_opening_a_case_counts_it_with_month_kind_concerns_age_band_and_district(
    domain_session: Session,
) -> None:
    s = scene(domain_session, birth_date=date(2010, 3, 14))
    person = persons.register(
        domain_session,
        ctx(s.sanna),
        persons.PersonDetails(
            given_names="Aada", surname="Aaltonen", birth_date=date(2013, 1, 5), postal_code="00940"
        ),
        confirmed=True,
    )
    before = _events(domain_session)["case_opened"]
    casework.open_case(domain_session, ctx(s.sanna), person, ["violence", "school_absence"])
    domain_session.flush()
    fact = domain_session.scalars(
        select(StatisticsFact).where(StatisticsFact.district == "009")
    ).one()
    assert _events(domain_session)["case_opened"] == before + 1
    today = utcnow()
    assert fact.month == month_of(today)  # the Helsinki month of the event, nothing finer
    assert fact.event == "case_opened" and fact.lead_agency_kind == "social_services"
    assert fact.concern_codes == ["school_absence", "violence"]
    assert fact.age_band == age_band(date(2013, 1, 5), today.date())
    assert fact.outcome is None and fact.sending_agency_kind is None


def test_each_counted_event_writes_one_fact(domain_session: Session) -> None:
    s = scene(domain_session)
    before = _events(domain_session)
    _lifecycle(s)
    added = _events(domain_session) - before
    assert added == Counter(
        {
            "referral_sent": 2,
            "referral_accepted": 1,
            "referral_completed": 1,
            "referral_declined": 1,
            "emergency_access": 1,
            "consent_withdrawn": 1,
            "case_closed": 1,
        }
    )
    closed = domain_session.scalars(
        select(StatisticsFact).where(StatisticsFact.event == "case_closed")
    ).one()
    assert closed.outcome == "no_further_need"
    sent = domain_session.scalars(
        select(StatisticsFact).where(StatisticsFact.event == "referral_sent")
    ).first()
    assert sent is not None
    assert (sent.sending_agency_kind, sent.receiving_agency_kind) == (
        "social_services",
        "youth_work",
    )


def test_a_refused_event_counts_nothing(domain_session: Session) -> None:
    s = scene(domain_session)
    before = _facts(domain_session)
    with pytest.raises(Exception):  # noqa: B017 - the policy's or the input's refusal
        casework.request_closure(domain_session, ctx(s.jari), s.case, "no_further_need")
    assert _facts(domain_session) == before


def test_the_back_fill_counts_what_came_before_exactly_as_live_recording_did(
    domain_session: Session,
) -> None:
    s = scene(domain_session)
    _lifecycle(s)
    live = _facts(domain_session)
    # As if the events had happened before facts were written: no facts, live only from now.
    domain_session.execute(delete(StatisticsFact))
    domain_session.execute(update(StatisticsState).values(live_since=utcnow()))
    counts = statistics.backfill(domain_session, OPERATOR)
    assert _facts(domain_session) == live
    assert sum(counts.values()) == len(live)
    with pytest.raises(InputError) as refused:
        statistics.backfill(domain_session, OPERATOR)
    assert refused.value.code == "already_backfilled"
    assert _facts(domain_session) == live


def test_the_back_fill_leaves_events_after_live_since_to_live_recording(
    domain_session: Session,
) -> None:
    s = scene(domain_session)
    domain_session.execute(
        update(StatisticsState).values(live_since=datetime(2000, 1, 1, tzinfo=UTC))
    )
    _lifecycle(s)
    live = _facts(domain_session)
    assert sum(statistics.backfill(domain_session, OPERATOR).values()) == 0
    assert _facts(domain_session) == live


def test_only_an_operator_back_fills(domain_session: Session) -> None:
    s = scene(domain_session)
    with pytest.raises(Exception):  # noqa: B017 - PolicyDenied
        statistics.backfill(domain_session, ctx(s.siiri))


def test_erasing_a_person_leaves_the_statistics_as_they_were(domain_session: Session) -> None:
    s = scene(domain_session)
    _lifecycle(s)
    before = _facts(domain_session)
    person = domain_session.get(Person, s.case.person_id)
    assert person is not None
    assert shred(domain_session, OPERATOR, person, "retention")
    assert _facts(domain_session) == before


@pytest.mark.parametrize(
    ("code", "district"),
    [
        ("00940", "009"),
        ("00100", "001"),
        (" 02100 ", "021"),
        ("", None),
        ("0094", None),
        ("AB123", None),
    ],
)
def test_the_district_is_the_first_three_digits_of_a_postal_code(
    code: str, district: str | None
) -> None:
    assert district_of(code) == district


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2015, 6, 2), "under_12"),
        (date(2014, 6, 1), "12_14"),
        (date(2011, 6, 2), "12_14"),  # 15 tomorrow
        (date(2011, 6, 1), "15_17"),
        (date(2008, 6, 1), "18_21"),
        (date(2004, 6, 2), "18_21"),  # 22 tomorrow
        (date(2004, 6, 1), "over_21"),
        (None, None),
    ],
)
def test_the_age_band_on_the_day(born: date | None, band: str | None) -> None:
    assert age_band(born, date(2026, 6, 1)) == band
