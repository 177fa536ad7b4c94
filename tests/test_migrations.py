"""Models and migrations agree (on whichever engine the suite runs against)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import migrations
from core.db import make_engine
from migrations.metadata import target_metadata


def test_migrations_match_the_models(databases) -> None:
    engine = make_engine(databases.template)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "target_metadata": target_metadata}
            )
            differences = compare_metadata(context, target_metadata)
            assert differences == [], differences
            assert context.get_current_revision() == migrations.current_head()
    finally:
        engine.dispose()


def test_every_table_has_a_uuid_primary_key(databases) -> None:
    engine = make_engine(databases.template)
    try:
        inspector = inspect(engine)
        for table in target_metadata[0].sorted_tables:
            pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
            assert pk == ["id"], table.name
            assert table.c.id.type.python_type.__name__ == "UUID", table.name
    finally:
        engine.dispose()
