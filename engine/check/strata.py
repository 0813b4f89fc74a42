"""The predicate dependency graph, its strongly connected components, and stratification.

Sits between `syntax` and the evaluators: `checks` reports `negative_cycles` among its
diagnostics and hands `strata_of` to the checked program; `model` runs the strata in order.
Guarantees:
- a predicate is its key `name/arity`; the head of a rule depends on the predicate of every atom
  of its body, negatively through `not` and through an aggregate's braces (comparisons add no
  dependency);
- components are found by an iterative Tarjan: no Python recursion, so a chain of 10,000
  predicates is fine;
- `stratify` returns one stratum per component of derived predicates (base predicates, never a
  head, are no stratum), every stratum after each stratum it depends on; the order is
  deterministic: roots are taken in program order, dependencies in body order;
- a program stratifies exactly when no component contains an edge through `not` or an aggregate;
  every such edge is reported, at its literal, with the shortest cycle through it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from attrs import field, frozen

from allegiance.lang.diagnostics import CheckError, Diagnostic, error
from allegiance.lang.syntax import Aggregate, Atom, Negation, Rule


@frozen
class Dependency:
    """`head` depends on `body` through `literal`, negatively when it is a `not`."""

    head: str
    body: str
    negative: bool
    literal: Atom | Negation = field(eq=False, repr=False)
    aggregate: Aggregate | None = field(default=None, eq=False, repr=False)  # the braces it is in


@frozen
class DependencyGraph:
    """Predicates (in order of first appearance), their dependencies and their components."""

    rules: tuple[Rule, ...]
    nodes: tuple[str, ...]
    edges: dict[str, tuple[Dependency, ...]]  # by head key; never mutated
    components: tuple[tuple[str, ...], ...]  # sorted keys, in dependency order

    def successors(self, key: str) -> tuple[str, ...]:
        """The predicates `key` depends on, each once, in body order."""
        return tuple(dict.fromkeys(d.body for d in self.edges.get(key, ())))


@frozen
class Stratum:
    """A strongly connected component of derived predicates and the rules defining them."""

    index: int
    predicates: tuple[str, ...]
    rules: tuple[Rule, ...]
    recursive: bool


def dependency_graph(rules: Iterable[Rule]) -> DependencyGraph:
    """The dependency graph of `rules`, with its components in dependency order."""
    rules = tuple(rules)
    nodes: dict[str, None] = {}
    edges: dict[str, list[Dependency]] = {}
    for rule in rules:
        head = rule.head.key
        nodes.setdefault(head)
        for dependency in _dependencies(head, rule.body):
            nodes.setdefault(dependency.body)
            edges.setdefault(head, []).append(dependency)
    frozen_edges = {k: tuple(v) for k, v in edges.items()}
    successors = {k: tuple(dict.fromkeys(d.body for d in v)) for k, v in frozen_edges.items()}
    components = components_of(tuple(nodes), lambda key: successors.get(key, ()))
    return DependencyGraph(rules, tuple(nodes), frozen_edges, components)


def _dependencies(head: str, body) -> Iterable[Dependency]:
    for literal in body:
        if isinstance(literal, Atom):
            yield Dependency(head, literal.key, False, literal)
        elif isinstance(literal, Negation):
            yield Dependency(head, literal.atom.key, True, literal)
        elif isinstance(literal, Aggregate):
            for inner in _dependencies(head, literal.body):
                yield Dependency(head, inner.body, True, inner.literal, literal)


def components_of(nodes, successors) -> tuple[tuple[str, ...], ...]:
    """Strongly connected components (sorted keys), each after every component it reaches."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        work.append((node, iter(successors(node))))

    for root in nodes:
        if root in index:
            continue
        work: list = []
        visit(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    visit(child)
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    found.append(_pop_component(node, stack, on_stack))
    return tuple(found)


def _pop_component(node: str, stack: list[str], on_stack: set[str]) -> tuple[str, ...]:
    members = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        members.append(member)
        if member == node:
            return tuple(sorted(members))


def strata_of(graph: DependencyGraph) -> tuple[Stratum, ...]:
    """The strata of a graph, in dependency order (whether or not negation is stratified)."""
    positions: dict[str, list[int]] = {}
    for position, rule in enumerate(graph.rules):
        positions.setdefault(rule.head.key, []).append(position)
    strata: list[Stratum] = []
    for component in graph.components:
        if not any(key in positions for key in component):
            continue  # a base predicate
        chosen = sorted(p for key in component for p in positions.get(key, ()))
        recursive = len(component) > 1 or component[0] in graph.successors(component[0])
        rules = tuple(graph.rules[p] for p in chosen)
        strata.append(Stratum(len(strata), component, rules, recursive))
    return tuple(strata)


def stratify(rules: Iterable[Rule]) -> tuple[Stratum, ...]:
    """The strata of `rules` in dependency order; CheckError when negation is not stratified."""
    graph = dependency_graph(rules)
    errors = negative_cycles(graph)
    if errors:
        raise CheckError(errors)
    return strata_of(graph)


def negative_cycles(graph: DependencyGraph) -> tuple[Diagnostic, ...]:
    """A `negation-cycle` error for every edge through `not` inside a component."""
    component_of = {key: i for i, comp in enumerate(graph.components) for key in comp}
    found = []
    for head in graph.nodes:
        for dependency in graph.edges.get(head, ()):
            if dependency.negative and component_of[head] == component_of[dependency.body]:
                found.append(_cycle_error(graph, dependency, component_of))
    return tuple(found)


def _cycle_error(graph: DependencyGraph, negative: Dependency, component_of) -> Diagnostic:
    steps = _shortest_path(graph, negative.body, negative.head, component_of)
    if negative.aggregate is not None:
        function = negative.aggregate.function
        cycle = " → ".join([*steps, f"{function} {{ {negative.body} }}"])
        return error(
            f"`{negative.body}` depends on itself through an aggregate: {cycle}",
            negative.literal.span or negative.aggregate.span,
            "aggregate-cycle",
            notes=("aggregates must be stratified: a predicate may not depend on itself through "
                   f"`{function}`, whose value needs all of what it counts first",),
        )
    cycle = " → ".join([*steps, f"not {negative.body}"])
    return error(
        f"`{negative.body}` depends on itself through negation: {cycle}",
        negative.literal.span,
        "negation-cycle",
        notes=("negation must be stratified: no predicate may depend on itself through `not`",),
    )


def _shortest_path(graph: DependencyGraph, start: str, goal: str, component_of) -> list[str]:
    """The steps of a shortest path `start` → … → `goal` inside one component (BFS)."""
    came_from: dict[str, Dependency | None] = {start: None}
    queue = deque([start])
    while queue and goal not in came_from:
        node = queue.popleft()
        for dependency in graph.edges.get(node, ()):
            target = dependency.body
            if target not in came_from and component_of[target] == component_of[start]:
                came_from[target] = dependency
                queue.append(target)
    steps, node = [], goal
    while came_from[node] is not None:
        step = came_from[node]
        steps.append(node if not step.negative else f"not {node}" if step.aggregate is None
                     else f"{step.aggregate.function} {{ {node} }}")
        node = step.head
    steps.append(start)
    return steps[::-1]
