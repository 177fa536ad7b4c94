"""Retention (issue 14): its settings and the operators' `retention` commands."""
