"""The test builders work through the real services on a session without Flask."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from cases.casework import services as casework
from tests.factories import Builders, as_user


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.occurred_at)))


class TestBuilders:
    def test_each_builder_is_audited_like_the_service_it_calls(
        self, domain_session: Session
    ) -> None:
        build = Builders(domain_session)
        sanna = build.user("sanna", agency="sos")
        case = build.case(sanna)
        build.consent(case, sanna)
        build.note(case, sanna)
        domain_session.commit()
        assert _actions(domain_session) == [
            "admin:agency:create",
            "admin:user:create",
            "person:create",
            "case:open",
            "case:consent:record",
            "case:note:write",
        ]

    def test_a_consented_team_agency_reads_the_general_notes_only(
        self, domain_session: Session
    ) -> None:
        build = Builders(domain_session)
        sanna, noora = build.user("sanna", agency="sos"), build.user("noora", agency="nuo")
        case = build.case(sanna)
        build.consent(case, sanna, recipients=[noora.agency], categories=["general"])
        build.member(case, sanna, noora)
        build.note(case, sanna, body="yleinen", category="general")
        build.note(case, sanna, body="perhe", category="family")
        build.note(case, noora, body="nuorisotalo", category="general")
        domain_session.commit()
        shown = casework.view_case(domain_session, as_user(noora), case)
        assert sorted(r.body for r in shown.notes) == ["nuorisotalo", "yleinen"]
        assert shown.hidden == 1

    def test_names_and_codes_are_unique_by_default(self, domain_session: Session) -> None:
        build = Builders(domain_session)
        users = [build.user() for _ in range(3)]
        lead = users[0]
        people = [build.person(lead) for _ in range(3)]
        assert len({u.username for u in users}) == 3
        assert len({p.id for p in people}) == 3
        assert build.agency("sos") is lead.agency
