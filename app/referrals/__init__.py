"""Referral pages: the agency inbox, sent referrals, the referral page and its actions, the
send form, a case's referrals and the supervisors' overview."""

from app.referrals import actions, routes
from app.referrals.pages import bp

__all__ = ["actions", "bp", "routes"]
