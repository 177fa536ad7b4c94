"""orjson (the fast path) and rfc8785 (the reference) agree byte for byte on the event schema."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.canonical import canonical, canonical_reference
from audit.events import event_document
from audit.models import AuditEvent

# Keys are ASCII identifiers; values are what `record` admits plus the fixed event fields.
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.dictionaries(keys, values, max_size=8))
def test_fast_path_matches_reference_for_any_document(document: dict[str, object]) -> None:
    assert canonical(document) == canonical_reference(document)


@settings(max_examples=200)
@given(
    action=st.text(max_size=40),
    label=st.text(max_size=40),
    details=st.dictionaries(
        keys, st.one_of(st.integers(0, 10**9), st.booleans(), st.text(max_size=30)), max_size=6
    ),
    bases=st.lists(st.text(max_size=20), max_size=4),
    seq=st.integers(min_value=1, max_value=10**12),
    micro=st.integers(min_value=0, max_value=999_999),
)
def test_fast_path_matches_reference_for_events(
    action: str, label: str, details: dict[str, object], bases: list[str], seq: int, micro: int
) -> None:
    event = AuditEvent(
        id=uuid.uuid4(),
        occurred_at=datetime(2026, 11, 28, 12, 0, 0, micro, tzinfo=UTC),
        actor_user_id=uuid.uuid4(),
        actor_agency_id=None,
        actor_role="caseworker",
        actor_label=label,
        action=action,
        object_type="user",
        object_id=str(uuid.uuid4()),
        subject_id=None,
        bases=bases,
        outcome="allowed",
        request_id=None,
        client_address="127.0.0.1",
        details=details,
    )
    document = event_document(event, seq)
    assert canonical(document) == canonical_reference(document)


def test_keys_are_sorted_and_compact() -> None:
    assert canonical({"b": 1, "a": [True, None, "ä"]}) == '{"a":[true,null,"ä"],"b":1}'.encode()
