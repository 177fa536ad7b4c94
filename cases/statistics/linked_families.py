"""The fact family and the (fact, concern) pair family of one measure and year, protected
together (attacks on issue 13).

The views by concern count (fact, concern) pairs: a family of their own over the cube of pairs
(`cases.statistics.linked`). The two are tied: an entry that fixes no concern counts facts in
one and pairs in the other (equal when no fact has two concerns, and zero together always:
every fact counts at least one pair, "unknown" when it has none), so such an entry hidden in
either is hidden in both, until neither hides more.

And the attacker may solve both at once. With a fact cell x (every dimension but concern) and
its pairs y_c, one per concern: y_c <= x (a fact counts once per concern) and sum_c y_c >= x.
So once the two agree, one programme over both cubes' atoms with those links
(`cases.statistics.joint_audit`) must leave every hidden entry of either family, zeros too, a
range at least the threshold wide; for one that fails, the cheapest entry next to it in its
family is hidden, and back to the two families. Each round hides one more entry, so it ends.
"""

from collections.abc import Callable, Mapping
from functools import lru_cache

from cases.statistics.joint_audit import (
    Atom,
    Bound,
    JointProgramme,
    Key,
    Link,
    unknown_atoms,
)
from cases.statistics.linked import (
    Cube,
    NamedKey,
    Release,
    View,
    cheapest_near,
    entry_counts,
    release,
)
from cases.statistics.suppression import Mark

Family = tuple[Cube, tuple[View, ...]]
#: A family's entry (by name) as a key of the joint programme.
KeyOf = Callable[[str, NamedKey], Key]
_FACTS, _PAIRS = "facts", "pairs"
_NO_LIMIT = float("inf")


@lru_cache(maxsize=256)
def protect_linked(
    facts: Family, pairs: Family, threshold: int, only_in_pairs: str
) -> tuple[Release, Release]:
    """Protect the fact family and the pair family (whose cube has the dimension
    ``only_in_pairs`` besides the fact cube's) of one measure and year together."""
    shared: dict[NamedKey, Mark] = {}
    while True:
        fact_release = release(*facts, threshold, _in_order(shared))
        both = {**shared, **_without(fact_release.marks, only_in_pairs)}
        pair_release = release(*pairs, threshold, _in_order(both))
        grown = {**both, **_without(pair_release.marks, only_in_pairs)}
        if grown.keys() == shared.keys():
            cover = _cover(facts, pairs, (fact_release, pair_release), threshold, only_in_pairs)
            if not cover:
                return fact_release, pair_release
            # Entries fixing a concern are forced in the pair family only.
            grown |= dict.fromkeys(cover, Mark.SECONDARY)
        shared = grown


def _cover(
    facts: Family,
    pairs: Family,
    releases: tuple[Release, Release],
    threshold: int,
    concern: str,
) -> set[NamedKey]:
    """Return, for each entry the joint programme pins, the entry to hide next to it."""
    counts = (entry_counts(*facts), entry_counts(*pairs))
    programme, keys = _programme(facts[0], pairs[0], counts, releases, concern)
    cover: set[NamedKey] = set()
    for tag, family, count, done in zip(
        (_FACTS, _PAIRS), (facts, pairs), counts, releases, strict=True
    ):
        for named, _mark in _in_order(done.marks):
            # Hidden zeros too: one told is a month of nobody (fifth attack on issue 13).
            if programme.wide_enough(keys(tag, named), count.get(named, 0), threshold):
                continue
            chosen = cheapest_near(*family, dict(done.marks), named)
            if chosen is not None:
                cover.add(chosen)
            else:
                cover |= _zeros_over(named, counts, releases)
    return cover


def _zeros_over(
    named: NamedKey,
    counts: tuple[dict[NamedKey, int], dict[NamedKey, int]],
    releases: tuple[Release, Release],
) -> set[NamedKey]:
    """Return the published zeros of both families that share a cell with ``named``.

    Asked when nothing nonzero is left to hide near a pinned entry: then only zeros pin it
    (every published equality is a zero), so it is a zero whose every atom, or the fact cell
    each pair atom is bounded by, a published zero rules out. Hidden as the whole-line rule
    hides zeros (primary: they count fewer than the threshold), they no longer rule them out;
    a CI run's property test found one (a concern unknown all year, told of one month)."""
    fixed = dict(named)
    return {
        key
        for count, done in zip(counts, releases, strict=True)
        for key, n in count.items()
        if n == 0 and key not in done.marks and all(fixed.get(d, v) == v for d, v in key)
    }


def _programme(
    fact_cube: Cube,
    pair_cube: Cube,
    counts: tuple[dict[NamedKey, int], dict[NamedKey, int]],
    releases: tuple[Release, Release],
    concern: str,
) -> tuple[JointProgramme, KeyOf]:
    """Build the programme over both cubes' atoms: each published nonzero entry an equality,
    each published zero ruling atoms out, and the links between a fact cell and its pairs."""
    names = pair_cube.names
    at = {name: d + 1 for d, name in enumerate(names)}  # dimension 0 is the family
    gap = names.index(concern)
    atoms: list[Atom] = []
    bounds: dict[Key, Bound] = {}
    for tag, cube, count, done in zip(
        (_FACTS, _PAIRS), (fact_cube, pair_cube), counts, releases, strict=True
    ):
        published = {k: n for k, n in count.items() if k not in done.marks}
        zeros = {_indexed(cube, k) for k, n in published.items() if n == 0}
        own, _exact = unknown_atoms(cube.lines, zeros, dict(cube.atoms))
        if tag == _FACTS:
            own = [(*a[:gap], "", *a[gap:]) for a in own]  # no concern: an empty value
        atoms += [(tag, *a) for a in own]
        bounds |= {_tagged(at, tag, k): (float(n), float(n)) for k, n in published.items() if n}
    index = {atom: i for i, atom in enumerate(atoms)}
    pairs_of: dict[int, list[int]] = {i: [] for i, a in enumerate(atoms) if a[0] == _FACTS}
    links: list[Link] = []
    for j, atom in enumerate(atoms):
        if atom[0] != _PAIRS:
            continue
        fact = index.get((_FACTS, *atom[1 : gap + 1], "", *atom[gap + 2 :]))
        links.append(({j: 1.0} if fact is None else {j: 1.0, fact: -1.0}, -_NO_LIMIT, 0.0))
        if fact is not None:
            pairs_of[fact].append(j)
    links += [({**dict.fromkeys(js, 1.0), i: -1.0}, 0.0, _NO_LIMIT) for i, js in pairs_of.items()]

    def keys(tag: str, named: NamedKey) -> Key:
        return _tagged(at, tag, named)

    return JointProgramme(atoms, bounds, links), keys


def _indexed(cube: Cube, named: NamedKey) -> Key:
    index = {name: d for d, name in enumerate(cube.names)}
    return frozenset((index[name], value) for name, value in named)


def _tagged(at: Mapping[str, int], tag: str, named: NamedKey) -> Key:
    return frozenset({(0, tag), *((at[name], value) for name, value in named)})


def _in_order(marks: Mapping[NamedKey, Mark]) -> tuple[tuple[NamedKey, Mark], ...]:
    return tuple(sorted(marks.items(), key=lambda item: sorted(item[0])))


def _without(marks: Mapping[NamedKey, Mark], name: str) -> dict[NamedKey, Mark]:
    return {k: m for k, m in marks.items() if all(n != name for n, _v in k)}
