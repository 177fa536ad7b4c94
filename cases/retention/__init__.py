"""Retention (issue 14): the rules (`rules`), legal holds (`models`, `holds`), what is due
(`due`) and the auditors' list of holds (`queries`). The erasure sweep is a later step."""
