"""RFC 9162 Merkle tree hashes, kept incrementally as a frontier of perfect subtrees."""

from __future__ import annotations

import hashlib


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class Frontier:
    """The roots of the perfect subtrees that make up a tree of `size` leaves, largest first."""

    def __init__(self, size: int = 0, nodes: list[bytes] | None = None) -> None:
        self.size = size
        self.nodes = list(nodes or [])
        if len(self.nodes) != bin(size).count("1"):
            raise ValueError("frontier does not match the tree size")

    def append(self, leaf: bytes) -> None:
        """Add a leaf (already hashed with leaf_hash)."""
        node = leaf
        size = self.size
        while size & 1:
            node = node_hash(self.nodes.pop(), node)
            size >>= 1
        self.nodes.append(node)
        self.size += 1

    def root(self) -> bytes:
        """RFC 9162 MTH of the leaves so far: fold the subtrees from the right."""
        if not self.nodes:
            return EMPTY_ROOT
        root = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            root = node_hash(node, root)
        return root

    def to_json(self) -> list[str]:
        return [node.hex() for node in self.nodes]

    @classmethod
    def from_json(cls, size: int, nodes: list[str]) -> Frontier:
        return cls(size, [bytes.fromhex(node) for node in nodes])
