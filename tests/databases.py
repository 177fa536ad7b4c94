"""Throwaway databases for tests: migrate a template once, copy it for every test.

SQLite copies a migrated file; PostgreSQL (SILTA_TEST_DATABASE_URL) creates each test database
from a template database with CREATE DATABASE … TEMPLATE, and drops it afterwards.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import migrations


class SqliteDatabases:
    kind = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = self.url_for("template")
        migrations.upgrade(self.template)

    def url_for(self, name: str) -> str:
        return f"sqlite:///{self.directory / name}.db"

    def _path(self, url: str) -> Path:
        return Path(make_url(url).database or "")

    def new(self, source: str | None = None, name: str | None = None) -> str:
        name = name or f"t{uuid.uuid4().hex[:12]}"
        url = self.url_for(name)
        shutil.copyfile(self._path(source or self.template), self._path(url))
        return url

    def empty(self) -> str:
        return self.url_for(f"e{uuid.uuid4().hex[:12]}")

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self._path(url)}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    kind = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.prefix = f"silta_t_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.template = self._create(f"{self.prefix}_template")
        migrations.upgrade(self.template)

    def _url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self._url(name)

    def new(self, source: str | None = None, name: str | None = None) -> str:
        template = make_url(source or self.template).database
        return self._create(f"{self.prefix}_{name or uuid.uuid4().hex[:12]}", template)

    def empty(self) -> str:
        return self._create(f"{self.prefix}_{uuid.uuid4().hex[:12]}")

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(self._url(name))
        self.admin.dispose()
