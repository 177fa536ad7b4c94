"""Build hook: a built wheel ships the compiled message catalogues (.mo), made from the .po files.

Everything else is declared in pyproject.toml. The .mo files are generated, so none is committed
(.gitignore): `pip install .` and `pip wheel .` compile every `app/translations/*/LC_MESSAGES/
messages.po` into the build directory with Babel, the library Flask-Babel reads them with. An
editable install (`pip install -e .`, what `make` does) builds nothing; there `make translations`
compiles them in place.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogues(translations: Path) -> list[Path]:
    """Compile every messages.po under `translations` into a messages.mo beside it."""
    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parents[1].name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        written.append(mo)
    if not written:
        raise RuntimeError(f"no message catalogues under {translations}")
    return written


class BuildPyWithCatalogues(build_py):
    """`build_py`, then the catalogues compiled in the build directory (never in the source)."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            for mo in compile_catalogues(Path(self.build_lib) / "app" / "translations"):
                self.announce(f"compiled {mo}", level=2)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
