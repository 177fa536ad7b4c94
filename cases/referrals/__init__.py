"""Referrals between agencies (a later issue builds them on the case-work core)."""
