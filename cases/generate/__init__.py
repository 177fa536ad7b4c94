"""Synthetic data for benchmarks (`bench generate`, issue 15): realistic young people, cases,
notes, referrals, meetings and chained audit events, written through the real field encryption
(a data key per person, the blind indexes) but inserted in bulk, one committed chunk at a time,
so an interrupted run continues where it stopped. Never for production."""

from cases.generate.plan import MAX_PERSONS, Plan, identity_code
from cases.generate.run import ChunkDone, GeneratorMismatch, generate, pending_chunks

__all__ = [
    "MAX_PERSONS",
    "ChunkDone",
    "GeneratorMismatch",
    "Plan",
    "generate",
    "identity_code",
    "pending_chunks",
]
