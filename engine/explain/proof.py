"""Proofs and refutations as data: what `explain` builds and `render` and `checker` read.

Sits between `model` and `render`. Every node is a frozen value over ground atoms (constants
only, decoded values), so a proof can be compared, hashed, rendered, serialised and re-checked
without the explainer. A proof of a goal is a tree of `Given` leaves (stated facts, with their
sources and validity), `Derived` steps (a rule, its bindings, one premise per body literal in
the order written), `Absent` leaves (a negated literal holds: the atom is not derivable) and
`Test` leaves (a comparison, arithmetic included) and `Aggregated` steps (an aggregate's value
with each member it counted, and the member's proofs). A `Refutation` says why a goal does not hold: for every rule
whose head matches, every way it is blocked.
"""

from __future__ import annotations

import datetime

from attrs import field, frozen

from allegiance.lang.syntax import Aggregate, Atom, Comparison, Fact, Rule
from allegiance.lang.values import Value


@frozen
class Given:
    """A stated fact that holds on the as-of day, with every statement of it."""

    atom: Atom
    statements: tuple[Fact, ...]


@frozen
class Derived:
    """`atom` follows by `rule` under `bindings` from `premises` (one per body literal)."""

    atom: Atom
    rule: Rule
    bindings: tuple[tuple[str, Value], ...]
    premises: tuple[Proof, ...]
    height: int = field(default=1, eq=False)  # rule steps on the longest path to a leaf
    nodes: int = field(default=1, eq=False)  # nodes in the tree


@frozen
class Absent:
    """A negated literal holds: `atom` is not derivable (closed world)."""

    atom: Atom


@frozen
class Test:
    """A comparison between two constants, with its outcome."""

    comparison: Comparison
    holds: bool = True


@frozen
class Cut:
    """A sub-proof left out because a bound (depth or size) was reached."""

    atom: Atom
    reason: str


@frozen
class Member:
    """One binding an aggregate counted: the body's own variables, one proof per body literal."""

    bindings: tuple[tuple[str, Value], ...]
    premises: tuple[Proof, ...]


@frozen
class Aggregated:
    """An aggregate under the group's values (`aggregate` has its group and result substituted):
    its value (None: `sum`, `min`, `max` over nothing) and the members it was taken over (`more`:
    how many were left out, beyond the limit of alternatives)."""

    aggregate: Aggregate
    value: Value | None
    members: tuple[Member, ...]
    more: int = 0


Proof = Given | Derived | Absent | Test | Cut | Aggregated


@frozen
class Missing:
    """No tuple makes these positive literals true together (under the attempt's bindings).

    `refutations` explain each literal that has no match at all on its own."""

    atoms: tuple[Atom, ...]
    refutations: tuple[Refutation | Circular, ...] = ()


@frozen
class FailedTest:
    """For the candidate `bindings`, the comparison does not hold."""

    bindings: tuple[tuple[str, Value], ...]
    comparison: Comparison


@frozen
class Present:
    """For the candidate `bindings`, the negated atom is derivable: here are its proofs."""

    bindings: tuple[tuple[str, Value], ...]
    atom: Atom
    proofs: tuple[Proof, ...]


@frozen
class Circular:
    """The only support would be circular: each goal needs the next, the last the first."""

    cycle: tuple[Atom, ...]


Block = Missing | FailedTest | Present | Circular | Cut | Aggregated  # the last: what was counted


@frozen
class Attempt:
    """One rule whose head matches the goal, and every way its body is blocked."""

    rule: Rule
    bindings: tuple[tuple[str, Value], ...]
    blocks: tuple[Block, ...]
    candidates: int = 0  # candidate bindings that satisfy every positive literal
    shown: int = 0  # how many of them have their blocks listed (the rest: cut)


@frozen
class Refutation:
    """Why `goal` does not hold: no stated fact, and every matching rule blocked."""

    goal: Atom
    attempts: tuple[Attempt, ...]
    stated_elsewhere: tuple[Fact, ...] = ()  # statements of the goal not valid on the day


@frozen
class Explanation:
    """The answer to `why goal`: a proof for each answer, or a refutation. `partial` names the
    bounds reached (the explanation is then cut there, see `explain.Limits`), else None."""

    goal: Atom
    as_of: datetime.date
    proofs: tuple[Proof, ...] = ()
    refutation: Refutation | None = None
    see_also: tuple[Proof, ...] = ()
    partial: str | None = None

    @property
    def holds(self) -> bool:
        return bool(self.proofs)


def height(proof: Proof) -> int:
    """The number of rule steps on the longest path from the root to a leaf."""
    return proof.height if isinstance(proof, Derived) else 0


def size(proof: Proof) -> int:
    """The number of nodes."""
    return proof.nodes if isinstance(proof, Derived) else 1
