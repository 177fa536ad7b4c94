"""`flask persons reclean-names`: names stored before issue 9's rules get a cleaned version.

A record written before the rules is made here by storing a name with a zero-width space and
indexing it as it was typed, which is what the old code did."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.persons import services as persons
from cases.persons import upgrades
from cases.persons.models import Person, PersonVersion
from cases.persons.search import _reindex
from cases.policy import CliActor
from tests.cases.test_person_input import VENLA, _ctx, session

__all__ = ["session"]

DIRTY = "Vir\u200btanen\u2800"


def _legacy_person(session: Session) -> Person:
    person = persons.register(session, _ctx(session), VENLA)
    session.flush()
    version = session.scalar(select(PersonVersion).where(PersonVersion.person_id == person.id))
    assert version is not None
    version.surname = DIRTY
    _reindex(session, person, replace(VENLA, surname=DIRTY))
    session.commit()
    return person


def _reclean(session: Session) -> upgrades.Recleaned:
    result = upgrades.reclean_names(session, AuditContext(CliActor("persons reclean-names")))
    session.commit()
    return result


def test_a_legacy_name_escapes_the_duplicate_warning_until_recleaned(session: Session) -> None:
    legacy = _legacy_person(session)
    assert persons.search_by_name(session, _ctx(session), "Virtanen", VENLA.birth_date) == []
    assert _reclean(session) == upgrades.Recleaned(corrected=1, left_for_review=0)
    hits = persons.search_by_name(session, _ctx(session), "Virtanen", VENLA.birth_date)
    assert [hit.id for hit in hits] == [legacy.id]
    with pytest.raises(persons.PossibleDuplicate):
        persons.register(session, _ctx(session), VENLA)


def test_the_old_version_is_kept_and_the_new_one_is_clean(session: Session) -> None:
    legacy = _legacy_person(session)
    _reclean(session)
    details = persons.current_details(session, legacy)
    assert details is not None and details.surname == "Virtanen"
    assert legacy.current_version == 2
    history = persons.history(session, _ctx(session), legacy)
    assert [v.version for v in history] == [2, 1]
    assert history[0].changed == ("surname",)


def test_clean_records_are_left_alone(session: Session) -> None:
    persons.register(session, _ctx(session), replace(VENLA, birth_date=date(2011, 1, 1)))
    session.commit()
    assert _reclean(session) == upgrades.Recleaned(corrected=0, left_for_review=0)
