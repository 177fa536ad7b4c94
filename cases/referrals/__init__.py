"""Referrals between agencies (issue 11): models, clocks, services; rules in cases.policy."""
