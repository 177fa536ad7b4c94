"""The legal bases for disclosing without consent (DESIGN.md §3): one table, data only.

A city's lawyer corrects a citation here (for example when a section moves to another act)
without touching any rule: the policy asks `basis_fits`, the forms list `BASES`, the pages cite
`statute` and `section`. The code of a basis is its stored identifier and never changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.accounts.models import AgencyKind
from cases.policy.facts import LegalBasis


def N_(text: str) -> str:
    """Mark a text for the translation catalogue; the UI translates it when it shows it."""
    return text


ALL_KINDS = frozenset(AgencyKind)


@dataclass(frozen=True)
class BasisEntry:
    code: LegalBasis
    statute: str  # the act's name and number, as cited in the UI
    section: str  # as the act numbers it ("25a"); the UI places the section sign
    purpose: str  # a few words on what the section is for
    discloser_kinds: frozenset[AgencyKind]
    recipient_kinds: frozenset[AgencyKind]
    releases_notes: bool  # False: identification and contact data only, no notes
    releases: str  # what a disclosure under it releases, for the form's explanation


BASES: tuple[BasisEntry, ...] = (
    BasisEntry(
        LegalBasis.CHILD_WELFARE_25,
        N_("Child Welfare Act 417/2007"),
        "25",
        N_("notification"),
        ALL_KINDS - {AgencyKind.SOCIAL_SERVICES},
        frozenset({AgencyKind.SOCIAL_SERVICES}),
        True,
        N_("the disclosing agency's notes in the chosen categories"),
    ),
    BasisEntry(
        LegalBasis.CHILD_WELFARE_25A,
        N_("Child Welfare Act 417/2007"),
        "25a",
        N_("joint contact"),
        ALL_KINDS - {AgencyKind.SOCIAL_SERVICES},
        frozenset({AgencyKind.SOCIAL_SERVICES}),
        True,
        N_("the disclosing agency's notes in the chosen categories"),
    ),
    BasisEntry(
        LegalBasis.SOCIAL_WELFARE_35,
        N_("Social Welfare Act 1301/2014"),
        "35",
        N_("contact without consent"),
        ALL_KINDS - {AgencyKind.SOCIAL_SERVICES},
        frozenset({AgencyKind.SOCIAL_SERVICES}),
        True,
        N_("the disclosing agency's notes in the chosen categories"),
    ),
    BasisEntry(
        LegalBasis.YOUTH_ACT_11,
        N_("Youth Act 1285/2016"),
        "11",
        N_("outreach youth work: identification and contact data only"),
        # Authorities only: an NGO is not one.
        ALL_KINDS - {AgencyKind.NGO},
        frozenset({AgencyKind.YOUTH_WORK}),
        False,
        N_("identification and contact data only; no notes"),
    ),
    BasisEntry(
        LegalBasis.POLICE_812_18,
        N_("Act 812/2000"),
        "18",
        N_("disclosure to police"),
        frozenset({AgencyKind.SOCIAL_SERVICES, AgencyKind.HEALTH}),
        frozenset({AgencyKind.POLICE}),
        True,
        # The only basis on which health and social-welfare notes reach police.
        N_("the disclosing agency's notes in the chosen categories, health included"),
    ),
)

BY_CODE: dict[str, BasisEntry] = {entry.code.value: entry for entry in BASES}


def basis_entry(code: str) -> BasisEntry | None:
    return BY_CODE.get(code)


def basis_fits(code: str, discloser_kind: str | None, recipient_kind: str | None) -> bool:
    """Whether an agency of `discloser_kind` may disclose to one of `recipient_kind` under it."""
    entry = BY_CODE.get(code)
    return (
        entry is not None
        and discloser_kind in entry.discloser_kinds
        and recipient_kind in entry.recipient_kinds
    )


def bases_for(discloser_kind: str | None) -> tuple[BasisEntry, ...]:
    """The bases an agency of this kind may disclose under, in the table's order."""
    return tuple(entry for entry in BASES if discloser_kind in entry.discloser_kinds)
