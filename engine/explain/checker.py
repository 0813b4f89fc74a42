"""An independent checker of proofs and refutations.

Sits beside `explain` and shares none of its code: it re-validates what the explainer built
against the program, the stated facts and the answers of the knowledge base. A proof passes
when every `Given` leaf is a stated fact that holds on the day, every `Derived` step is a ground
instance of a rule of the program (head and each body literal, in order, equal to the conclusion
and its premises under the bindings), every `Absent` atom has no answer, every `Test` holds,
and, inside a recursive stratum, every premise has a lower rank than its conclusion; every
`Aggregated` step has the value the knowledge base computes for its aggregate, and every member
it lists is proved. A
refutation passes when every rule whose head matches the goal has an attempt, and every
candidate binding of that rule's positive literals is blocked by a comparison that fails or a
negated atom that holds — or some listed set of positive literals really has no joint match.
"""

from __future__ import annotations

import itertools

from allegiance.explain.proof import (Absent, Aggregated, Circular, Cut, Derived, FailedTest, Given, Missing,
                                      Present, Refutation, Test)
from allegiance.lang.syntax import (Aggregate, Arithmetic, Atom, Comparison, Constant, Minus, Negation, Query,
                                    Variable, substitute_literal)
from allegiance.lang.values import Integer
from allegiance.lang.values import sort_key


class ProofError(Exception):
    """A proof or refutation that does not hold up; the message says which node and why."""


def check_proof(proof, kb) -> None:
    """Raise ProofError unless `proof` is a valid proof in `kb` as of its current day."""
    if isinstance(proof, Given):
        _require(proof.atom.is_ground, proof, "a given fact must be ground")
        row = tuple(sort_key(t.value) for t in proof.atom.args)
        _require(kb.store.holds(proof.atom.key, row), proof, "is not a stated fact that holds")
        _require(all(f.holds_on(kb.as_of) for f in proof.statements) and proof.statements,
                 proof, "cites statements that do not hold on the day")
    elif isinstance(proof, Absent):
        _require(not _holds(kb, proof.atom), proof, "the negated atom has an answer")
    elif isinstance(proof, Test):
        _require(_compare(proof.comparison) == proof.holds, proof, "the comparison's outcome is wrong")
    elif isinstance(proof, Cut):
        return
    elif isinstance(proof, Aggregated):
        _check_aggregated(proof, kb)
    elif isinstance(proof, Derived):
        _check_step(proof, kb)
        for premise in proof.premises:
            check_proof(premise, kb)
    else:
        raise ProofError(f"unknown proof node {proof!r}")


def _check_step(proof: Derived, kb) -> None:
    rules = kb.checked.predicates[proof.atom.key].rules
    _require(proof.rule in rules, proof, "names a rule that is not in the program")
    env = dict(proof.bindings)
    _require(_ground(proof.rule.head, env) == proof.atom, proof, "the rule's head is not the conclusion")
    _require(len(proof.premises) == len(proof.rule.body), proof, "needs one premise per body literal")
    for literal, premise in zip(proof.rule.body, proof.premises):
        if isinstance(literal, Atom):
            expected = _ground(literal, env)
            actual = getattr(premise, "atom", None)
            _require(actual is not None and _matches(expected, actual), proof,
                     f"premise `{actual}` is not an instance of `{literal.predicate}`")
            _require(isinstance(premise, (Given, Derived, Cut)), proof, "a positive literal needs a proof")
            _check_rank(proof, actual, kb)
        elif isinstance(literal, Negation):
            _require(isinstance(premise, Absent) and _matches(_ground(literal.atom, env), premise.atom),
                     proof, "a negated literal needs an absence of its atom")
        elif isinstance(literal, Aggregate):
            _require(isinstance(premise, Aggregated) and premise.aggregate == substitute_literal(literal, env),
                     proof, "an aggregate needs its value and members, under the bindings")
            result = premise.aggregate.result
            _require(isinstance(result, Constant) and result.value == premise.value, proof,
                     "the aggregate's value is not the rule's binding")
        else:
            _require(isinstance(premise, Test) and premise.comparison.op == literal.op, proof,
                     "a comparison needs a test")
            _require(substitute_literal(literal, env) == premise.comparison,
                     proof, "the test is not the rule's comparison under the bindings")


def _check_aggregated(proof: Aggregated, kb) -> None:
    """The aggregate has the value the knowledge base gives it; each member's premises hold."""
    agg = proof.aggregate
    asked = Aggregate(Variable("Value"), agg.function, agg.target, agg.body)
    rows = kb.ask(Query((asked,))).rows
    _require((rows[0][0] if rows else None) == proof.value, proof, "the aggregate's value is wrong")
    if agg.function == "count" and not proof.more:
        _require(proof.value == Integer(len(proof.members)), proof, "the members are not all counted")
    for member in proof.members:
        _require(len(member.premises) == len(agg.body), proof, "a member needs one premise per literal")
        for premise in member.premises:
            check_proof(premise, kb)


def _check_rank(proof: Derived, premise: Atom, kb) -> None:
    model = kb.model
    if not (model.is_recursive(proof.atom.key) and model.is_recursive(premise.key)):
        return
    mine = model.rank(proof.atom.key, _row(proof.atom))
    theirs = model.rank(premise.key, _row(premise))
    if mine is not None and theirs is not None and _same_component(kb, proof.atom.key, premise.key):
        _require(theirs < mine, proof, f"premise `{premise}` does not have a lower rank (circular)")


def _same_component(kb, a: str, b: str) -> bool:
    for stratum in kb.checked.strata:
        if a in stratum.predicates:
            return b in stratum.predicates
    return False


def check_refutation(refutation, kb) -> None:
    """Raise ProofError unless `refutation` covers every way its goal could hold."""
    if isinstance(refutation, (Circular, Cut)):
        return
    goal = refutation.goal
    _require(not _holds(kb, goal), refutation, "the goal holds")
    rules = kb.checked.predicates[goal.key].rules if goal.key in kb.checked.predicates else ()
    attempted = [a.rule for a in refutation.attempts]
    for rule in rules:
        if _head_can_match(rule.head, goal):
            _require(rule in attempted, refutation, f"rule at {rule.span} is not accounted for")
    for attempt in refutation.attempts:
        _check_attempt(attempt, goal, kb)


def _check_attempt(attempt, goal: Atom, kb) -> None:
    for block in attempt.blocks:
        if isinstance(block, Missing):
            _require(not _holds_all(kb, block.atoms), attempt, "a missing set of literals has a match")
            for r in block.refutations:
                check_refutation(r, kb)
            return  # no candidate can exist
    if attempt.candidates > attempt.shown:
        return  # a bounded attempt: the listed blocks were checked one by one below
    blocked = {}
    for block in attempt.blocks:
        if isinstance(block, FailedTest):
            _require(not _compare(block.comparison), attempt, "a failed test actually holds")
        elif isinstance(block, Present):
            _require(_holds(kb, block.atom), attempt, "a present atom has no answer")
            for proof in block.proofs:
                check_proof(proof, kb)
        elif isinstance(block, Aggregated):  # what was counted; without a value it blocks
            check_proof(block, kb)
            if block.value is not None:
                continue
        blocked.setdefault(getattr(block, "bindings", ()), []).append(block)
    for candidate in _candidates(attempt, kb):
        _require(any(all(candidate.get(n) == v for n, v in b) for b in blocked), attempt,
                 f"candidate binding {candidate} is not blocked")


def _candidates(attempt, kb) -> list[dict]:
    """Every binding of the rule's variables that satisfies its positive literals."""
    env = dict(attempt.bindings)
    positives = tuple(_ground(lit, env) for lit in attempt.rule.body if isinstance(lit, Atom))
    if not positives:
        return [dict(env)]
    counter = itertools.count()
    named = tuple(Atom(a.predicate, tuple(Variable(f"_c{next(counter)}") if isinstance(t, Variable)
                                          and t.is_anonymous else t for t in a.args)) for a in positives)
    answer = kb.ask(Query(named))
    return [dict(env, **{n: v for n, v in b.items() if not n.startswith("_c")}) for b in answer.bindings()]


def _holds(kb, atom: Atom) -> bool:
    return _holds_all(kb, (atom,))


def _holds_all(kb, atoms) -> bool:
    counter = itertools.count()
    named = tuple(Atom(a.predicate, tuple(Variable(f"_c{next(counter)}") if isinstance(t, Variable)
                                          and t.is_anonymous else t for t in a.args)) for a in atoms)
    return kb.ask(Query(named)).holds


def _ground(atom: Atom, env) -> Atom:
    return Atom(atom.predicate, tuple(Constant(_ground_term(t, env)) if _ground_term(t, env) is not None
                                      else t for t in atom.args))


def _ground_term(term, env):
    if isinstance(term, Constant):
        return term.value
    return env.get(term.name) if not term.is_anonymous else None


def _matches(pattern: Atom, atom: Atom) -> bool:
    if pattern.key != atom.key:
        return False
    return all(isinstance(p, Variable) or p == a for p, a in zip(pattern.args, atom.args))


def _head_can_match(head: Atom, goal: Atom) -> bool:
    """True when some instance of `head` is an instance of `goal` (goal variables are free)."""
    seen: dict[str, object] = {}
    for h, g in zip(head.args, goal.args):
        if not isinstance(g, Constant):
            continue
        if isinstance(h, Constant):
            if h.value != g.value:
                return False
        elif not h.is_anonymous and seen.setdefault(h.name, g.value) != g.value:
            return False
    return True


def _compare(comparison: Comparison) -> bool:
    left, right = _value(comparison.left), _value(comparison.right)
    if left is None or right is None:
        return False
    left, right = sort_key(left), sort_key(right)
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
            ">": left > right, ">=": left >= right}[comparison.op]


def _value(expression):
    """The value of a ground expression (integers only for arithmetic), or None."""
    if isinstance(expression, Constant):
        return expression.value
    parts = [expression.operand] if isinstance(expression, Minus) else \
        [expression.left, expression.right] if isinstance(expression, Arithmetic) else []
    values = [_value(p) for p in parts]
    if not values or not all(isinstance(v, Integer) for v in values):
        return None
    if isinstance(expression, Minus):
        return Integer(-values[0].value)
    a, b = (v.value for v in values)
    if expression.op in "/%" and b == 0:
        return None
    ops = {"+": a + b, "-": a - b, "*": a * b}
    return Integer(ops[expression.op] if expression.op in ops else a // b if expression.op == "/" else a % b)


def _row(atom: Atom) -> tuple:
    return tuple(sort_key(t.value) for t in atom.args)


def _require(condition, node, message: str) -> None:
    if not condition:
        raise ProofError(f"{message}: {node!r}"[:2000])
