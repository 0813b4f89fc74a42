"""Explanations as an indented tree and as a prose paragraph.

Sits at the end of the pipeline; reads `proof` values and a `Vocabulary`. Output is
deterministic. Repeated sub-proofs are printed once, numbered, and referred to by number; below
the depth limit a sub-proof is collapsed to a numbered line that can be expanded later (the
`collapsed` table maps each number to its proof).
"""

from __future__ import annotations

from attrs import define, field

from allegiance.explain.proof import (Absent, Aggregated, Attempt, Circular, Cut, Derived, Explanation, FailedTest, Given,
                    Missing, Present, Refutation, Test)
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.printer import format_literal
from allegiance.lang.values import display

BRANCH, LAST, PIPE, SPACE = "├─ ", "└─ ", "│  ", "   "


@define
class TreeText:
    """The text of a tree and the sub-proofs collapsed in it, by number."""

    text: str
    collapsed: dict[int, object] = field(factory=dict)


def explanation_tree(expl: Explanation, vocab: Vocabulary, depth: int | None = None) -> TreeText:
    """The explanation as an indented tree, then the reasons in short."""
    writer = _Writer(vocab, depth)
    day = expl.as_of.isoformat()
    if expl.holds:
        for i, proof in enumerate(expl.proofs):
            if i:
                writer.lines.append("")
            writer.proof(proof, "", "", top=True)
        writer.lines.append("")
        writer.lines.append(f"holds as of {day}.")
    else:
        writer.lines.append(f"✗ {vocab.sentence(expl.goal, holds=False)}")
        writer.lines.append(f"  {vocab.atom(expl.goal)} does not hold as of {day}.")
        writer.refutation(expl.refutation, "  ")
        reasons = summary(expl, vocab)
        if reasons:
            writer.lines.append("")
            writer.lines.append("in short, it fails because:")
            writer.lines.extend(f"  {i}. {r}" for i, r in enumerate(reasons, 1))
        if expl.see_also:
            writer.lines.append("")
            writer.lines.append("but, related and holding:")
            for proof in expl.see_also:
                writer.proof(proof, "  ", "  ")
    if expl.partial:
        writer.lines.extend(["", f"partial: {expl.partial}."])
    writer.lines.extend(_sources_section(writer))
    return TreeText("\n".join(writer.lines), writer.collapsed)


def summary(expl: Explanation, vocab: Vocabulary) -> list[str]:
    """The independent reasons a refuted goal fails, each once, in order of appearance."""
    reasons: list[str] = []
    _reasons(expl.refutation, vocab, reasons)
    return list(dict.fromkeys(reasons))


def _reasons(node, vocab: Vocabulary, out: list[str]) -> None:
    if isinstance(node, Refutation):
        if not node.attempts:
            out.append(vocab.sentence(node.goal, holds=False))
        for attempt in node.attempts:
            for block in attempt.blocks:
                _reasons(block, vocab, out)
    elif isinstance(node, Missing):
        if node.refutations:
            for r in node.refutations:
                _reasons(r, vocab, out)
        else:
            out.append(" and ".join(vocab.sentence(a, holds=False) for a in node.atoms))
    elif isinstance(node, FailedTest):
        out.append(vocab.comparison(node.comparison, holds=False))
    elif isinstance(node, Present):
        for proof in node.proofs or (None,):
            out.append(_because(node, proof, vocab))
    elif isinstance(node, Circular):
        out.append("the only support would be circular (" +
                   " → ".join(vocab.atom(a) for a in node.cycle) + ")")
    elif isinstance(node, Cut):
        out.append(f"not explored further: {node.reason}")


def _because(present: Present, proof, vocab: Vocabulary) -> str:
    head = vocab.sentence(present.atom)
    if not isinstance(proof, Derived):
        return head
    grounds = [vocab.sentence(p.atom) for p in proof.premises if isinstance(p, (Given, Derived))]
    return head + (": " + "; ".join(grounds) if grounds else "")


class _Writer:
    def __init__(self, vocab: Vocabulary, depth: int | None):
        self.vocab, self.depth = vocab, depth
        self.lines: list[str] = []
        self.numbers: dict[object, int] = {}
        self.collapsed: dict[int, object] = {}
        self.cited: dict[str, None] = {}  # source ids, in order of first citation

    def proof(self, proof, first: str, rest: str, top: bool = False, level: int = 0) -> None:
        v = self.vocab
        if isinstance(proof, Given):
            self.lines.append(f"{first}✓ {v.sentence(proof.atom)}")
            for line in self.statements(proof):
                self.lines.append(f"{rest}   {line}")
        elif isinstance(proof, Absent):
            self.lines.append(f"{first}✓ {v.sentence(proof.atom, holds=False)} (nothing shows it)")
        elif isinstance(proof, Test):
            self.lines.append(f"{first}✓ {v.comparison(proof.comparison)}")
        elif isinstance(proof, Cut):
            self.lines.append(f"{first}… {v.sentence(proof.atom)} ({proof.reason})")
        elif isinstance(proof, Aggregated):
            self.aggregated(proof, first, rest, level)
        else:
            self.derived(proof, first, rest, level)

    def aggregated(self, proof: Aggregated, first: str, rest: str, level: int) -> None:
        self.lines.append(f"{first}{'✓' if proof.value is not None else '✗'} {aggregate_line(proof)}")
        more = [f"… and {proof.more} more"] if proof.more else []
        for i, member in enumerate(proof.members):
            last = i == len(proof.members) - 1 and not more
            lead, inner = rest + (LAST if last else BRANCH), rest + (SPACE if last else PIPE)
            if len(member.premises) == 1:
                self.proof(member.premises[0], lead, inner, level=level + 1)
                continue
            self.lines.append(f"{lead}member{_with(member.bindings, self.vocab)}")
            for j, premise in enumerate(member.premises):
                end = j == len(member.premises) - 1
                self.proof(premise, inner + (LAST if end else BRANCH), inner + (SPACE if end else PIPE), level=level + 1)
        self.lines.extend(f"{rest}{LAST}{line}" for line in more)

    def derived(self, proof: Derived, first: str, rest: str, level: int) -> None:
        v = self.vocab
        if proof in self.numbers:
            self.lines.append(f"{first}✓ {v.sentence(proof.atom)} (shown at [{self.numbers[proof]}])")
            return
        number = self.numbers[proof] = len(self.numbers) + 1
        if self.depth is not None and level >= self.depth:
            self.collapsed[number] = proof
            self.lines.append(f"{first}✓ [{number}] {v.sentence(proof.atom)} (+{proof.nodes - 1} steps: expand {number})")
            return
        self.lines.append(f"{first}✓ [{number}] {v.sentence(proof.atom)}")
        self.lines.append(f"{rest}   by {rule_label(proof.rule)}{_with(proof.bindings, v)}")
        for i, premise in enumerate(proof.premises):
            last = i == len(proof.premises) - 1
            self.proof(premise, rest + (LAST if last else BRANCH), rest + (SPACE if last else PIPE), level=level + 1)

    def statements(self, proof: Given) -> list[str]:
        lines = []
        for fact in proof.statements:
            self.cited.update(dict.fromkeys(fact.sources))
            cited = ", ".join(f"[{s}]" for s in fact.sources) or "no source cited"
            where = f" — {fact.span.file}:{fact.span.line}" if fact.span else ""
            lines.append(f"source: {cited}{_interval(fact)}{where}")
        return lines or ["stated"]

    def refutation(self, node, indent: str) -> None:
        v = self.vocab
        if isinstance(node, Circular):
            self.lines.append(f"{indent}the only support would be circular: " +
                              " → ".join(v.atom(a) for a in node.cycle))
            return
        if isinstance(node, Cut):
            self.lines.append(f"{indent}… {node.reason}")
            return
        for fact in node.stated_elsewhere:
            self.lines.append(f"{indent}stated{_interval(fact)}, which excludes the as-of day")
        if not node.attempts and not node.stated_elsewhere:
            self.lines.append(f"{indent}no stated fact and no rule gives {v.atom(node.goal)}.")
        for attempt in node.attempts:
            self.attempt(attempt, indent)

    def attempt(self, attempt: Attempt, indent: str) -> None:
        v = self.vocab
        self.lines.append(f"{indent}{rule_label(attempt.rule)}{_with(attempt.bindings, v)} is blocked:")
        inner = indent + "  "
        for block in attempt.blocks:
            self.block(block, inner)
        if attempt.candidates > attempt.shown:
            self.lines.append(f"{inner}({attempt.candidates - attempt.shown} more candidates not shown)")

    def block(self, block, indent: str) -> None:
        v = self.vocab
        if isinstance(block, Missing):
            what = " together with ".join(v.atom(a) for a in block.atoms)
            self.lines.append(f"{indent}✗ no {what}" if len(block.atoms) > 1 else
                              f"{indent}✗ {v.sentence(block.atoms[0], holds=False)}")
            for r in block.refutations:
                self.refutation(r, indent + "  ")
        elif isinstance(block, FailedTest):
            self.lines.append(f"{indent}✗ {_for(block.bindings, v)}{v.comparison(block.comparison, holds=False)}")
        elif isinstance(block, Present):
            ways = "1 way" if len(block.proofs) == 1 else f"{len(block.proofs)} ways"
            self.lines.append(f"{indent}✗ {_for(block.bindings, v)}{v.sentence(block.atom)}, shown {ways}:")
            for proof in block.proofs:
                self.proof(proof, indent + "  ", indent + "  ")
        elif isinstance(block, Aggregated):  # what was counted, for the tests that failed
            self.proof(block, f"{indent}", f"{indent}  ")
        elif isinstance(block, (Circular, Cut)):
            self.refutation(block, indent)


def aggregate_line(proof: Aggregated) -> str:
    """`count : { edge(a, _) } is 2 (2 members)`, or why there is no value."""
    agg = proof.aggregate
    members = len(proof.members) + proof.more
    counted = f"{members} member{'' if members == 1 else 's'}"
    target = "" if agg.target is None else f" {agg.target}"
    braces = f"{agg.function}{target} : {{ {', '.join(map(format_literal, agg.body))} }}"
    if proof.value is None:
        return f"{braces} has no value: nothing to take the {agg.function} of"
    return f"{braces} is {display(proof.value)} ({counted})"


def rule_label(rule) -> str:
    """`rule alliance/2 (kb/rules/alliance.dl:12)`."""
    where = f" ({rule.span.file}:{rule.span.line})" if rule.span else ""
    return f"rule {rule.head.key}{where}"


def _with(bindings, vocab: Vocabulary, lead: str = " with") -> str:
    if not bindings:
        return ""
    return lead + " " + ", ".join(f"{n} = {vocab.name(val)}" for n, val in bindings)


def _for(bindings, vocab: Vocabulary) -> str:
    return f"for {', '.join(f'{n} = {vocab.name(val)}' for n, val in bindings)}: " if bindings else ""


def _sources_section(writer) -> list[str]:
    if not writer.cited:
        return []
    return ["", "sources:"] + [f"  [{s}] {writer.vocab.citation(s)}" for s in writer.cited]


def _interval(fact) -> str:
    if fact.valid_from and fact.valid_to:
        return f" (valid from {fact.valid_from} to {fact.valid_to})"
    if fact.valid_from:
        return f" (valid from {fact.valid_from})"
    if fact.valid_to:
        return f" (valid to {fact.valid_to})"
    return ""


def explanation_prose(expl: Explanation, vocab: Vocabulary) -> str:
    """The explanation as one paragraph an analyst can paste into a note."""
    if not expl.holds:
        reasons = summary(expl, vocab)
        head = f"As of {expl.as_of.isoformat()}, {vocab.sentence(expl.goal, holds=False)}"
        text = head + (", because " + "; ".join(reasons) if reasons else "") + "."
        related = " ".join(_prose_proof(p, vocab) for p in expl.see_also)
        return text + (f" However, {related[0].lower()}{related[1:]}" if related else "") + \
            _partial(expl)
    parts = [_prose_proof(p, vocab) for p in expl.proofs]
    return f"As of {expl.as_of.isoformat()}: " + " ".join(parts) + _partial(expl)


def _partial(expl: Explanation) -> str:
    return f" (Partial: {expl.partial}.)" if expl.partial else ""


def _prose_proof(proof, vocab: Vocabulary) -> str:
    if isinstance(proof, Derived):
        grounds = [vocab.sentence(p.atom) if isinstance(p, (Given, Derived)) else
                   vocab.sentence(p.atom, holds=False) if isinstance(p, Absent) else
                   vocab.comparison(p.comparison) if isinstance(p, Test) else
                   aggregate_line(p) if isinstance(p, Aggregated) else vocab.sentence(p.atom)
                   for p in proof.premises]
        sources = sorted({s for leaf in _leaves(proof) for f in leaf.statements for s in f.sources})
        cited = f" (sources: {', '.join(vocab.citation(s) for s in sources)})" if sources else ""
        return f"{vocab.sentence(proof.atom)}, since {'; '.join(grounds)}{cited}."
    if isinstance(proof, Given):
        return f"{vocab.sentence(proof.atom)}."
    return f"{vocab.sentence(proof.atom)}."


def _leaves(proof):
    if isinstance(proof, Given):
        yield proof
    elif isinstance(proof, Derived):
        for p in proof.premises:
            yield from _leaves(p)
    elif isinstance(proof, Aggregated):
        for p in (p for m in proof.members for p in m.premises):
            yield from _leaves(p)
