"""Benchmark support (issue 15): the `bench` commands (refused in production)."""
