"""The young person's summary page: the language and audience chosen with a GET form, one
service call (`cases.rights.summary.youth_summary`, which decides and audits), and the sheet
rendered in the chosen language (`force_locale`) inside a page in the interface's language.

A case the user may not reach answers like a missing one (404, audited); a guardian's version
of a young person who forbids disclosure to their guardian is refused with a message saying so
(403, audited), and so is a summary about an erased person.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app.casework.settings import case_rules
from app.extensions import db
from app.i18n import served_language
from app.security import audit_context, audit_denial, requires
from app.youth_summary.forms import SUMMARY_LANGUAGES, SummaryForm
from cases.policy import Permission, PolicyDenied, Reason
from cases.policy.summary import Audience
from cases.rights.summary import youth_summary

bp = Blueprint("youth_summary", __name__, url_prefix="/cases")

REFUSALS = {
    Reason.GUARDIAN_FORBIDDEN: _l(
        "The young person has forbidden disclosure to their guardian, so no guardian version of "
        "this summary is produced. The young person's own version is available."
    ),
    Reason.PERSON_ERASED: _l("This person's data has been erased; there is nothing to summarise."),
}


def _form() -> SummaryForm:
    """The form from the query, defaulting to the interface language and the young person."""
    chosen = MultiDict({"lang": str(get_locale()), "audience": Audience.YOUNG_PERSON.value})
    if chosen["lang"] not in SUMMARY_LANGUAGES:
        chosen["lang"] = "fi"
    for key in ("lang", "audience"):
        if key in request.args:
            chosen[key] = request.args[key]
    return SummaryForm(formdata=chosen)


def _page(form: SummaryForm, case_id: uuid.UUID, sheet: str = "", refusal: str = "") -> str:
    return render_template(
        "youth_summary/page.html", form=form, case_id=case_id, sheet=sheet, refusal=refusal
    )


@bp.get("/<uuid:case_id>/summary")
@requires(Permission.SUMMARY_PRODUCE)
def summary(case_id: uuid.UUID) -> tuple[str, int]:
    form = _form()
    if not form.validate():
        return _page(form, case_id), 400
    language, audience = form.lang.data, Audience(form.audience.data)
    try:
        found = youth_summary(
            db(), audit_context(), case_id, audience, language, rules=case_rules()
        )
    except PolicyDenied as exc:
        refusal = REFUSALS.get(exc.decision.reason)
        if refusal is None:
            raise  # the application's handler audits it and answers 404 or 403
        audit_denial(
            exc.permission, exc.decision, exc.object_type, exc.object_id, subject=exc.subject_id
        )
        return _page(form, case_id, refusal=str(refusal)), 403
    if found is None:
        abort(404)
    db().commit()
    served = served_language(language)  # English where that catalogue is not compiled
    with force_locale(served):
        sheet = render_template("youth_summary/sheet.html", summary=found, lang=served)
    # Rendered by Jinja with autoescape from the service's values: already escaped.
    return _page(form, case_id, sheet=Markup(sheet)), 200  # noqa: S704  # nosec B704  # Jinja-escaped
