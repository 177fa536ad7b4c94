"""Retention (issue 14): the rules (`rules`), legal holds (`models`, `holds`), what is due
(`due`), the auditors' list of holds (`queries`) and the erasure sweep with its dry run
(`sweep`)."""
