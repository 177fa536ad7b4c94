"""Incremental vs full `audit verify` on PostgreSQL: ratios measured within one run.

For each log size N (default 10,000 and 100,000 events) the benchmark chains N − tail events,
signs a checkpoint of the head (as the five-minute checkpoint timer does), chains `tail` more
(default 1,000: the events since that checkpoint), then times a full verify and an incremental
one. Events are dated one second apart, so the incremental stray-event search (events since an
hour before the checkpoint) sees about an hour of them, as it would in service.

Reported per size: full seconds, incremental seconds and their ratio; then the incremental time
at the largest size over the smallest (issue 15's target: ≤ 1.5×).

Usage: python -m bench.verify_bench [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
       [--sizes 10000,100000] [--tail 1000] [--rounds 3]
The URL names a server and a user that may create databases; the benchmark creates and drops
its own database for each size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from audit import checkpoints
from audit.sequencer import Sequencer, events_t, pending_t, read_head
from audit.verify import verify
from bench.audit_bench import BenchActor, _drop_database, _fresh_database
from core import keyring
from core.db import make_engine
from core.keyring import KeyProvider

BATCH = 10_000


def _chain(url: str, first: int, count: int, start: datetime) -> None:
    """Insert events `first`…`first + count − 1`, dated a second apart, and chain them."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for offset in range(first, first + count, BATCH):
            rows = []
            for index in range(offset, min(offset + BATCH, first + count)):
                event_id = uuid.uuid4()
                rows.append(
                    {
                        "id": event_id,
                        "occurred_at": start + timedelta(seconds=index),
                        "actor_user_id": BenchActor.id,
                        "actor_agency_id": BenchActor.agency_id,
                        "actor_role": "caseworker",
                        "actor_label": "user:bench",
                        "action": "person:read",
                        "object_type": "person",
                        "object_id": str(event_id),
                        "subject_id": event_id,
                        "bases": ["consent:bench"],
                        "outcome": "allowed",
                        "request_id": "bench",
                        "client_address": "127.0.0.1",
                        "details": {"fields": ["given_names", "surname"], "results": index},
                    }
                )
            connection.execute(insert(events_t), rows)
            connection.execute(
                insert(pending_t),
                [{"event_id": r["id"], "occurred_at": r["occurred_at"]} for r in rows],
            )
    sequencer = Sequencer(engine)
    while sequencer.run():
        pass
    sequencer.dispose()
    engine.dispose()


def _checkpoint(url: str, keys: KeyProvider, folder: Path, moment: datetime) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        head = read_head(connection)
    engine.dispose()
    signed = checkpoints.sign(
        keys,
        head.size,
        head.frontier.root(),
        now=moment,
        head=head.hash,
        frontier=list(head.frontier.nodes),
    )
    checkpoints.append(folder, signed)
    return head.size


def measure(admin_url: str, size: int, tail: int, rounds: int) -> tuple[float, float]:
    """Median seconds of a full and an incremental verify over `size` events."""
    name = f"silta_bench_{uuid.uuid4().hex[:8]}"
    url = _fresh_database(admin_url, name)
    try:
        with TemporaryDirectory() as temporary:
            folder = Path(temporary) / "checkpoints"
            keys_path = Path(temporary) / "keyring.json"
            keyring.write_new(keys_path, keyring.generate())
            keys = keyring.load(keys_path)
            # Dated so that the last event is a little before now (nothing looks unsequenced
            # for long: they are all chained before verify runs).
            start = datetime.now(UTC) - timedelta(seconds=size)
            _chain(url, 0, size - tail, start)
            _checkpoint(url, keys, folder, start + timedelta(seconds=size - tail - 1))
            _chain(url, size - tail, tail, start)
            engine = make_engine(url)
            verify(engine, keys, folder)  # warm the cache the same way for both
            full, incremental = [], []
            for _ in range(rounds):
                began = time.perf_counter()
                whole = verify(engine, keys, folder)
                full.append(time.perf_counter() - began)
                began = time.perf_counter()
                resumed = verify(engine, keys, folder, incremental=True)
                incremental.append(time.perf_counter() - began)
                assert whole.ok and whole.size == size, whole
                assert resumed.ok and resumed.mode == "incremental", resumed
                assert resumed.since == size - tail, resumed
            engine.dispose()
        return statistics.median(full), statistics.median(incremental)
    finally:
        _drop_database(admin_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "SILTA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--tail", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    target = make_url(args.url).render_as_string(hide_password=True)
    print(f"verify benchmark on {target}, {os.cpu_count()} cores, {args.tail} events after")
    results: dict[int, float] = {}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        full, incremental = measure(args.url, size, args.tail, args.rounds)
        results[size] = incremental
        print(
            f"  {size:>9} events: full {full * 1000:8.1f} ms"
            f"  incremental {incremental * 1000:7.1f} ms"
            f"  full/incremental {full / incremental:6.1f}x"
        )
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"  incremental at {large} vs {small} events: {results[large] / results[small]:.2f}x")


if __name__ == "__main__":
    main()
