"""The rows shared by the referral services (a referral as the policy sees it is
`cases.policy.referrals.referral_facts`)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cases.casework.models import Case
from cases.inputs import InputError
from cases.referrals.models import Referral


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
