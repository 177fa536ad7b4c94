"""A referral as the policy sees it, and the rows shared by the referral services."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cases.casework.models import Case
from cases.inputs import InputError
from cases.policy.facts import CaseFacts
from cases.policy.referrals import ReferralFacts
from cases.referrals.models import Referral


def referral_facts(referral: Referral, case: CaseFacts) -> ReferralFacts:
    return ReferralFacts(
        case=case,
        from_agency=referral.from_agency_id,
        from_user=referral.from_user_id,
        to_agency=referral.to_agency_id,
        state=referral.state,
        category=referral.category,
        needs_assessment=referral.needs_assessment,
        id=referral.id,
    )


def case_of(session: Session, referral: Referral) -> Case:
    case = session.get(Case, referral.case_id)
    assert case is not None  # noqa: S101 - a foreign key
    return case


def get_referral(session: Session, referral_id: uuid.UUID) -> Referral:
    """The referral with this id (`InputError` when there is none; the policy decides the rest)."""
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise InputError("not_found", "referral")
    return referral


def has_referrals(session: Session, case: Case) -> bool:
    """Whether any referral was ever sent on this case (for the demo seed's "once")."""
    return bool(session.scalar(select(exists().where(Referral.case_id == case.id))))
