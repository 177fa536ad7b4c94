"""Case work pages: my cases, the case page, notes, consents, disclosures, emergency access and
the team. Each route names its permission; the services decide on the case's facts. A case the
user may not reach answers exactly like a missing one (404, audited as a denial); a closed case
refuses new work with a message (`app.casework.pages`)."""

from __future__ import annotations

import uuid

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.forms import (
    ConsentForm,
    DisclosureForm,
    EmergencyForm,
    MyCasesForm,
    NoteForm,
    OpenCaseForm,
    TeamAgencyForm,
    TeamUserForm,
    WithdrawForm,
)
from app.casework.messages import basis_label
from app.casework.pages import (
    agency_choices,
    bp,
    of_this_case,
    reachable_case,
    show_error,
    submit,
    submit_page,
)
from app.casework.settings import case_rules
from app.extensions import db
from app.security import audit_context, fresh_required, requires
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.inputs import InputError
from cases.policy import Permission
from cases.policy.facts import CaseFacts

__all__ = ["bp"]


@bp.get("/")
@requires(Permission.CASE_READ)
def mine() -> tuple[str, int]:
    form = MyCasesForm(request.args)
    if request.args and not form.validate():
        return render_template("casework/mine.html", form=form, view=None), 400
    view = casework.my_cases_page(db(), audit_context(), form.wanted(), rules=case_rules())
    db().commit()
    return render_template("casework/mine.html", form=form, view=view), 200


@bp.get("/<uuid:case_id>")
@requires(Permission.CASE_READ)
def detail(case_id: uuid.UUID) -> str:
    case = reachable_case(case_id, Permission.CASE_READ)
    view = casework.view_case(
        db(), audit_context(), case, rules=case_rules(), loaded=g.get("case_loaded")
    )
    db().commit()
    return render_template("casework/case.html", view=view, agencies=view.agencies)


@bp.route("/open/<uuid:person_id>", methods=["GET", "POST"])
@requires(Permission.CASE_OPEN)
def open_case(person_id: uuid.UUID) -> Response | tuple[str, int]:
    person = casework.person_for_new_case(db(), audit_context(), person_id)
    if person is None:
        abort(404)
    form = OpenCaseForm()
    status = submit(
        form,
        lambda: casework.open_case(db(), audit_context(), person, form.concern_codes.data),
        _("The case was opened."),
    )
    if not isinstance(status, int):
        return status
    return render_template("casework/open.html", form=form, person=person), status


@bp.route("/<uuid:case_id>/notes/new", methods=["GET", "POST"])
@requires(Permission.NOTE_WRITE)
def new_note(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.NOTE_WRITE)
    supersedes = None
    if request.args.get("supersedes"):
        try:
            note_id = uuid.UUID(request.args["supersedes"])
        except ValueError:
            abort(404)
        supersedes = of_this_case(
            casework.note_in_case(db(), case, note_id),
            case,
            Permission.NOTE_WRITE,
            "note",
            note_id,
        )
    form = NoteForm()
    return submit_page(
        form,
        lambda: casework.write_note(
            db(),
            audit_context(),
            case,
            category=form.category.data,
            sensitivity=form.sensitivity.data,
            body=form.body.data,
            supersedes=supersedes,
        ),
        _("The note was saved."),
        case,
        title=_("Correct a note") if supersedes else _("New note"),
        fields=["category", "sensitivity", "body"],
    )


@bp.route("/<uuid:case_id>/consents/new", methods=["GET", "POST"])
@requires(Permission.CONSENT_RECORD)
def new_consent(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CONSENT_RECORD)
    form = ConsentForm()
    form.recipients.choices = agency_choices()
    rules = case_rules()
    return submit_page(
        form,
        lambda: casework.record_consent(
            db(),
            audit_context(),
            case,
            casework.ConsentInput(
                given_by=form.given_by.data,
                recipients=tuple(uuid.UUID(r) for r in form.recipients.data),
                categories=tuple(form.categories.data),
                purpose=form.purpose.data,
                how_recorded=form.how_recorded.data,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
                young_person_view=form.young_person_view.data or "",
                given_on=form.given_on.data,
                late_entry_reason=form.late_entry_reason.data or "",
            ),
            rules=rules,
        ),
        _("The consent was recorded."),
        case,
        title=_("Record a consent"),
        fields=[
            "given_by",
            "recipients",
            "categories",
            "purpose",
            "how_recorded",
            "given_on",
            "late_entry_reason",
            "valid_from",
            "valid_until",
            "young_person_view",
        ],
        hint=_(
            "The consent governs sharing in this case only. It is valid for at most "
            "%(years)d years from the day it was given. Given more than %(days)d days ago, it "
            "needs a late-entry reason, which is shown on the case page and to the auditors. "
            "A guardian's consent alone stops on the young person's %(age)d. birthday.",
            years=rules.consent_max_years,
            days=rules.consent_late_entry_days,
            age=rules.consent_self_age,
        ),
    )


@bp.route("/<uuid:case_id>/consents/<uuid:consent_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.CONSENT_WITHDRAW)
def withdraw_consent(case_id: uuid.UUID, consent_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CONSENT_WITHDRAW)
    consent = of_this_case(
        casework.consent_in_case(db(), case, consent_id),
        case,
        Permission.CONSENT_WITHDRAW,
        "consent",
        consent_id,
    )
    form = WithdrawForm()
    return submit_page(
        form,
        lambda: casework.withdraw_consent(
            db(), audit_context(), case, consent, form.reason.data, rules=case_rules()
        ),
        _("The consent was withdrawn. It no longer opens anything."),
        case,
        title=_("Withdraw a consent"),
        fields=["reason"],
    )


@bp.route("/<uuid:case_id>/disclosures/new", methods=["GET", "POST"])
@requires(Permission.DISCLOSURE_CREATE)
def new_disclosure(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.DISCLOSURE_CREATE, disclosing=True)
    form = DisclosureForm()
    ctx = audit_context()
    bases = casework.disclosure_bases(db(), ctx)
    form.to_agency.choices = [
        (str(a.id), a.name) for a in casework.disclosure_recipients(db(), ctx)
    ]
    form.basis.choices = [(entry.code.value, basis_label(entry.code.value)) for entry in bases]

    def disclose() -> object:
        recipient = accounts.get_agency(db(), uuid.UUID(form.to_agency.data))
        assert recipient is not None  # noqa: S101 - validated against the choices
        return casework.create_disclosure(
            db(),
            audit_context(),
            case,
            to_agency=recipient,
            categories=form.categories.data,
            basis=form.basis.data,
            justification=form.justification.data,
            expires_on=form.expires_on.data,
            rules=case_rules(),
        )

    return submit_page(
        form,
        disclose,
        _("The disclosure was recorded."),
        case,
        title=_("Disclose without consent"),
        fields=["to_agency", "basis", "categories", "justification", "expires_on"],
        hint=_(
            "Your agency's notes in the chosen categories become readable by the recipient "
            "until the expiry date, at most %(months)d months. Each legal basis allows "
            "disclosure only to some kinds of agency (listed below). Health and "
            "social-welfare notes reach police only under Act 812/2000 §18.",
            months=case_rules().disclosure_max_months,
        ),
        bases=bases,
    )


@bp.route("/<uuid:case_id>/emergency", methods=["GET", "POST"])
@requires(Permission.EMERGENCY_REQUEST)
@fresh_required
def emergency(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.EMERGENCY_REQUEST)
    form = EmergencyForm()
    return submit_page(
        form,
        lambda: casework.request_emergency_access(
            db(), audit_context(), case, form.justification.data, rules=case_rules()
        ),
        _("Emergency access is open for 4 hours. It is flagged for review."),
        case,
        title=_("Emergency access"),
        fields=["justification"],
        hint=_(
            "For 4 hours you can read this case's normal notes that are not otherwise shared "
            "with you — never restricted notes, and never health or social-welfare notes to "
            "police. The lead agency's supervisors review every use, and it is flagged to "
            "the auditors."
        ),
    )


@bp.route("/<uuid:case_id>/team", methods=["GET", "POST"])
@requires(Permission.TEAM_ADD)
def team(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.TEAM_ADD)
    facts: CaseFacts = g.case_facts  # decided on by `reachable_case` on this request
    agency_form = TeamAgencyForm(prefix="agency")
    agency_form.agency.choices = agency_choices(set(facts.member_agencies))
    user_form = TeamUserForm(prefix="user")
    user_form.user.choices = [
        (str(u.id), f"{u.display_name} ({u.agency.code})")
        for u in casework.team_candidates(db(), facts)
    ]
    status = 200
    if request.method == "POST":
        chosen = agency_form if request.form.get("add") == "agency" else user_form
        if chosen.validate_on_submit():
            try:
                if chosen is agency_form:
                    agency = accounts.get_agency(db(), uuid.UUID(agency_form.agency.data))
                    assert agency is not None  # noqa: S101 - validated against the choices
                    casework.add_team_agency(
                        db(), audit_context(), case, agency, rules=case_rules()
                    )
                else:
                    user = accounts.get_user(db(), uuid.UUID(user_form.user.data))
                    assert user is not None  # noqa: S101 - validated against the choices
                    casework.add_team_user(db(), audit_context(), case, user)
            except InputError as exc:
                db().commit()  # a refused addition is itself recorded
                show_error(chosen, exc)
                status = 400
            else:
                db().commit()
                flash(_("The team was updated."), "info")
                return redirect(url_for("casework.detail", case_id=case.id))
        else:
            status = 400
    return render_template(
        "casework/team.html", case=case, agency_form=agency_form, user_form=user_form
    ), status
