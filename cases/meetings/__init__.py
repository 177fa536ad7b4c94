"""Meetings about a case: network meetings and their minutes (a later issue)."""
