"""Every form shares the text rules: no control characters, no line breaks in one-line fields."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

import app as app_package
from app.forms import SiltaForm

CONTROL = "Remove the control characters"
ONE_LINE = "This field takes one line"


def _form_classes() -> list[type[FlaskForm]]:
    found: dict[str, type[FlaskForm]] = {}
    for module_info in pkgutil.walk_packages(app_package.__path__, "app."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, FlaskForm)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return [found[key] for key in sorted(found)]


FORMS = _form_classes()


def _text_fields(form: FlaskForm) -> list[StringField]:
    return [
        field for field in form if isinstance(field, StringField) and field.name != "csrf_token"
    ]


def test_every_form_of_every_area_is_a_silta_form() -> None:
    assert len(FORMS) > 20
    outside = [f.__qualname__ for f in FORMS if not issubclass(f, SiltaForm)]
    assert outside == [], "forms that skip the shared text rules"


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__qualname__)
def test_a_control_character_in_any_text_field_is_a_field_error(
    app: Flask, form_class: type[FlaskForm]
) -> None:
    with app.test_request_context(method="POST"):
        fields = _text_fields(form_class(meta={"csrf": False}))
        for field in fields:
            for char in ("\x00", "\x1b", "\x7f"):
                form = form_class(
                    formdata=MultiDict({field.name: f"ab{char}cd"}), meta={"csrf": False}
                )
                assert not form.validate()
                assert any(CONTROL in str(e) for e in form[field.name].errors), (field.name, char)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__qualname__)
def test_line_breaks_only_in_text_areas(app: Flask, form_class: type[FlaskForm]) -> None:
    with app.test_request_context(method="POST"):
        for field in _text_fields(form_class(meta={"csrf": False})):
            for text in ("first\r\nsecond", "first\nsecond", "first\u2028second"):
                form = form_class(formdata=MultiDict({field.name: text}), meta={"csrf": False})
                form.validate()
                errors = [str(e) for e in form[field.name].errors]
                if isinstance(field, TextAreaField):
                    assert not any(CONTROL in e or ONE_LINE in e for e in errors), field.name
                else:
                    assert any(ONE_LINE in e for e in errors), (field.name, text)


def test_tabs_are_allowed_in_text_areas_only(app: Flask) -> None:
    from app.casework.forms import NoteForm
    from app.persons.forms import PersonForm

    with app.test_request_context(method="POST"):
        note = NoteForm(formdata=MultiDict({"body": "a\tb"}), meta={"csrf": False})
        note.validate()
        assert note.body.errors == []
        person = PersonForm(formdata=MultiDict({"surname": "a\tb"}), meta={"csrf": False})
        person.validate()
        assert any(CONTROL in str(e) for e in person.surname.errors)


def test_passwords_are_text_fields_too(app: Flask) -> None:
    from app.auth.forms import LoginForm

    with app.test_request_context(method="POST"):
        form = LoginForm(
            formdata=MultiDict({"username": "sanna", "password": "pass\x00word-long-enough"}),
            meta={"csrf": False},
        )
        assert isinstance(form.password, PasswordField)
        assert not form.validate() and any(CONTROL in str(e) for e in form.password.errors)
