"""Benchmark commands (`flask bench …`), refused in production."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack

import click
from flask.cli import AppGroup

from app.commands import command_context, fail, keyring_or_exit, refuse_in_production
from app.extensions import db, silta
from cases import generate as generator

bench_cli = AppGroup("bench", help="Benchmark data (refused in production).")


@bench_cli.command("generate")
@click.option("--persons", type=click.IntRange(1, generator.MAX_PERSONS), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--chunk-size", type=click.IntRange(1, 100_000), default=1000, show_default=True)
def bench_generate(persons: int, seed: int, chunk_size: int) -> None:
    """Generate synthetic persons, cases, notes, referrals, meetings and chained audit events
    (resumable: run it again with the same options to finish an interrupted run)."""
    refuse_in_production("bench")
    keyring_or_exit()
    plan = generator.Plan(persons, seed, chunk_size)
    terminal = sys.stderr.isatty()
    with ExitStack() as stack:
        advance: list[Callable[[int], None]] = []
        if terminal:
            bar = stack.enter_context(
                click.progressbar(length=plan.chunks, label="Generating", file=sys.stderr)
            )
            advance.append(bar.update)

        def progress(done: generator.ChunkDone) -> None:
            if advance:
                advance[0](1)
                return
            click.echo(
                f"chunk {done.chunk + 1}/{done.chunks}: {done.persons} persons, "
                f"{done.events} audit events; built in {done.build_seconds:.1f} s, inserted in "
                f"{done.insert_seconds:.1f} s, committed and chained in {done.commit_seconds:.1f} s"
            )

        try:
            done = generator.generate(
                db(), command_context("bench generate"), plan, silta().sequencer.run, progress
            )
        except generator.GeneratorMismatch as exc:
            db().rollback()
            fail(f"{exc}; use those options or an empty database")
            return
    click.echo(
        f"Generated {sum(d.persons for d in done)} persons in {len(done)} chunks "
        f"({plan.chunks - len(done)} already present); {plan.persons} persons in all."
    )
