"""The relations between the groups as a graph: data for the SVG picture and the DOT export.

Sits on `kb` (it only asks questions of the knowledge base, as of its current day) and reads the
conclusions of the rules, not the raw facts: an allegiance edge for each `pledged(A, B)`
(directed), a rift edge for each `rift`, a hostility edge for each `hostile` (with the regions
where one `fights` the other) and a local cooperation edge for each `local_alliance` (with its
regions). Symmetric relations give one edge per unordered pair. A predicate the knowledge base
does not define gives no edge, so any case loaded beside `kb/rules` (or without it) works.
Guarantees: nodes and edges come in a stable order (nodes by display name, edges by kind, then
by their ends in the order of values), so the same knowledge base always gives the same graph.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from attrs import frozen

from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Atom, Constant, Query, Variable
from allegiance.lang.values import Value, sort_key

ALLEGIANCE, RIFT, HOSTILITY, LOCAL = "allegiance", "rift", "hostility", "local_cooperation"
KINDS = (ALLEGIANCE, RIFT, HOSTILITY, LOCAL)  # the order edges are drawn and listed in


@frozen
class Node:
    """A group (or any party to a relation), its display name, and whether the report is about it."""

    id: Value
    name: str
    focus: bool = False


@frozen
class Edge:
    """A relation between two parties: `source` pledged to `target` (allegiance), or a symmetric
    relation (rift, hostility, local cooperation) between them, with the atoms that hold."""

    kind: str
    source: Value
    target: Value
    atoms: tuple[Atom, ...]
    regions: tuple[Value, ...] = ()

    @property
    def directed(self) -> bool:
        return self.kind == ALLEGIANCE


@frozen
class Relations:
    """The graph of the relations between the groups as of a day."""

    as_of: datetime.date
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, value: Value) -> Node:
        """The node of an entity."""
        return next(n for n in self.nodes if n.id == value)


def matches(kb: KnowledgeBase, predicate: str, *terms) -> list[tuple[Value, ...]]:
    """The rows of `predicate(terms)` (a Value is a constant, a str a variable), or none when the
    knowledge base does not define the predicate."""
    info = kb.checked.predicates.get(f"{predicate}/{len(terms)}")
    if info is None or not info.is_defined:
        return []
    args = tuple(Variable(t) if isinstance(t, str) else Constant(t) for t in terms)
    return list(kb.ask(Query((Atom(predicate, args),))).rows)


def relations_graph(kb: KnowledgeBase, focus: Iterable[Value] = ()) -> Relations:
    """The relations between the groups as of the knowledge base's day; `focus` marks the groups
    the report is about (they are always nodes)."""
    edges = _allegiances(kb) + _symmetric(kb, RIFT, "rift") + _hostilities(kb) + _local(kb)
    vocab = Vocabulary.of(kb)
    focus = set(focus)
    ends = {v for e in edges for v in (e.source, e.target)} | focus
    nodes = sorted((Node(v, vocab.name(v), v in focus) for v in ends),
                   key=lambda n: (n.name.lower(), sort_key(n.id)))
    return Relations(kb.as_of, tuple(nodes), tuple(edges))


def _atom(predicate: str, *values: Value) -> Atom:
    return Atom(predicate, tuple(Constant(v) for v in values))


def _pair(a: Value, b: Value) -> tuple[Value, Value]:
    return (a, b) if sort_key(a) <= sort_key(b) else (b, a)


def _allegiances(kb: KnowledgeBase) -> list[Edge]:
    rows = sorted(matches(kb, "pledged", "A", "B"), key=lambda r: tuple(map(sort_key, r)))
    return [Edge(ALLEGIANCE, a, b, (_atom("pledged", a, b),)) for a, b in rows if a != b]


def _symmetric(kb: KnowledgeBase, kind: str, predicate: str) -> list[Edge]:
    pairs = {_pair(a, b) for a, b in matches(kb, predicate, "A", "B") if a != b}
    ordered = sorted(pairs, key=lambda p: tuple(map(sort_key, p)))
    return [Edge(kind, a, b, (_atom(predicate, a, b),)) for a, b in ordered]


def _hostilities(kb: KnowledgeBase) -> list[Edge]:
    edges = []
    for edge in _symmetric(kb, HOSTILITY, "hostile"):
        a, b = edge.source, edge.target
        rows = matches(kb, "fights", a, b, "R") + matches(kb, "fights", b, a, "R")
        regions = tuple(sorted({r for (r,) in rows}, key=sort_key))
        edges.append(Edge(HOSTILITY, a, b, edge.atoms, regions))
    return edges


def _local(kb: KnowledgeBase) -> list[Edge]:
    regions: dict[tuple[Value, Value], set[Value]] = {}
    for a, b, region in matches(kb, "local_alliance", "A", "B", "R"):
        if a != b:
            regions.setdefault(_pair(a, b), set()).add(region)
    edges = []
    for (a, b) in sorted(regions, key=lambda p: tuple(map(sort_key, p))):
        places = tuple(sorted(regions[(a, b)], key=sort_key))
        edges.append(Edge(LOCAL, a, b, tuple(_atom("local_alliance", a, b, r) for r in places), places))
    return edges
