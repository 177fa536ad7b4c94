"""Field-encryption benchmark: ratios measured within one run, never absolute targets.

1. A case page's worth of reading: 50 notes' fields (a 1.5 KB body and a 40-byte title each)
   decrypted under one person's data key, unwrapped once as a request would, vs. reading the
   same 50 rows stored as plaintext.
2. `keys rewrap` over 100,000 data keys (the real service, batches of 500, each committed with
   its audit event) vs. bare AES-GCM wrapping of 100,000 keys in a loop.
3. Identity-code look-up through the blind index (the real register service: HMAC, candidate
   rows, unwrap each candidate's key, decrypt its current version, compare exactly) at 10,000
   and 1,000,000 persons vs. a plaintext indexed look-up in a table of the same size.

Runs on a scratch SQLite file (the embedded default); `--url` names a PostgreSQL server that
may create databases instead. Usage:
    python -m bench.crypto_bench [--persons 10000,1000000] [--rewrap 100000] [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text, insert, select
from sqlalchemy.engine import Engine

import migrations
from audit.events import AuditContext
from cases import keys as key_services
from cases.accounts.models import Agency
from cases.persons import services as persons
from cases.persons.models import (
    IDENTITY_CODE_INDEX,
    NAME_BIRTH_INDEX,
    Person,
    PersonIndexEntry,
    PersonVersion,
)
from cases.policy import CliActor
from core import crypto, datakeys, keyring
from core.db import make_engine, make_session_factory, utcnow
from core.fields import KEYS_INFO

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _identity_code(number: int) -> str:
    """A valid identity code per number (distinct for number < 365 * 30 * 898)."""
    born = date(2000, 1, 1) + timedelta(days=number % (365 * 30))
    individual = 2 + (number // (365 * 30)) % 898
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}A{individual:03d}{_CHECK[int(digits) % 31]}"


def _best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"silta_crypto_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def notes_page(engine: Engine, keys: keyring.Keyring, repeat: int) -> tuple[float, float]:
    metadata = MetaData()
    plain = Table(
        "bench_plain_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(80)),
        Column("body", Text),
    )
    sealed = Table(
        "bench_sealed_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("row_id", String(36)),
        Column("title", LargeBinary),
        Column("body", LargeBinary),
    )
    metadata.create_all(engine)
    owner = "person:bench"
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap_key(keys.kek(keys.current_kek), keys.current_kek, data_key, owner)
    plain_rows, sealed_rows = [], []
    for number in range(50):
        title, body = f"Note {number} " + "t" * 30, secrets.token_hex(750)
        row_id = uuid.uuid4()
        plain_rows.append({"id": number, "title": title, "body": body})
        sealed_rows.append(
            {
                "id": number,
                "row_id": str(row_id),
                "title": crypto.encrypt(
                    data_key, 1, title.encode(), crypto.field_ad("n", "title", row_id)
                ),
                "body": crypto.encrypt(
                    data_key, 1, body.encode(), crypto.field_ad("n", "body", row_id)
                ),
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(plain), plain_rows)
        connection.execute(insert(sealed), sealed_rows)

    def read_plain() -> None:
        with engine.connect() as connection:
            rows = connection.execute(select(plain)).all()
        assert len([(r.title, r.body) for r in rows]) == 50

    def read_sealed() -> None:
        with engine.connect() as connection:
            rows = connection.execute(select(sealed)).all()
        key = crypto.unwrap_key(keys.kek(keys.current_kek), wrapped, owner)  # once per request
        out = []
        for row in rows:
            row_id = uuid.UUID(row.row_id)
            out.append(
                (
                    crypto.decrypt(key, row.title, crypto.field_ad("n", "title", row_id)),
                    crypto.decrypt(key, row.body, crypto.field_ad("n", "body", row_id)),
                )
            )
        assert len(out) == 50

    return _best(read_plain, repeat), _best(read_sealed, repeat)


def rewrap(engine: Engine, path: Path, count: int) -> tuple[float, float]:
    provider = keyring.KeyringFile(path)
    current = provider.current()
    kek = current.kek(current.current_kek)
    rows = []
    for _ in range(count):
        owner = f"person:{uuid.uuid4()}"
        rows.append(
            {
                "id": uuid.uuid4(),
                "owner": owner,
                "version": 1,
                "kek_version": current.current_kek,
                "wrapped": crypto.wrap_key(kek, current.current_kek, crypto.new_data_key(), owner),
                "created_at": utcnow(),
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(datakeys.DataKey.__table__), rows)  # type: ignore[arg-type]
    keyring.replace_file(path, keyring.with_new_kek(current))
    provider.reload()
    factory = make_session_factory(engine)

    start = time.perf_counter()
    with factory() as session:
        done = key_services.rewrap(session, AuditContext(CliActor("bench")), provider, 500)
    rewrap_seconds = time.perf_counter() - start
    assert done == count, (done, count)

    plain_keys = [crypto.new_data_key() for _ in range(count)]
    start = time.perf_counter()
    aead = AESGCM(kek)
    for key in plain_keys:
        aead.encrypt(os.urandom(12), key, b"")
    bare_seconds = time.perf_counter() - start
    return bare_seconds, rewrap_seconds


def lookups(
    engine: Engine, path: Path, count: int, repeat: int, offset: int = 0
) -> tuple[float, float]:
    """`offset` keeps identity codes distinct from an earlier, smaller round in the same file."""
    provider = keyring.KeyringFile(path)
    keys = provider.current()
    kek_version = keys.current_kek
    kek = keys.kek(kek_version)
    metadata = MetaData()
    plain = Table(
        f"bench_plain_persons_{count}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("identity_code", String(11), index=True),
        Column("surname", String(80)),
    )
    metadata.create_all(engine)
    agency_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            insert(Agency.__table__).values(  # type: ignore[arg-type]
                id=agency_id,
                code=f"b{count}",
                name="Bench",
                kind="ngo",
                active=True,
                created_at=utcnow(),
            )
        )
    now = utcnow()
    chunk = 20_000
    for first in range(0, count, chunk):
        people, versions, data_keys, entries, plain_rows = [], [], [], [], []
        for number in range(offset + first, offset + min(first + chunk, count)):
            person_id, version_id = uuid.uuid4(), uuid.uuid4()
            code, surname = _identity_code(number), f"Surname{number % 5000}"
            born = date(2000 + int(code[4:6]), int(code[2:4]), int(code[0:2]))
            owner = datakeys.person_owner(person_id)
            key = crypto.new_data_key()

            def seal(
                column: str, value: bytes, key: bytes = key, row: uuid.UUID = version_id
            ) -> bytes:
                return crypto.encrypt(
                    key, 1, value, crypto.field_ad("person_versions", column, row)
                )

            people.append(
                {
                    "id": person_id,
                    "registered_by_agency_id": agency_id,
                    "registered_at": now,
                    "current_version": 1,
                }
            )
            data_keys.append(
                {
                    "id": uuid.uuid4(),
                    "owner": owner,
                    "version": 1,
                    "kek_version": kek_version,
                    "wrapped": crypto.wrap_key(kek, kek_version, key, owner),
                    "created_at": now,
                }
            )
            versions.append(
                {
                    "id": version_id,
                    "person_id": person_id,
                    "version": 1,
                    "created_at": now,
                    "given_names": seal("given_names", b"Bench"),
                    "surname": seal("surname", surname.encode()),
                    "birth_date": seal("birth_date", born.isoformat().encode()),
                    "identity_code": seal("identity_code", code.encode()),
                    "guardians": seal("guardians", b"[]"),
                    "mother_tongue": seal("mother_tongue", b"fi"),
                    "forbids_guardian_disclosure": seal("forbids_guardian_disclosure", b"0"),
                }
            )
            entries.append(
                {
                    "id": uuid.uuid4(),
                    "person_id": person_id,
                    "index_name": IDENTITY_CODE_INDEX.name,
                    "value": IDENTITY_CODE_INDEX.value(keys, code),
                }
            )
            entries.append(
                {
                    "id": uuid.uuid4(),
                    "person_id": person_id,
                    "index_name": NAME_BIRTH_INDEX.name,
                    "value": NAME_BIRTH_INDEX.value(keys, f"{surname.lower()}|{born.isoformat()}"),
                }
            )
            plain_rows.append({"id": number - offset, "identity_code": code, "surname": surname})
        with engine.begin() as connection:
            connection.execute(insert(Person.__table__), people)  # type: ignore[arg-type]
            connection.execute(insert(datakeys.DataKey.__table__), data_keys)  # type: ignore[arg-type]
            connection.execute(insert(PersonVersion.__table__), versions)  # type: ignore[arg-type]
            connection.execute(insert(PersonIndexEntry.__table__), entries)  # type: ignore[arg-type]
            connection.execute(insert(plain), plain_rows)
    if engine.dialect.name == "postgresql":
        # The steady state of a register that has been in use: hint bits set, statistics
        # gathered (a first read after a bulk load would write every page it touches).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    step = max(1, count // repeat)
    targets = [_identity_code(offset + n) for n in range(0, count, step)][:repeat]
    factory = make_session_factory(engine)
    factory.configure(info={KEYS_INFO: provider})

    # A look-up is a request's: each opens its own connection (checked out with a ping,
    # rolled back when returned), the blind one inside a session.
    def plain_lookup() -> None:
        for code in targets:
            with engine.connect() as connection:
                assert connection.execute(
                    select(plain).where(plain.c.identity_code == code)
                ).first()

    def blind_lookup() -> None:
        for code in targets:
            with factory() as session:  # one request each: nothing cached between look-ups
                assert persons.find_by_identity_code(session, code) is not None

    return _best(plain_lookup, 3), _best(blind_lookup, 3)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=None, help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--persons", default="10000,1000000")
    parser.add_argument("--rewrap", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "keyring.json"
        keyring.write_new(path, keyring.generate())
        with _database(args.url) as url:
            migrations.upgrade(url)
            engine = make_engine(url)
            print(f"crypto benchmark on {engine.dialect.name}, {os.cpu_count()} cores")
            plain, sealed = notes_page(engine, keyring.load(path), args.repeat)
            print(
                f"  50 notes: plaintext {plain * 1e3:.2f} ms, decrypted {sealed * 1e3:.2f} ms, "
                f"ratio {sealed / plain:.2f}x"
            )
            if args.rewrap:
                bare, rewrapped = rewrap(engine, path, args.rewrap)
                print(
                    f"  rewrap {args.rewrap} data keys: bare AES-GCM {bare:.2f} s, "
                    f"keys rewrap {rewrapped:.2f} s, ratio {rewrapped / bare:.1f}x"
                )
            offset = 0
            for count in [int(c) for c in args.persons.split(",") if c]:
                started = time.perf_counter()
                plain, blind = lookups(engine, path, count, min(args.repeat, count), offset)
                offset += count
                built = time.perf_counter() - started
                print(
                    f"  look-up at {count} persons (built in {built:.0f} s):"
                    f" plaintext index {plain / args.repeat * 1e3:.3f} ms, blind index "
                    f"{blind / args.repeat * 1e3:.3f} ms per look-up, ratio {blind / plain:.1f}x"
                )
            engine.dispose()


if __name__ == "__main__":
    main()
