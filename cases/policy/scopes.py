"""SQL scopes: the policy's rules stated as query conditions, for listings and searches."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select

from audit.events import Actor
from cases.accounts.models import Role, User
from cases.casework.models import Case, Consent, Disclosure, TeamAgency
from cases.meetings.models import InvitedAgency, InvitedUser, Meeting
from cases.persons.models import Person
from cases.policy.permissions import PRACTITIONER_ROLES, CliActor
from cases.referrals.models import OPEN_STATES, Referral
from core.db import utcnow


def referral_basis_holds(now: datetime) -> ColumnElement[bool]:
    """An SQL condition: the consent or disclosure a referral was sent on is still in force
    (not withdrawn, not past its end), so the referral may still make its young person visible
    to the receiving agency (attack on issue 11: search outlived a withdrawn consent)."""
    # Correlated EXISTS on the referral's own consent or disclosure (a primary-key look-up
    # each), not `IN (every consent in force)`: that subquery reads the whole consents and
    # disclosures tables of the city on every search (issue 15: tests/budgets/test_query_plans).
    consent_holds = (
        select(Consent.id)
        .where(
            Consent.id == Referral.consent_id,
            Consent.withdrawn_at.is_(None),
            Consent.valid_from <= now,
            Consent.valid_until > now,
        )
        .exists()
    )
    disclosure_holds = (
        select(Disclosure.id)
        .where(
            Disclosure.id == Referral.disclosure_id,
            Disclosure.granted_at <= now,
            Disclosure.expires_at > now,
        )
        .exists()
    )
    return or_(consent_holds, disclosure_holds)


def visible_persons(actor: Actor | None) -> ColumnElement[bool]:
    """The SQL condition selecting the persons `actor` may see (search, duplicate checks).

    It states the same rule as `_person_visible`, for queries: a person the condition
    excludes is one the actor must not learn exists.
    """
    if (
        actor is None
        or not actor.active
        or isinstance(actor, CliActor)
        or actor.role not in PRACTITIONER_ROLES
    ):
        return false()
    now = utcnow()
    on_a_team = (
        select(Case.person_id)
        .join(TeamAgency, TeamAgency.case_id == Case.id)
        .where(
            TeamAgency.agency_id == actor.agency_id,
            TeamAgency.start_at <= now,
            or_(TeamAgency.end_at.is_(None), TeamAgency.end_at > now),
        )
    )
    referred = select(Referral.person_id).where(
        Referral.to_agency_id == actor.agency_id,
        Referral.state.in_(OPEN_STATES),
        referral_basis_holds(now),
    )
    return and_(
        Person.erased_at.is_(None),
        or_(
            Person.registered_by_agency_id == actor.agency_id,
            Person.id.in_(on_a_team),
            Person.id.in_(referred),
        ),
    )


def inbox_readers(agency_id: uuid.UUID) -> ColumnElement[bool]:
    """The accounts that read an agency's referral inbox (`referral_decision`'s receiving
    side): its active caseworkers and supervisors."""
    return and_(User.agency_id == agency_id, User.active, User.role.in_(PRACTITIONER_ROLES))


def agency_supervisors(agency_ids: Iterable[uuid.UUID]) -> ColumnElement[bool]:
    """The active supervisors of these agencies (to whom overdue referrals escalate)."""
    return and_(User.agency_id.in_(list(agency_ids)), User.active, User.role == Role.SUPERVISOR)


def cases_worth_checking(actor: Actor | None) -> ColumnElement[bool]:
    """An SQL pre-filter for "my cases": cases on which the actor's agency is a current member.

    Necessary for every case permission (see `on_team`), so it only saves work; `decide` is
    still asked about each case it lets through.
    """
    if actor is None or isinstance(actor, CliActor) or actor.role not in PRACTITIONER_ROLES:
        return false()
    now = utcnow()
    return Case.id.in_(
        select(TeamAgency.case_id).where(
            TeamAgency.agency_id == actor.agency_id,
            TeamAgency.start_at <= now,
            or_(TeamAgency.end_at.is_(None), TeamAgency.end_at > now),
        )
    )


def visible_meetings(actor: Actor | None) -> ColumnElement[bool]:
    """The SQL condition selecting the meetings `actor` sees (`sees_meeting`): those they are
    invited to and, for a supervisor, those their agency is invited to."""
    if (
        actor is None
        or not actor.active
        or isinstance(actor, CliActor)
        or actor.role not in PRACTITIONER_ROLES
    ):
        return false()
    invited = select(InvitedUser.meeting_id).where(InvitedUser.user_id == actor.id)
    if actor.role != Role.SUPERVISOR:
        return Meeting.id.in_(invited)
    agency_invited = select(InvitedAgency.meeting_id).where(
        InvitedAgency.agency_id == actor.agency_id
    )
    return or_(Meeting.id.in_(invited), Meeting.id.in_(agency_invited))
