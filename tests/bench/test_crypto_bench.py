"""The crypto benchmark still runs against today's code (a refactor once broke it unseen): its
notes page and its identity-code look-ups at a tiny size, on the test database backend."""

from __future__ import annotations

from pathlib import Path

from bench import crypto_bench
from core import keyring
from core.db import make_engine
from tests.databases import PostgresDatabases, SqliteDatabases


def test_the_crypto_benchmark_measures_at_a_tiny_size(
    databases: SqliteDatabases | PostgresDatabases, tmp_path: Path
) -> None:
    ring = tmp_path / "keyring.json"
    keyring.write_new(ring, keyring.generate())
    url = databases.new()
    engine = make_engine(url)
    try:
        plain, sealed = crypto_bench.notes_page(engine, keyring.load(ring), 2)
        assert plain > 0 and sealed > 0
        plain, blind = crypto_bench.lookups(engine, ring, 40, 5)
        assert plain > 0 and blind > 0
    finally:
        engine.dispose()
        databases.drop(url)
