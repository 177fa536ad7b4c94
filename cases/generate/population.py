"""The agencies and practitioners of a generated data set, derived from the plan alone (so a
resumed run knows them without reading them back), and written once at the first run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from cases.accounts.models import AgencyKind, Role
from cases.generate.plan import Plan

# Who leads the generated cases (the demo's mix: social services most, then youth work and
# the police, fewer by the NGO); schools and health care join teams and receive referrals.
LEAD_KINDS: tuple[tuple[AgencyKind, int], ...] = (
    (AgencyKind.SOCIAL_SERVICES, 40),
    (AgencyKind.YOUTH_WORK, 25),
    (AgencyKind.POLICE, 20),
    (AgencyKind.NGO, 10),
    (AgencyKind.SCHOOL, 5),
)
KINDS = (*(kind for kind, _ in LEAD_KINDS), AgencyKind.HEALTH)
SHORT = {
    AgencyKind.SOCIAL_SERVICES: "sos",
    AgencyKind.YOUTH_WORK: "nuo",
    AgencyKind.POLICE: "pol",
    AgencyKind.NGO: "ngo",
    AgencyKind.SCHOOL: "kou",
    AgencyKind.HEALTH: "ter",
    AgencyKind.COORDINATION: "tur",
}
NAMES = {
    AgencyKind.SOCIAL_SERVICES: "Sosiaalipalvelut",
    AgencyKind.YOUTH_WORK: "Nuorisopalvelut",
    AgencyKind.POLICE: "Poliisilaitos",
    AgencyKind.NGO: "Nuorten tukiyhdistys",
    AgencyKind.SCHOOL: "Koulupalvelut",
    AgencyKind.HEALTH: "Nuorisoterveys",
    AgencyKind.COORDINATION: "Koordinaatio",
}
PERSONS_PER_AGENCY = 100_000  # of each kind
CASES_PER_CASEWORKER = 100
CASEWORKERS_PER_SUPERVISOR = 10
# Marks the generated rows of the accounts tables (not a real agency's code).
CODE_PREFIX = "gen-"
NO_PASSWORD = "!generated: no password, sign-in impossible"  # noqa: S105 - not a password


@dataclass(frozen=True)
class Member:
    """A generated practitioner, usable as the actor of an audit event."""

    id: uuid.UUID
    username: str
    role: str
    agency_id: uuid.UUID
    active: bool = True


@dataclass(frozen=True)
class GeneratedAgency:
    id: uuid.UUID
    code: str
    kind: AgencyKind
    caseworkers: tuple[Member, ...]
    supervisors: tuple[Member, ...]


@dataclass(frozen=True)
class Population:
    agencies: tuple[GeneratedAgency, ...]
    by_kind: dict[AgencyKind, tuple[GeneratedAgency, ...]]
    auditor: Member

    def of_kind(self, kind: AgencyKind, number: int) -> GeneratedAgency:
        """The agency of `kind` serving person `number` (each kind's agencies share them out)."""
        agencies = self.by_kind[kind]
        return agencies[number % len(agencies)]


def _id(plan: Plan, *parts: object) -> uuid.UUID:
    return uuid.uuid5(
        uuid.NAMESPACE_URL, "silta-generate:" + ":".join(map(str, (plan.seed, *parts)))
    )


def population(plan: Plan) -> Population:
    """The agencies and users for `plan.persons` young people."""
    per_kind = max(1, plan.persons // PERSONS_PER_AGENCY)
    caseworkers = max(2, plan.persons // (per_kind * len(KINDS) * CASES_PER_CASEWORKER))
    supervisors = max(1, caseworkers // CASEWORKERS_PER_SUPERVISOR)
    agencies = []
    for kind in KINDS:
        for index in range(1, per_kind + 1):
            code = f"{CODE_PREFIX}{SHORT[kind]}-{index:02d}"
            agency_id = _id(plan, "agency", code)

            def members(
                role: Role, count: int, code: str = code, agency: uuid.UUID = agency_id
            ) -> tuple[Member, ...]:
                short = "cw" if role is Role.CASEWORKER else "sv"
                return tuple(
                    Member(
                        _id(plan, "user", code, short, k), f"{code}-{short}{k:03d}", role, agency
                    )
                    for k in range(1, count + 1)
                )

            agencies.append(
                GeneratedAgency(
                    agency_id,
                    code,
                    kind,
                    members(Role.CASEWORKER, caseworkers),
                    members(Role.SUPERVISOR, supervisors),
                )
            )
    coordination = f"{CODE_PREFIX}{SHORT[AgencyKind.COORDINATION]}-01"
    coordination_id = _id(plan, "agency", coordination)
    auditor = Member(
        _id(plan, "user", coordination, "au", 1),
        f"{coordination}-au001",
        Role.AUDITOR,
        coordination_id,
    )
    agencies.append(GeneratedAgency(coordination_id, coordination, AgencyKind.COORDINATION, (), ()))
    by_kind = {kind: tuple(a for a in agencies if a.kind == kind) for kind in KINDS}
    return Population(tuple(agencies), by_kind, auditor)


def agency_rows(people: Population, now: datetime) -> list[dict[str, object]]:
    return [
        {
            "id": agency.id,
            "code": agency.code,
            "name": f"{NAMES[agency.kind]} {agency.code[len(CODE_PREFIX) :]} (synteettinen)",
            "kind": str(agency.kind),
            "active": True,
            "created_at": now,
        }
        for agency in people.agencies
    ]


def user_rows(people: Population, now: datetime) -> list[dict[str, object]]:
    members = [m for a in people.agencies for m in (*a.caseworkers, *a.supervisors)]
    return [
        {
            "id": member.id,
            "agency_id": member.agency_id,
            "username": member.username,
            "display_name": f"Synteettinen {member.username}",
            "role": str(member.role),
            "password_hash": NO_PASSWORD,
            "must_change_password": False,
            "password_changed_at": now,
            "failed_attempts": 0,
            "active": True,
            "is_demo": False,
            "created_at": now,
            "credential_version": 1,
        }
        for member in [*members, people.auditor]
    ]
