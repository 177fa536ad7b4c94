"""Alembic environment: migrate the database named by the caller."""

from __future__ import annotations

from alembic import context

from core.db import make_engine
from migrations.metadata import target_metadata

config = context.config


def run_migrations_online() -> None:
    url = config.attributes["database_url"]
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
