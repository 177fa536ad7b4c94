"""Language selection: the user's choice, then a cookie, then the browser, then the default."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app import dates
from app.accounts.messages import agency_kind_label, role_label
from app.casework.messages import (
    CATEGORY_LABELS,
    CONCERN_LABELS,
    CONSENT_STATE_LABELS,
    GIVEN_BY_LABELS,
    OUTCOME_LABELS,
    basis_label,
    basis_recipients,
    basis_releases,
)
from app.extensions import babel, db
from app.messages import label
from app.persons.messages import mother_tongue_label, person_field_label
from cases.accounts import services as accounts

LABEL_FILTERS: dict[str, dict[str, object]] = {
    "category_label": CATEGORY_LABELS,
    "concern_label": CONCERN_LABELS,
    "outcome_label": OUTCOME_LABELS,
    "given_by_label": GIVEN_BY_LABELS,
    "consent_state_label": CONSENT_STATE_LABELS,
}


def _agency_name(agency_id: object) -> str:
    """An agency's name for templates (ids in JSON lists are strings)."""
    try:
        key = agency_id if isinstance(agency_id, uuid.UUID) else uuid.UUID(str(agency_id))
    except ValueError:
        return "–"
    agency = accounts.get_agency(db(), key)
    return agency.name if agency is not None else "–"


LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LANGUAGE_COOKIE = "silta_lang"
# The source strings are English: English is served without a catalogue, and instead of a
# language whose compiled catalogue (messages.mo) is missing.
SOURCE_LANGUAGE = "en"
_SERVABLE = "silta.servable_languages"


def _compiled_languages(app: Flask) -> frozenset[str]:
    """The languages whose compiled catalogue Flask-Babel can load, and the source language."""
    directories = [Path(d) for d in app.extensions["babel"].translation_directories]
    return frozenset(
        code
        for code in LANGUAGES
        if code == SOURCE_LANGUAGE
        or any((d / code / "LC_MESSAGES" / "messages.mo").is_file() for d in directories)
    )


def served_language(code: str) -> str:
    """The language a page asked for in `code` is served in: `code` when its catalogue is
    compiled, else English. `<html lang>` and every `force_locale` go through this, so the
    language a page names is the one its text is in."""
    return code if code in current_app.extensions[_SERVABLE] else SOURCE_LANGUAGE


def _wanted_language() -> str:
    if not has_request_context():
        return str(current_app.config["SILTA_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated:
        chosen = current_user.user.locale
        if chosen in LANGUAGES:
            return str(chosen)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or str(current_app.config["SILTA_DEFAULT_LOCALE"])


def select_locale() -> str:
    return served_language(_wanted_language())


@dataclass
class _Catalogue:
    """The request's message catalogue and the labels it has rendered, for one locale."""

    locale: Locale | None
    translations: NullTranslations
    labels: dict[tuple[str, str], str] = field(default_factory=dict)


def _catalogue() -> _Catalogue:
    """Flask-Babel's catalogue for this request, looked up once per request and locale (its own
    look-up costs several context look-ups per string; a page renders dozens)."""
    locale = get_locale()
    # `g` resolved once: each look-up through the proxy costs a context-variable read.
    state = g._get_current_object()
    cached: _Catalogue | None = getattr(state, "_silta_catalogue", None)
    if cached is None or cached.locale is not locale:
        cached = _Catalogue(locale, get_translations())
        state._silta_catalogue = cached
    return cached


@pass_context
def _gettext(context: Context, string: str, /, **variables: Any) -> str:
    """Jinja's newstyle `gettext` (escaped under autoescape, always %-formatted), calling the
    catalogue directly: Jinja's own wraps the callable in two more context calls per string."""
    translated = _catalogue().translations.ugettext(string)
    if context.eval_ctx.autoescape:
        # Trusted as Jinja's own gettext trusts it: a catalogue string; `%` escapes the values.
        return Markup(translated) % variables  # noqa: S704  # nosec B704  # a catalogue string
    return translated % variables


def _label_filter(name: str, table: dict[str, object]) -> Callable[[str], str]:
    def render(value: str) -> str:
        labels = _catalogue().labels
        key = (name, value)
        if key not in labels:
            labels[key] = label(table, value)
        return labels[key]

    return render


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    servable = _compiled_languages(app)
    app.extensions[_SERVABLE] = servable
    for code in sorted(set(LANGUAGES) - servable):
        # An operator's problem (an install without the build step), not a user's: say it once.
        app.logger.warning(
            "no compiled catalogue for %r (messages.mo): serving %r instead; "
            "install from a built wheel or run 'pybabel compile -d app/translations'",
            code,
            SOURCE_LANGUAGE,
        )
    # Flask-Babel's output with the locale's patterns built once (`app.dates`).
    app.jinja_env.filters["datetimeformat"] = dates.format_datetime
    app.jinja_env.filters["dateformat"] = dates.format_date
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["agency_kind_label"] = agency_kind_label
    app.jinja_env.filters["person_field_label"] = person_field_label
    app.jinja_env.filters["mother_tongue_label"] = mother_tongue_label
    app.jinja_env.filters["basis_label"] = basis_label
    app.jinja_env.filters["basis_recipients"] = basis_recipients
    app.jinja_env.filters["basis_releases"] = basis_releases
    for name, table in LABEL_FILTERS.items():
        app.jinja_env.filters[name] = _label_filter(name, table)
    # Flask-Babel's gettext callables, with the catalogue looked up once per request.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n
        gettext=lambda s: _catalogue().translations.ugettext(s),
        ngettext=lambda s, p, n: _catalogue().translations.ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().translations.unpgettext(c, s, p, n),
    )
    # `_` is Jinja's alias that looks `gettext` up in the context on every call: the same
    # function, installed under both names.
    app.jinja_env.globals["gettext"] = _gettext
    app.jinja_env.globals["_"] = _gettext
    app.jinja_env.globals["agency_name"] = _agency_name
