"""The incremental Merkle frontier gives the RFC 9162 root of every prefix."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.merkle import EMPTY_ROOT, Frontier, leaf_hash, node_hash


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, written recursively from the RFC."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def test_every_prefix_up_to_130_leaves() -> None:
    leaves = [f"event {i}".encode() for i in range(130)]
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT == reference_root([])
    for n, leaf in enumerate(leaves, start=1):
        frontier.append(leaf_hash(leaf))
        assert frontier.root() == reference_root(leaves[:n]), n
        assert len(frontier.nodes) == bin(n).count("1")


@given(st.lists(st.binary(max_size=16), max_size=40))
def test_round_trip_through_json(leaves: list[bytes]) -> None:
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf_hash(leaf))
    again = Frontier.from_json(frontier.size, frontier.to_json())
    assert again.root() == frontier.root() == reference_root(leaves)


def test_inconsistent_frontier_is_refused() -> None:
    with pytest.raises(ValueError, match="tree size"):
        Frontier(3, [b"x"])
