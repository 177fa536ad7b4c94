"""Forms of the register: a person's details and the two searches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import SiltaForm
from cases.persons.models import MotherTongue
from cases.persons.services import Guardian, PersonDetails

MOTHER_TONGUES = [
    SelectChoice(MotherTongue.FINNISH.value, _l("Finnish")),
    SelectChoice(MotherTongue.SWEDISH.value, _l("Swedish")),
    SelectChoice(MotherTongue.OTHER.value, _l("Other")),
]
_TEXT = [Optional(), Length(max=200)]


class PersonForm(SiltaForm):
    given_names = StringField(
        _l("Given names"), validators=[DataRequired(_l("Enter the given names.")), Length(max=200)]
    )
    surname = StringField(
        _l("Surname"), validators=[DataRequired(_l("Enter the surname.")), Length(max=200)]
    )
    birth_date = DateField(
        _l("Date of birth"),
        validators=[InputRequired(_l("Enter the date of birth."))],
        render_kw={"autocomplete": "off"},
    )
    identity_code = StringField(
        _l("Personal identity code (optional)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    municipality = StringField(_l("Municipality"), validators=_TEXT)
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("E-mail"), validators=_TEXT)
    guardian1_name = StringField(_l("Guardian 1: name"), validators=_TEXT)
    guardian1_contact = StringField(_l("Guardian 1: phone or e-mail"), validators=_TEXT)
    guardian2_name = StringField(_l("Guardian 2: name"), validators=_TEXT)
    guardian2_contact = StringField(_l("Guardian 2: phone or e-mail"), validators=_TEXT)
    mother_tongue = SelectField(_l("Mother tongue"), choices=MOTHER_TONGUES)
    forbids_guardian_disclosure = BooleanField(_l("Forbids disclosure to guardian"))
    confirm_duplicate = BooleanField(_l("Register anyway: this is a different person"))

    def details(self) -> PersonDetails:
        return PersonDetails(
            given_names=self.given_names.data or "",
            surname=self.surname.data or "",
            birth_date=self.birth_date.data,
            identity_code=self.identity_code.data or None,
            municipality=self.municipality.data or "",
            postal_code=self.postal_code.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            guardians=(
                Guardian(self.guardian1_name.data or "", self.guardian1_contact.data or ""),
                Guardian(self.guardian2_name.data or "", self.guardian2_contact.data or ""),
            ),
            mother_tongue=self.mother_tongue.data,
            forbids_guardian_disclosure=bool(self.forbids_guardian_disclosure.data),
        )

    def fill(self, details: PersonDetails) -> None:
        for name in (
            "given_names",
            "surname",
            "birth_date",
            "identity_code",
            "municipality",
            "postal_code",
            "phone",
            "email",
            "mother_tongue",
            "forbids_guardian_disclosure",
        ):
            getattr(self, name).data = getattr(details, name)
        for number, guardian in enumerate(details.guardians[:2], start=1):
            getattr(self, f"guardian{number}_name").data = guardian.name
            getattr(self, f"guardian{number}_contact").data = guardian.contact


class CodeSearchForm(SiltaForm):
    identity_code = StringField(
        _l("Personal identity code"),
        validators=[DataRequired(_l("Enter an identity code.")), Length(max=20)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class NameSearchForm(SiltaForm):
    surname = StringField(
        _l("Surname"), validators=[DataRequired(_l("Enter the surname.")), Length(max=200)]
    )
    birth_date = DateField(
        _l("Date of birth"), validators=[InputRequired(_l("Enter the date of birth."))]
    )
