"""Explanations as an outline: nested lines of plain text, shared by the HTML and Markdown reports.

Sits at the end of the pipeline beside `render_text`; reads `proof` values and a `Vocabulary`
and makes text, but no markup: each renderer escapes the text for its own format. The outline
follows the tree of `render_text`: a derived step (its sentence, then the rule and bindings),
given facts with their citations, absent atoms, comparisons, and for a refuted goal every rule
attempt and what blocks it. A derived step shown twice in one explanation is numbered the first
time and referred to by number after, so a shared sub-proof is written once. Deterministic.
"""

from __future__ import annotations

from attrs import frozen

from allegiance.explain.proof import (Aggregated, Absent, Attempt, Circular, Cut, Derived, Explanation, FailedTest, Given,
                    Missing, Present, Refutation, Test)
from allegiance.render.text import aggregate_line, rule_label
from allegiance.explain.sentences import Vocabulary

HOLDS, FAILS, CUT = "✓", "✗", "…"


@frozen
class Citation:
    """One statement of a given fact: the sources it cites and where and when it holds."""

    sources: tuple[str, ...]
    note: str  # validity dates and file:line, or ""


@frozen
class Line:
    """One line of an outline, with the lines under it."""

    mark: str  # HOLDS, FAILS, CUT or ""
    text: str
    detail: str = ""  # the rule and its bindings, or what a reference points at
    citations: tuple[Citation, ...] = ()
    children: tuple[Line, ...] = ()
    number: int | None = None  # a derived step shown here, numbered for later references
    ref: int | None = None  # a derived step shown earlier, under this number


def explanation_outline(expl: Explanation, vocab: Vocabulary) -> tuple[Line, ...]:
    """The proofs of a goal that holds, or its refutation then the related conclusions that hold."""
    builder = _Builder(vocab)
    if expl.holds:
        return tuple(builder.proof(p) for p in expl.proofs)
    lines = [builder.refutation(expl.refutation)]
    if expl.see_also:
        related = tuple(builder.proof(p) for p in expl.see_also)
        lines.append(Line("", "but, related and holding:", children=related))
    return tuple(lines)


def cited_sources(lines: tuple[Line, ...]) -> list[str]:
    """The ids of the sources cited in an outline, each once, in order of first citation."""
    found: dict[str, None] = {}
    for line in lines:
        for citation in line.citations:
            found.update(dict.fromkeys(citation.sources))
        found.update(dict.fromkeys(cited_sources(line.children)))
    return list(found)


class _Builder:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.numbers: dict[Derived, int] = {}

    def proof(self, proof) -> Line:
        v = self.vocab
        if isinstance(proof, Given):
            return Line(HOLDS, v.sentence(proof.atom), citations=tuple(_citation(f) for f in proof.statements))
        if isinstance(proof, Absent):
            return Line(HOLDS, v.sentence(proof.atom, holds=False), "nothing shows it")
        if isinstance(proof, Test):
            return Line(HOLDS, v.comparison(proof.comparison))
        if isinstance(proof, Cut):
            return Line(CUT, v.sentence(proof.atom), proof.reason)
        if isinstance(proof, Aggregated):
            return Line(HOLDS, aggregate_line(proof),
                        children=tuple(self.proof(p) for m in proof.members for p in m.premises))
        return self.derived(proof)

    def derived(self, proof: Derived) -> Line:
        v = self.vocab
        if proof in self.numbers:
            number = self.numbers[proof]
            return Line(HOLDS, v.sentence(proof.atom), f"shown at [{number}]", ref=number)
        number = self.numbers[proof] = len(self.numbers) + 1
        detail = f"by {rule_label(proof.rule)}{_with(proof.bindings, v)}"
        children = tuple(self.proof(p) for p in proof.premises)
        return Line(HOLDS, v.sentence(proof.atom), detail, children=children, number=number)

    def refutation(self, node) -> Line:
        v = self.vocab
        if isinstance(node, Circular):
            return Line(FAILS, "the only support would be circular", " → ".join(v.atom(a) for a in node.cycle))
        if isinstance(node, Cut):
            return Line(CUT, "not explored further", node.reason)
        children = [Line(FAILS, "stated, but not valid on the day asked", citations=(_citation(f),))
                    for f in node.stated_elsewhere]
        if not node.attempts:
            children.append(Line(FAILS, f"no stated fact and no rule gives {v.atom(node.goal)}"))
        children.extend(self.attempt(a) for a in node.attempts)
        return Line(FAILS, v.sentence(node.goal, holds=False), v.atom(node.goal), children=tuple(children))

    def attempt(self, attempt: Attempt) -> Line:
        children = [self.block(b) for b in attempt.blocks]
        if attempt.candidates > attempt.shown:
            children.append(Line(CUT, f"{attempt.candidates - attempt.shown} more candidates not shown"))
        label = f"{rule_label(attempt.rule)}{_with(attempt.bindings, self.vocab)} is blocked"
        return Line("", label, children=tuple(children))

    def block(self, block) -> Line:
        v = self.vocab
        if isinstance(block, Missing):
            text = (" and ".join(v.sentence(a, holds=False) for a in block.atoms) if len(block.atoms) == 1
                    else "no joint match for " + " together with ".join(v.atom(a) for a in block.atoms))
            return Line(FAILS, text, children=tuple(self.refutation(r) for r in block.refutations))
        if isinstance(block, FailedTest):
            return Line(FAILS, _for(block.bindings, v) + v.comparison(block.comparison, holds=False))
        if isinstance(block, Present):
            ways = "1 way" if len(block.proofs) == 1 else f"{len(block.proofs)} ways"
            return Line(FAILS, f"{_for(block.bindings, v)}{v.sentence(block.atom)}", f"shown {ways}",
                        children=tuple(self.proof(p) for p in block.proofs))
        return self.refutation(block)


def _citation(fact) -> Citation:
    notes = [_interval(fact)] if _interval(fact) else []
    if fact.span:
        notes.append(f"{fact.span.file}:{fact.span.line}")
    return Citation(tuple(fact.sources), ", ".join(notes))


def _interval(fact) -> str:
    if fact.valid_from and fact.valid_to:
        return f"valid from {fact.valid_from} to {fact.valid_to}"
    if fact.valid_from:
        return f"valid from {fact.valid_from}"
    return f"valid to {fact.valid_to}" if fact.valid_to else ""


def _with(bindings, vocab: Vocabulary) -> str:
    return " with " + ", ".join(f"{n} = {vocab.name(val)}" for n, val in bindings) if bindings else ""


def _for(bindings, vocab: Vocabulary) -> str:
    return f"for {', '.join(f'{n} = {vocab.name(val)}' for n, val in bindings)}: " if bindings else ""
