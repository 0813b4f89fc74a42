"""Source sensitivity: the conclusions that hang on one source.

Sits on `whatif`. Withdraws, in a scratch layer, every statement that a source alone supports
and reports the diff, so an analyst sees which judgments rest on that source. Guarantees:
- a statement is withdrawn when it cites the source and no other source (other than the
  `carriers`, sources that only relay others, such as an article that cites every report it
  discusses); a statement that also cites another source stays, and is listed as kept;
- a tuple stated twice stays if any of its statements stays;
- the knowledge base is left exactly as it was (see `whatif.assume`).
`carriers_of` finds the sources that relay every other (cited by every statement that cites
another source); `source_sensitivities` weighs each of them alone, and every other source with them.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from allegiance.check.declarations import did_you_mean
from allegiance.lang.diagnostics import QueryError, error
from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.syntax import Fact
from allegiance.whatif.layers import Diff, conclusion_keys, diff, relations


@frozen
class SourceSensitivity:
    """What withdrawing `source` changes: the statements withdrawn, those kept, and the diff."""

    source: str
    carriers: tuple[str, ...]
    withdrawn: tuple[Fact, ...]  # cite the source, and no other source but the carriers
    kept: tuple[Fact, ...]  # cite the source and another source: they stay
    diff: Diff


def source_sensitivity(kb: KnowledgeBase, source: str, *, carriers: Iterable[str] = (),
                       conclusions: Iterable[str] | None = None, before: dict | None = None) -> SourceSensitivity:
    """The conclusions that change when every statement only `source` supports is withdrawn
    (`before`: the conclusions' relations as they are, when already known; see `whatif.diff`)."""
    carriers = tuple(c for c in carriers if c != source)
    for name in (source, *carriers):
        _check_source(kb, name)
    with kb._lock:
        citing = [f for f in kb.facts() if source in f.sources]
        alone = set(carriers) | {source}
        withdrawn = tuple(f for f in citing if set(f.sources) <= alone)
        kept = tuple(f for f in citing if not set(f.sources) <= alone)
        changes = diff(kb, withdraw=withdrawn, conclusions=conclusions, before=before)
    return SourceSensitivity(source, carriers, withdrawn, kept, changes)


def every_source_sensitivity(kb: KnowledgeBase, *, carriers: Iterable[str] = (),
                             conclusions: Iterable[str] | None = None) -> tuple[SourceSensitivity, ...]:
    """The sensitivity to each declared source (carriers excepted), in declaration order."""
    carriers = tuple(carriers)
    return tuple(source_sensitivity(kb, s, carriers=carriers, conclusions=conclusions)
                 for s in kb.checked.sources if s not in carriers)


def carriers_of(kb: KnowledgeBase) -> tuple[str, ...]:
    """The declared sources that relay every other: each statement that cites another source
    cites them too (an article that cites every report it discusses), in declaration order."""
    cited = [set(f.sources) for f in kb.facts() if f.sources]
    return tuple(s for s in kb.checked.sources
                 if any(c - {s} for c in cited) and all(s in c for c in cited if c - {s}))


def source_sensitivities(kb: KnowledgeBase, *, carriers: Iterable[str] | None = None,
                         conclusions: Iterable[str] | None = None) -> tuple[SourceSensitivity, ...]:
    """The sensitivity to every declared source, in declaration order: a carrier (by default
    `carriers_of(kb)`) alone, every other source with the carriers."""
    carriers = carriers_of(kb) if carriers is None else tuple(carriers)
    keys = conclusion_keys(kb, conclusions)
    with kb._lock:
        before = relations(kb, keys)  # once for all: every layer starts from the same state
        return tuple(source_sensitivity(kb, s, carriers=() if s in carriers else carriers,
                                        conclusions=keys, before=before) for s in kb.checked.sources)


def _check_source(kb: KnowledgeBase, source: str) -> None:
    if source not in kb.checked.sources:
        raise QueryError([error(f"source `@{source}` is not declared", None, "unknown-source",
                                hint=did_you_mean(source, kb.checked.sources, lambda c: "@" + c))])
