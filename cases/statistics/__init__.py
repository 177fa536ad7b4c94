"""Statistics: counts for the city without personal data (a later issue)."""
