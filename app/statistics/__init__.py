"""The statistics area's web side (issue 13): the analyst's tables and the back-fill command."""
