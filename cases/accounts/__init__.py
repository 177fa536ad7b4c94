"""Agencies, practitioner accounts, passwords, TOTP and server-side sessions."""
