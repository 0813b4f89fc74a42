"""The backtest: every golden question of the case library asked of the rules, as data.

Sits beside the what-if layer (it asks the knowledge base questions and explains the answers);
`render/backtest` makes the table and the JSON. Each case is loaded on its own, beside the rules
of its knowledge base (`--kb RULES --kb CASE`, with the shared base its case.toml declares), and
each question is asked as of its own date. A miss keeps the explanation of what the rules
concluded, so that the report can show its `why`. A question the case marks as a known miss
(`known_miss = "why"`) is reported as such and does not fail the run.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

from allegiance.eval.kb import KnowledgeBase
from allegiance.explain.proof import Explanation
from allegiance.explain.why import why
from allegiance.lang.diagnostics import AllegianceError
from allegiance.lang.manifests import Case, Question

__all__ = ["Asked", "CaseResult", "backtest_case", "backtest"]


@frozen
class Asked:
    """One golden question and what the rules answered."""

    question: Question
    got: str  # "yes", "no", or "error"
    explanation: Explanation | None = None  # kept for a miss: the `why` of what was concluded
    problem: str = ""  # the message when the goal could not be asked

    @property
    def matches(self) -> bool:
        return self.got == self.question.expected

    @property
    def known_miss(self) -> bool:
        return not self.matches and bool(self.question.known_miss)

    @property
    def fails(self) -> bool:
        return not self.matches and not self.known_miss


@frozen
class CaseResult:
    """The answers of one case, with the knowledge base's vocabulary for explaining a miss."""

    case: Case
    asked: tuple[Asked, ...]
    vocabulary: object = None  # explain.sentences.Vocabulary of the case's knowledge base

    @property
    def fails(self) -> bool:
        return any(a.fails for a in self.asked)


def backtest_case(case: Case, rules: Path | None) -> CaseResult:
    """Ask every question of `case` of the rules (LoadError if the case does not load)."""
    from allegiance.explain.sentences import Vocabulary

    paths = [p for p in (rules, case.folder) if p is not None]
    with KnowledgeBase.from_paths(paths, as_of=case.date) as kb:
        asked = tuple(_ask(kb, q) for q in case.questions)
        return CaseResult(case, asked, Vocabulary.of(kb))


def backtest(cases: Sequence[Case], rules: Path | None) -> list[CaseResult]:
    """The results of every case, in the order given."""
    return [backtest_case(case, rules) for case in cases]


def _ask(kb: KnowledgeBase, question: Question) -> Asked:
    try:
        answer = kb.ask(_query(question.goal), as_of=question.as_of)
    except AllegianceError as exc:
        return Asked(question, "error", problem=str(exc))
    got = "yes" if answer.holds else "no"
    if got == question.expected:
        return Asked(question, got)
    return Asked(question, got, _explained(kb, question.goal, question.as_of))


def _explained(kb: KnowledgeBase, goal: str, day: datetime.date) -> Explanation | None:
    kb.set_as_of(day)
    try:
        return why(kb, _query(goal))
    except AllegianceError:
        return None


def _query(goal: str) -> str:
    text = goal.strip()
    return text if text.endswith("?") else text + "?"
