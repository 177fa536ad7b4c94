"""Language selection: the user's choice, then a cookie, then the browser, then the default."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from app.extensions import babel
from app.messages import agency_kind_label, mother_tongue_label, person_field_label, role_label

LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LANGUAGE_COOKIE = "silta_lang"


def select_locale() -> str:
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


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["agency_kind_label"] = agency_kind_label
    app.jinja_env.filters["person_field_label"] = person_field_label
    app.jinja_env.filters["mother_tongue_label"] = mother_tongue_label
