"""Which young person a request is about, from the ids in its address.

A refusal by the route guard happens before any service has loaded the resource, yet the refusal
still concerns a person and belongs in their access report (issue 9, finding 11). An id that names
no row concerns nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.casework.models import Case
from cases.persons.models import Person


def person_concerned(session: Session, view_args: Mapping[str, object]) -> uuid.UUID | None:
    """The person named by `person_id`, or whose case `case_id` is, when that row exists."""
    person_id = view_args.get("person_id")
    if isinstance(person_id, uuid.UUID):
        return session.scalar(select(Person.id).where(Person.id == person_id))
    case_id = view_args.get("case_id")
    if isinstance(case_id, uuid.UUID):
        return session.scalar(select(Case.person_id).where(Case.id == case_id))
    return None
