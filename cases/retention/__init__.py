"""Retention: when case and register data are erased, and the erasure job (a later issue)."""
