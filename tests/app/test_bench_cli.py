"""`flask bench generate`: refused in production, and on data generated with other options
(the generator's behaviour is in tests/cases/test_generate.py)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from cases.persons.models import Person


def _generate(app: Flask, *extra: str) -> tuple[int, str]:
    args = ["bench", "generate", "--persons", "40", "--chunk-size", "10", *extra]
    result = app.test_cli_runner().invoke(args=args)
    return result.exit_code, result.output


def test_bench_generate_is_refused_in_production(app: Flask) -> None:
    app.config["SILTA_ENV"] = "production"
    code, output = _generate(app)
    assert code == 1 and "bench commands are refused when SILTA_ENV=production" in output
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(Person)) == 0


def test_a_run_prints_a_line_per_chunk_off_a_terminal(app: Flask) -> None:
    code, output = _generate(app)
    assert code == 0, output
    assert [line.split(":")[0] for line in output.splitlines() if line.startswith("chunk ")] == [
        "chunk 1/4",
        "chunk 2/4",
        "chunk 3/4",
        "chunk 4/4",
    ]


def test_other_options_are_refused_on_generated_data(app: Flask) -> None:
    assert _generate(app)[0] == 0
    code, output = _generate(app, "--seed", "7")
    assert code == 1
    assert "holds generated data of persons 40, seed 0, chunk_size 10" in output
