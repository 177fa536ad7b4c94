"""Packaging (issue 15, item 8): the wheel ships compiled catalogues; `lang` names what is served
(and the production lock file pins what pyproject.toml asks for)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import AppFactory

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ("fi", "sv")
# What a fresh clone lacks: local environments, build output and every compiled catalogue.
NOT_SOURCE = (".git", ".venv", "node_modules", "build", "instance", "*.egg-info", "*.mo", "*cache*")


PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\]+) \\$", re.MULTILINE)


def test_the_lock_pins_every_dependency_with_hashes_and_within_its_range() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    pins = {canonicalize_name(name): version for name, version in PIN.findall(lock)}
    assert len(pins) > 30
    # Every requirement is an exact pin followed by its hashes (for pip's --require-hashes).
    hashed = re.findall(r"^\S+==\S+ \\\n +--hash=sha256:[0-9a-f]{64}", lock, re.MULTILINE)
    assert lock.count("==") == len(pins) == len(hashed)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{name} is not in requirements.lock: run pip-compile (README)"
        assert wanted.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def _source_catalogue(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel . --no-deps`, as a production build makes it (build isolation included), from
    a copy of the tree without any compiled catalogue: the build itself must make them."""
    source = tmp_path_factory.mktemp("source") / "silta"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    assert not list(source.rglob("*.mo"))
    target = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(target)],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = target.glob("silta-*.whl")
    return found


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_wheel_ships_each_catalogue_compiled_from_its_po(wheel: Path, code: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        mo_name = f"app/translations/{code}/LC_MESSAGES/messages.mo"
        assert mo_name in names, sorted(n for n in names if "translations" in n)
        compiled = Translations(io.BytesIO(archive.read(mo_name)))
    translated = [m for m in _source_catalogue(code) if m.id and m.string and not m.fuzzy]
    assert len(translated) > 100
    for message in translated:
        if isinstance(message.id, str):
            assert compiled.ugettext(message.id) == message.string, message.id
        else:
            assert compiled.ungettext(message.id[0], message.id[1], 1) == message.string[0]


def _compiled_copy(directory: Path, codes: tuple[str, ...]) -> Path:
    for code in codes:
        target = directory / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as handle:
            write_mo(handle, _source_catalogue(code))
    return directory


def _login(app: Flask, language: str) -> str:
    return app.test_client().get("/login", headers={"Accept-Language": language}).text


def test_without_catalogues_the_page_is_english_and_says_so(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path), SILTA_DEFAULT_LOCALE="fi")
    for language in ("fi", "sv", "de"):  # asked for, and the (Finnish) default
        page = _login(app, language)
        assert '<html lang="en">' in page and "Sign in" in page, language
        assert "Kirjaudu" not in page and "Logga in" not in page


def test_a_missing_catalogue_falls_back_to_english_the_others_are_served(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(_compiled_copy(tmp_path, ("sv",))))
    finnish_asked = _login(app, "fi")
    assert '<html lang="en">' in finnish_asked and "Kirjaudu" not in finnish_asked
    swedish = _login(app, "sv")
    assert '<html lang="sv">' in swedish and "Logga in" in swedish


def test_with_catalogues_finnish_is_served_under_lang_fi(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(_compiled_copy(tmp_path, LANGUAGES)))
    page = _login(app, "fi")
    assert '<html lang="fi">' in page and "Kirjaudu" in page
