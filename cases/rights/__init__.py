"""Data-subject rights: subject access and the person's access report (a later issue)."""
