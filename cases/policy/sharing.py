"""The policy's rules of sharing within a case: when a consent is effective, what a new consent
must satisfy, when a disclosure releases notes, and who reads a note (DESIGN.md §3–§4).

`cases.policy` is the entry point (`decide`); this module holds the rules it and the services
share, on `cases.policy.facts` facts only. Thresholds come in `CaseRules`, never from globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases.policy.facts import (
    POLICE_COMPARTMENT,
    CaseFacts,
    CaseRules,
    ConsentFacts,
    ConsentProposal,
    DisclosureFacts,
    GivenBy,
    LegalBasis,
)
from cases.policy.legal_bases import basis_entry, basis_fits

# --- calendar -------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    """Full years of age on `day` (a 29 February child turns a year older on 28 February)."""
    years = day.year - born.year
    return years if add_years(born, years) <= day else years - 1


def local_midnight(day: date, rules: CaseRules) -> datetime:
    """00:00 of `day` where the work is done, as an aware UTC time."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(rules.timezone)).astimezone(UTC)


def local_day(moment: datetime, rules: CaseRules) -> date:
    return moment.astimezone(ZoneInfo(rules.timezone)).date()


def end_of_day(day: date, rules: CaseRules) -> datetime:
    """The last moment of `day` where the work is done: validity dates are whole local days, so
    a consent given and recorded at 00:30 in Helsinki is in effect at once, and one valid until
    a day holds to its end there."""
    return local_midnight(day + timedelta(days=1), rules) - timedelta(microseconds=1)


def last_valid_day(given_on: date, rules: CaseRules) -> date:
    """The last day a consent given on `given_on` may be valid: the maximum term from it."""
    return add_years(given_on, rules.consent_max_years) - timedelta(days=1)


def add_months_last_day(day: date, months: int) -> date:
    """The last day of a period of `months` starting on `day` (2026-11-18 + 12 → 2027-11-17)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day)) - timedelta(days=1)


# --- consent --------------------------------------------------------------------------------


def age_rule_met(given_by: GivenBy | str, age_when_given: int, rules: CaseRules) -> bool:
    """Under the self-consent age a guardian (or both) consents; from it the young person."""
    if age_when_given < rules.consent_self_age:
        return given_by in (GivenBy.GUARDIAN, GivenBy.BOTH)
    return given_by in (GivenBy.SELF, GivenBy.BOTH)


def _birth_dates(consent: ConsentFacts, born: date | None) -> tuple[date, ...]:
    """The birth dates a consent is judged on: the one recorded with it and today's. An edit of
    the person's birth date can so only narrow a consent (issue 9: editing it is open to every
    team agency, widening sharing only to the lead agency)."""
    return tuple(d for d in (consent.born_when_given, born) if d is not None)


def guardian_consent_lapses_at(
    consent: ConsentFacts, born: date | None, rules: CaseRules
) -> datetime | None:
    """A guardian's consent alone stops at 00:00 local time on the young person's birthday at
    the self-consent age (by the earlier of the recorded and the current birth date); None for a
    consent the young person gave too."""
    if consent.given_by != GivenBy.GUARDIAN:
        return None
    dates = _birth_dates(consent, born)
    if not dates:
        # Nobody can tell when it lapses, so it is treated as lapsed from the start.
        return consent.valid_from
    return min(local_midnight(add_years(d, rules.consent_self_age), rules) for d in dates)


def consent_ends_at(consent: ConsentFacts, case: CaseFacts) -> datetime:
    """When the consent stops counting, withdrawal aside: the end of its validity, of the
    maximum term from the day it was given, or a guardian-only consent's lapse, whichever is
    first ("consents ending soon" lists this)."""
    rules = case.rules
    ends = min(consent.valid_until, end_of_day(last_valid_day(consent.given_on, rules), rules))
    lapse = guardian_consent_lapses_at(consent, case.person_birth_date, rules)
    return ends if lapse is None or lapse > ends else lapse - timedelta(microseconds=1)


def consent_effective(consent: ConsentFacts, case: CaseFacts, now: datetime) -> bool:
    """Within its validity and term, not withdrawn, given by the right people for the age on
    the day it was given, and (a guardian's alone) not past the young person's birthday."""
    if not consent.valid_from <= now <= consent_ends_at(consent, case):
        return False
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return False
    ages = {consent.age_when_given} | {
        age_on(d, consent.given_on) for d in _birth_dates(consent, case.person_birth_date)
    }
    return all(age_rule_met(consent.given_by, age, case.rules) for age in ages)


@dataclass(frozen=True)
class ConsentCheck:
    """The verdict on a consent about to be recorded; `problems` are (code, field) pairs."""

    problems: tuple[tuple[str, str], ...]
    age_when_given: int | None
    age_rule_met: bool
    late_entry: bool
    days_since_given: int
    validity_days: int


def check_consent(proposal: ConsentProposal) -> ConsentCheck:
    """DESIGN.md §3's rules on the dates of a consent, checked before it is recorded."""
    rules = proposal.case.rules
    problems: list[tuple[str, str]] = []
    days_since = (proposal.recorded_on - proposal.given_on).days
    late = days_since > rules.consent_late_entry_days
    if proposal.given_on > proposal.recorded_on:
        problems.append(("given_in_future", "given_on"))
    elif late and not proposal.has_late_entry_reason:
        problems.append(("late_entry_reason_required", "late_entry_reason"))
    withdrawn = proposal.latest_withdrawal_on
    if withdrawn is not None and proposal.given_on < withdrawn:
        problems.append(("given_before_withdrawal", "given_on"))
    if proposal.valid_from < proposal.given_on:
        problems.append(("from_before_given", "valid_from"))
    if proposal.valid_until < proposal.valid_from:
        problems.append(("until_before_from", "valid_until"))
    elif proposal.valid_until > last_valid_day(proposal.given_on, rules):
        problems.append(("validity_too_long", "valid_until"))
    born = proposal.case.person_birth_date
    age = age_on(born, proposal.given_on) if born is not None else None
    if born is not None and proposal.given_on < born:
        problems.append(("given_before_birth", "given_on"))
    return ConsentCheck(
        problems=tuple(problems),
        age_when_given=age,
        age_rule_met=age is not None and age_rule_met(proposal.given_by, age, rules),
        late_entry=late,
        days_since_given=max(days_since, 0),
        validity_days=(proposal.valid_until - proposal.valid_from).days + 1,
    )


# --- disclosures ----------------------------------------------------------------------------


def disclosure_ends_at(disclosure: DisclosureFacts, rules: CaseRules) -> datetime:
    """When the disclosure stops releasing anything: its expiry, or the end of the maximum term
    from the day it was granted for rows recorded before that term was set."""
    term_end = end_of_day(
        add_months_last_day(local_day(disclosure.granted_at, rules), rules.disclosure_max_months),
        rules,
    )
    return min(disclosure.expires_at, term_end)


def disclosure_active(disclosure: DisclosureFacts, now: datetime, rules: CaseRules) -> bool:
    """Granted, not expired, and within the maximum term (rows recorded before it was set)."""
    return disclosure.granted_at <= now < disclosure_ends_at(disclosure, rules)


def disclosure_fits(disclosure: DisclosureFacts, case: CaseFacts) -> bool:
    """The basis allows the disclosing agency's kind to disclose to the recipient's kind."""
    kinds = case.agency_kinds
    return basis_fits(
        disclosure.basis, kinds.get(disclosure.from_agency), kinds.get(disclosure.to_agency)
    )


def disclosure_problem(
    basis: str,
    discloser_kind: str | None,
    recipient_kind: str | None,
    granted_on: date,
    expires_on: date,
    rules: CaseRules,
) -> tuple[str, str] | None:
    """Why a disclosure may not be granted as asked, as (code, field); None when it may."""
    entry = basis_entry(basis)
    if entry is None:
        return ("invalid_choice", "basis")
    if discloser_kind not in entry.discloser_kinds:
        return ("basis_not_for_discloser", "basis")
    if recipient_kind not in entry.recipient_kinds:
        return ("basis_not_for_recipient", "to_agency")
    if expires_on < granted_on:
        return ("expiry_in_past", "expires_on")
    if expires_on > add_months_last_day(granted_on, rules.disclosure_max_months):
        return ("expiry_too_far", "expires_on")
    return None


def releases_notes(basis: LegalBasis | str) -> bool:
    entry = basis_entry(str(basis))
    return entry is not None and entry.releases_notes


def releasing_disclosures(
    case: CaseFacts, author_agency: object, reader_agency: object, category: str, now: datetime
) -> list[DisclosureFacts]:
    """Disclosures that release this author agency's notes of `category` to the reader's."""
    return [
        d
        for d in case.disclosures
        if disclosure_active(d, now, case.rules)
        and d.from_agency == author_agency
        and d.to_agency == reader_agency
        and category in d.categories
        and releases_notes(d.basis)
        and disclosure_fits(d, case)
    ]


def police_compartment(category: str) -> bool:
    return category in POLICE_COMPARTMENT
