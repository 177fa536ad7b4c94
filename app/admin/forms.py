"""Admin forms for agencies and users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from app.accounts.messages import AGENCY_KIND_LABELS, ROLE_LABELS
from app.forms import SiltaForm

AGENCY_KINDS = [SelectChoice(kind.value, label) for kind, label in AGENCY_KIND_LABELS.items()]
ROLES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class AgencyForm(SiltaForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=16)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=AGENCY_KINDS)


class UserForm(SiltaForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Enter a username.")), Length(max=64)]
    )
    display_name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    agency = SelectField(_l("Agency"), choices=[])
    role = SelectField(_l("Role"), choices=ROLES)


class ActiveForm(SiltaForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])
