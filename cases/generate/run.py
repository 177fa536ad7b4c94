"""A generation run: the agencies and users once, then each missing chunk of persons in a
committed transaction of its own, chained by the sequencer before the next one starts.

Resumable: a chunk is there exactly when its first person is (one transaction), so a run
stopped anywhere continues with the first missing chunk and never writes a chunk twice. The
run's parameters are in its first audit event; a run with others is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from audit.models import AuditEvent
from cases.accounts.models import Agency, User
from cases.generate import exchanges, people
from cases.generate.bulk import insert_rows
from cases.generate.plan import Plan
from cases.generate.population import Population, agency_rows, population, user_rows
from cases.generate.rows import TABLES, Chunk
from cases.persons.models import Person
from cases.policy import Permission, authorize
from core.db import utcnow
from core.fields import key_provider

SETUP = "setup"
_LOOKUP = 1000


class GeneratorMismatch(Exception):
    """The database holds generated data of other parameters (another size, seed or chunk)."""


@dataclass(frozen=True)
class ChunkDone:
    """One chunk's outcome, for the progress display."""

    chunk: int
    chunks: int
    persons: int
    events: int
    chained: int  # by this run's own sequencer calls (the commit's hook may chain first)
    build_seconds: float  # making the rows, encryption included
    insert_seconds: float
    commit_seconds: float  # the commit and the chaining of the chunk's events


def _setup_event(session: Session) -> Any:
    return session.execute(
        select(AuditEvent.details, AuditEvent.occurred_at)
        .where(AuditEvent.action == str(Action.BENCH_GENERATED), AuditEvent.object_id == SETUP)
        .limit(1)
    ).first()


def _parameters(plan: Plan) -> dict[str, int]:
    return {"persons": plan.persons, "seed": plan.seed, "chunk_size": plan.chunk_size}


def setup(session: Session, ctx: AuditContext, plan: Plan) -> tuple[Population, datetime]:
    """Write the agencies and users at the first run (committed); return them and the run's
    anchor, the moment "now" of the generated timeline (the first run's)."""
    made = population(plan)
    found = _setup_event(session)
    if found is not None:
        recorded = {key: found.details.get(key) for key in _parameters(plan)}
        if recorded != _parameters(plan):
            shown = ", ".join(f"{key} {value}" for key, value in recorded.items())
            raise GeneratorMismatch(f"this database holds generated data of {shown}")
        return made, found.occurred_at
    now = utcnow()
    session.execute(insert(Agency), agency_rows(made, now))
    session.execute(insert(User), user_rows(made, now))
    users = sum(len(a.caseworkers) + len(a.supervisors) for a in made.agencies) + 1
    record(
        session,
        ctx,
        Action.BENCH_GENERATED,
        object_type="generator",
        object_id=SETUP,
        agencies=len(made.agencies),
        users=users,
        extra=_parameters(plan),
    )
    session.commit()
    return made, now


def pending_chunks(session: Session, plan: Plan) -> list[int]:
    """The chunks not committed yet, in order."""
    markers = [plan.marker_id(chunk) for chunk in range(plan.chunks)]
    present: set[object] = set()
    for start in range(0, len(markers), _LOOKUP):
        wanted = markers[start : start + _LOOKUP]
        present.update(session.scalars(select(Person.id).where(Person.id.in_(wanted))))
    return [chunk for chunk, marker in enumerate(markers) if marker not in present]


def build(session: Session, plan: Plan, made: Population, chunk: int, anchor: datetime) -> Chunk:
    """Every row of one chunk (persons, their cases, referrals, meetings, events, facts)."""
    rows = Chunk(plan.rng(chunk), key_provider(session))
    sketches = [people.person(rows, plan, made, number, anchor) for number in plan.numbers(chunk)]
    for sketch in sketches:
        if sketch.number % 2 == 0:
            exchanges.referral(rows, sketch)
    numbers = plan.numbers(chunk)
    per = exchanges.PERSONS_PER_MEETING
    for meeting in range(numbers.start // per, numbers.stop // per):
        last = meeting * per + per - 1
        agenda = [s for s in sketches if last - exchanges.AGENDA_ITEMS < s.number <= last]
        if agenda:
            exchanges.meeting(rows, agenda, anchor)
    return rows


def _chain_all(chain: Callable[[], int]) -> int:
    total = 0
    while count := chain():
        total += count
    return total


def generate(
    session: Session,
    ctx: AuditContext,
    plan: Plan,
    chain: Callable[[], int],
    progress: Callable[[ChunkDone], None] | None = None,
) -> list[ChunkDone]:
    """Generate every missing chunk of `plan`; `chain` runs the sequencer once (returns how
    many events it chained). Commits each chunk; returns what this run did."""
    authorize(ctx.actor, Permission.BENCH_GENERATE)
    made, anchor = setup(session, ctx, plan)
    _chain_all(chain)  # what an interrupted run committed but did not chain
    done = []
    for chunk in pending_chunks(session, plan):
        started = time.perf_counter()
        rows = build(session, plan, made, chunk, anchor)
        built = time.perf_counter()
        connection = session.connection()
        for table in TABLES:
            insert_rows(connection, table, rows.rows.get(table.name, []))
        events = rows.count(AuditEvent)
        record(
            session,
            ctx,
            Action.BENCH_GENERATED,
            object_type="generator",
            object_id=f"chunk:{chunk}",
            persons=len(plan.numbers(chunk)),
            events=events,
        )
        inserted = time.perf_counter()
        session.commit()
        chained = _chain_all(chain)
        outcome = ChunkDone(
            chunk,
            plan.chunks,
            len(plan.numbers(chunk)),
            events + 1,
            chained,
            built - started,
            inserted - built,
            time.perf_counter() - inserted,
        )
        done.append(outcome)
        if progress is not None:
            progress(outcome)
    return done
