"""Text renderers for hypothetical reasoning: layers, diffs, flip sets, source sensitivity, the
matrix of competing hypotheses and indicators.

Sits at the end of the pipeline beside `render_text`; reads the values of `whatif`, `flip`,
`sensitivity` and `ach` and a `Vocabulary`. Output is deterministic. A change is a line `+ …`
(stated) or `− …` (withdrawn) with the sentence of the fact it holds, then the fact itself.
"""

from __future__ import annotations

from allegiance.whatif.ach import Indicators, Matrix
from allegiance.whatif.flips import FlipSets
from allegiance.render.text import explanation_tree
from allegiance.whatif.sensitivity import SourceSensitivity
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Fact
from allegiance.whatif.layers import Change, Diff, Layer

PLUS, MINUS = "+", "−"


def layer_text(layer: Layer, vocab: Vocabulary) -> str:
    """What a layer states and withdraws, one fact a line."""
    lines = [f"  {PLUS} {_fact(f, vocab)}" for f in layer.added]
    lines += [f"  {MINUS} {_fact(f, vocab)}" for f in layer.withdrawn]
    lines += [f"  = {vocab.atom(f.atom)} (already as asked: nothing changed)" for f in layer.ignored]
    return "\n".join(lines) if lines else "  (nothing)"


def diff_text(diff: Diff, vocab: Vocabulary, explanations: bool = True) -> str:
    """The layer, then the conclusions gained and lost, then the explanations asked for."""
    lines = ["assuming:", layer_text(diff.layer, vocab), ""]
    counts = f"{_count(len(diff.gained), 'conclusion')} gained, {len(diff.lost)} lost, " \
             f"{len(diff.unchanged)} unchanged"
    lines.append(f"as of {diff.as_of.isoformat()}, over {_count(len(diff.conclusions), 'predicate')}: {counts}.")
    for title, atoms, mark in (("gained", diff.gained, PLUS), ("lost", diff.lost, MINUS)):
        if atoms:
            lines.append(f"{title}:")
            lines += [f"  {mark} {vocab.sentence(a)}  [{vocab.atom(a)}]" for a in atoms]
    if explanations:
        for expl in diff.explanations:
            lines += ["", f"with the assumption, why {vocab.atom(expl.goal)}?",
                      explanation_tree(expl, vocab).text]
    return "\n".join(lines)


def change_text(change: Change, vocab: Vocabulary) -> str:
    """`+ sentence  [atom]` or `− sentence  [atom]`."""
    return f"{PLUS if change.added else MINUS} {vocab.sentence(change.atom)}  [{vocab.atom(change.atom)}]"


def flips_text(flips: FlipSets, vocab: Vocabulary) -> str:
    """The minimal flip sets, numbered, and what bounded the search."""
    verdict = "holds" if flips.holds else "does not hold"
    wanted = "defeat it (its critical premises)" if flips.holds else "make it hold"
    lines = [f"{vocab.sentence(flips.goal, flips.holds)}: {vocab.atom(flips.goal)} {verdict} "
             f"as of {flips.as_of.isoformat()}.",
             f"the smallest sets of changes that would {wanted}:"]
    for n, changes in enumerate(flips.sets, 1):
        for i, change in enumerate(changes):
            lead = f"{n}." if i == 0 else ""
            lines.append(f"  {lead:<4}{change_text(change, vocab)}")
    if not flips.sets:
        lines.append(f"  none of at most {_count(flips.max_size, 'change')}.")
    lines.append(_bound(flips))
    return "\n".join(lines)


def _bound(flips: FlipSets) -> str:
    found = f"{_count(len(flips.sets), 'set')} found, {_count(flips.checks, 'set')} assumed"
    if flips.bound_reached:
        return f"{found}; the search was bounded: {flips.reason}."
    return f"{found}; no bound was reached: no other candidate the explanations suggest flips it."


def sensitivity_text(result: SourceSensitivity, vocab: Vocabulary, limit: int = 10) -> str:
    """What withdrawing a source withdraws, what it keeps, and what changes."""
    alone = f"[{result.source}]" + "".join(f" or [{c}]" for c in result.carriers)
    lines = [f"source [{result.source}] {vocab.citation(result.source)}",
             f"  {_count(len(result.withdrawn), 'statement')} cite {alone} and no other source: withdrawn."]
    lines += [f"    {MINUS} {_fact(f, vocab)}" for f in result.withdrawn[:limit]]
    lines += _more(result.withdrawn, limit, "    ")
    others = sorted({s for f in result.kept for s in f.sources} - {result.source, *result.carriers})
    if result.kept:
        lines.append(f"  {_count(len(result.kept), 'statement')} also cite another source "
                     f"({', '.join(f'[{s}]' for s in others)}): they stay.")
    lines += _changes(result.diff, vocab, limit)
    return "\n".join(lines)


def sensitivities_text(results, vocab: Vocabulary) -> str:
    """Every source on one line: the statements withdrawn and kept, the conclusions lost and
    gained, by predicate."""
    if not results:
        return "no source is declared."
    head = f"as of {results[0].diff.as_of.isoformat()}, over " \
           f"{_count(len(results[0].diff.conclusions), 'predicate')}, without what each source alone supports:"
    lines = [head]
    for r in results:
        relayed = f" (relayed by {', '.join(f'[{c}]' for c in r.carriers)})" if r.carriers else ""
        lines.append(f"  [{r.source}]{relayed}: {len(r.withdrawn)} withdrawn, {len(r.kept)} kept; "
                     f"{len(r.diff.lost)} lost, {len(r.diff.gained)} gained" + _by_predicate(r.diff))
    lines.append("`.sensitivity SOURCE` shows which conclusions.")
    return "\n".join(lines)


def _by_predicate(diff: Diff, most: int = 4) -> str:
    """The predicates that change most (at most `most`), with how many lost and gained."""
    counts = [(key, sum(a.key == key for a in diff.lost), sum(a.key == key for a in diff.gained))
              for key in diff.conclusions]
    changed = sorted((c for c in counts if c[1] or c[2]), key=lambda c: -(c[1] + c[2]))
    shown = [f"{key} {MINUS}{lost} {PLUS}{gained}" for key, lost, gained in changed[:most]]
    more = f"; {_count(len(changed) - most, 'other predicate')}" if len(changed) > most else ""
    return f" ({'; '.join(shown)}{more})" if shown else ""


def _changes(diff: Diff, vocab: Vocabulary, limit: int) -> list[str]:
    """The conclusions gained and lost, counted by predicate, then the first `limit` of each."""
    lines = [f"  conclusions gained: {len(diff.gained)}, lost: {len(diff.lost)}, "
             f"unchanged: {len(diff.unchanged)}."]
    for key in diff.conclusions:
        gained = sum(a.key == key for a in diff.gained)
        lost = sum(a.key == key for a in diff.lost)
        if gained or lost:
            lines.append(f"    {key}: {gained} gained, {lost} lost")
    for atoms, mark in ((diff.gained, PLUS), (diff.lost, MINUS)):
        lines += [f"    {mark} {vocab.sentence(a)}  [{vocab.atom(a)}]" for a in atoms[:limit]]
        lines += _more(atoms, limit, "    ")
    return lines


QUESTION_TITLES = {"relationship": "the relationship of", "reporting": "the reports that claim cooperation of"}


def matrix_text(matrix: Matrix, vocab: Vocabulary) -> str:
    """The matrix as a table (C consistent, I inconsistent, - not applicable), one row per origin
    with its grade, weight and diagnosticity, items ranked by diagnosticity; its scores, the
    ranking, the items that are not diagnostic and the sensitivity of the ranking."""
    names = [f"H{i}" for i in range(1, len(matrix.hypotheses) + 1)]
    label = dict(zip(matrix.hypotheses, names))
    title = QUESTION_TITLES.get(matrix.question, "")
    lines = [f"competing hypotheses about {title} {vocab.name(matrix.group)} and "
             f"{vocab.name(matrix.other)} (mutually exclusive), as of {matrix.as_of.isoformat()}:"]
    lines += [f"  {n}  {vocab.name(h)}" for n, h in zip(names, matrix.hypotheses)]
    lines += ["", "      " + "".join(f"{n:>5}" for n in names) + "  grade  weight  diag.  item (one row per origin)"]
    for i, item in enumerate(ranked_items(matrix), 1):
        cells = "".join(f"{r:>5}" for r in item.ratings)
        kinds = ", ".join(k.rsplit("/", 1)[0] for k in item.kinds)
        lines.append(f"  E{i:<3}{cells}  {item.grade or '—':>5}  {item.weight:>6.2f}  "
                     f"{item.diagnosticity:>5.2f}  {_row_name(item, vocab)} ({kinds}; {item.credibility} credibility)")
    lines += ["", "ranking, least inconsistent first (score: the share of the weight rated for a hypothesis "
              "that counts against it; not applicable never counts):"]
    against, rated = matrix.inconsistency, matrix.applicable
    for rank, tier in enumerate(matrix.ranking, 1):
        i = matrix.hypotheses.index(tier[0])
        lines.append(f"  {rank}. " + " = ".join(f"{label[h]} {vocab.name(h)}" for h in tier)
                     + f" ({_share(matrix.scores[i])}: {against[i]:.2f} of {rated[i]:.2f} against)")
    lines.append("favoured: " + " and ".join(vocab.name(h) for h in matrix.favoured) + ".")
    flat = [_row_name(i, vocab) for i in matrix.items if not i.diagnostic]
    lines.append("not diagnostic (rated alike for every hypothesis it bears on): " + ("; ".join(flat) or "none") + ".")
    lines += ["", *_sensitivity_lines(matrix, vocab, label)]
    return "\n".join(lines)


def ranked_items(matrix: Matrix) -> list:
    """The rows, the most diagnostic first (then in the matrix's order)."""
    return sorted(matrix.items, key=lambda i: -i.diagnosticity)


def _row_name(item, vocab: Vocabulary) -> str:
    if not item.members:
        return vocab.name(item.id)
    return f"one origin, {len(item.members)} items: " + "; ".join(vocab.name(m) for m in item.members)


def _share(value: float) -> str:
    return "n/a" if value == float("inf") else f"{value:.2f}"


def _sensitivity_lines(matrix: Matrix, vocab: Vocabulary, label: dict) -> list[str]:
    if matrix.critical:
        head = "critical items (one change to them changes the favoured hypothesis): " + \
               "; ".join(vocab.name(i) for i in matrix.critical) + "."
    else:
        head = "no single item, withdrawn or with one rating flipped, changes the favoured hypothesis."
    lines = [head]
    if matrix.sensitivity:
        lines.append("changes to one item that alter the ranking:")
    for p in matrix.sensitivity:
        what = "withdrawn" if p.hypothesis is None else f"its rating for {label[p.hypothesis]} flipped"
        order = " < ".join(" = ".join(label[h] for h in tier) for tier in p.ranking)
        lines.append(f"  {vocab.name(p.item)} {what}: {order}")
    return lines


def indicators_text(found: tuple[Indicators, ...], vocab: Vocabulary) -> str:
    """For each hypothesis, the changes to watch for, the most telling first."""
    lines = []
    for entry in found:
        now = "borne out" if entry.borne_out else "not borne out"
        lines.append(f"{vocab.name(entry.hypothesis)}: now {now}, score {entry.score:.2f}, "
                     f"rank {entry.rank + 1}.")
        then = "no longer borne out" if entry.borne_out else "borne out"
        for n, indicator in enumerate(entry.indicators, 1):
            for i, change in enumerate(indicator.changes):
                lines.append(f"  {f'{n}.' if i == 0 else '':<4}{change_text(change, vocab)}")
            lines.append(f"      → {then}; score {indicator.score:.2f}, rank {indicator.rank + 1}")
        if not entry.indicators:
            lines.append("  no indicator found.")
        lines.append("  " + _bound(entry.search))
    return "\n".join(lines)


def _fact(fact: Fact, vocab: Vocabulary) -> str:
    cited = ", ".join(f"[{s}]" for s in fact.sources)
    return f"{vocab.sentence(fact.atom)}  [{vocab.atom(fact.atom)}]" + (f" {cited}" if cited else "")


def _more(items, limit: int, indent: str) -> list[str]:
    return [f"{indent}… and {len(items) - limit} more"] if len(items) > limit else []


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
