"""The what-if sections of the Markdown report: the competing hypotheses about each pair of
alleged allies, and what hangs on each source.

Sits on `render_markdown` (which places these sections before the sources) and reads an
`assessment_whatif.WhatIf`. Each matrix is a table whose cells link to their explanations below
it, each in a collapsible `<details>` (which GitHub renders) anchored `ach-P-cell-I-J`; every
weight other than 1 links to the proof of its credibility (`ach-P-weight-I`). Every text of the
knowledge base is escaped. Deterministic.
"""

from __future__ import annotations

from html import escape

from allegiance.whatif.assessment_whatif import PairHypotheses, WhatIf
from allegiance.render.markdown import code, explanation_markdown, md
from allegiance.render.whatif.text import MINUS, PLUS
from allegiance.render.whatif.html import HOW, SOURCES, capital, sets_text
from allegiance.explain.sentences import Vocabulary


def whatif_markdown(whatif: WhatIf | None, vocab: Vocabulary, source_ids: set) -> list[str]:
    """The two sections, or nothing when the assessment has no what-if part."""
    if whatif is None:
        return []
    out = ["## Competing hypotheses", "", md(HOW), ""]
    if not whatif.pairs:
        out += ["No claim presents two groups as allies: there is nothing to weigh.", ""]
    for n, pair in enumerate(whatif.pairs, 1):
        out += _pair(pair, n, vocab, source_ids)
    return out + _sensitivity(whatif, vocab, source_ids)


def _pair(pair: PairHypotheses, n: int, vocab: Vocabulary, source_ids: set) -> list[str]:
    out = [f'### <a id="ach-{n}"></a>{md(vocab.name(pair.group))} and {md(vocab.name(pair.other))}', ""]
    m = pair.matrix
    if m is None:
        return out + [f"No matrix: {md(pair.note)}.", ""]
    label = {h: f"H{i}" for i, h in enumerate(m.hypotheses, 1)}
    for h, score in zip(m.hypotheses, m.scores):
        rank = next(r for r, tier in enumerate(m.ranking, 1) if h in tier)
        favoured = " — **favoured**" if h in m.favoured else ""
        out.append(f"- **{label[h]}** {md(vocab.name(h))} ({code(str(h))}): score {score:.2f}, rank {rank}{favoured}")
    out += ["", "| item of evidence | " + " | ".join(label.values()) + " | weight | diag. |",
            "|---|" + "---|" * (len(m.hypotheses) + 2)]
    for i, item in enumerate(m.items, 1):
        cells = " | ".join(f"[{'–' if r == '-' else r}](#ach-{n}-cell-{i}-{j})" for j, r in enumerate(item.ratings, 1))
        weight = f"{item.weight:.2f}"
        if pair.credibility[i - 1] is not None:
            weight = f"[{weight}](#ach-{n}-weight-{i})"
        out.append(f"| E{i} {md(vocab.name(item.id))} | {cells} | {weight} | {item.diagnosticity:.2f} |")
    out.append("| **score** (weighted inconsistency) | " + " | ".join(f"**{s:.2f}**" for s in m.scores) + " | | |")
    out += ["", *_verdict(m, label, vocab), ""]
    out += _explanations(pair, n, vocab, source_ids) + _indicators(pair, vocab)
    return out


def _verdict(m, label: dict, vocab: Vocabulary) -> list[str]:
    tiers = "; ".join(" = ".join(f"{label[h]} {vocab.name(h)}" for h in tier) for tier in m.ranking)
    flat = "; ".join(vocab.name(i.id) for i in m.items if not i.diagnostic) or "none"
    critical = "; ".join(vocab.name(i) for i in m.critical)
    return [f"**Favoured: {md(' and '.join(vocab.name(h) for h in m.favoured))}.**", "",
            f"Ranking, least inconsistent first: {md(tiers)}.", "",
            f"Not diagnostic (counts against every hypothesis or none): {md(flat)}.", "",
            f"Critical items (one change to them changes the favoured hypothesis): {md(critical)}."
            if critical else "No single item, withdrawn or with one rating flipped, changes the favoured hypothesis."]


def _explanations(pair: PairHypotheses, n: int, vocab: Vocabulary, source_ids: set) -> list[str]:
    m, out = pair.matrix, ["#### Why each rating and each weight", ""]
    for i, item in enumerate(m.items, 1):
        out += [f"**E{i}** {md(capital(vocab.name(item.id)))} ({item.credibility} credibility, "
                f"weight {item.weight:.2f})", ""]
        credibility = pair.credibility[i - 1]
        if credibility is not None:
            out += _details(f"ach-{n}-weight-{i}", f"why its credibility is {item.credibility}",
                            explanation_markdown(credibility, vocab, source_ids))
        for j, h in enumerate(m.hypotheses, 1):
            cell = pair.cell(item.id, h)
            body = []
            for expl in cell.explanations:
                body += [f"{'✓' if expl.holds else '✗'} {md(capital(vocab.sentence(expl.goal, expl.holds)))} "
                         f"({code(vocab.atom(expl.goal))})", ""]
                body += explanation_markdown(expl, vocab, source_ids) + [""]
            out += _details(f"ach-{n}-cell-{i}-{j}", f"E{i} × H{j}: {cell.rating} ({vocab.name(h)})", body)
    return out


def _details(anchor: str, summary: str, body: list[str]) -> list[str]:
    return [f'<details><summary><a id="{anchor}"></a>{escape(summary)}</summary>', "",
            *body, "", "</details>", ""]


def _indicators(pair: PairHypotheses, vocab: Vocabulary) -> list[str]:
    out = ["#### Indicators: what to watch for", ""]
    for entry in pair.indicators:
        now = "borne out" if entry.borne_out else "not borne out"
        then = "no longer borne out" if entry.borne_out else "borne out"
        out += [f"**{md(capital(vocab.name(entry.hypothesis)))}**: now {now}, score {entry.score:.2f}, "
                f"rank {entry.rank + 1}.", ""]
        for indicator in entry.indicators:
            changes = "; ".join(f"{PLUS if c.added else MINUS} {md(vocab.sentence(c.atom))} ({code(vocab.atom(c.atom))})"
                                for c in indicator.changes)
            out.append(f"- {changes} → {then}; score {indicator.score:.2f}, rank {indicator.rank + 1}")
        search = entry.search
        bound = f"the search was bounded: {search.reason}" if search.bound_reached else "no bound was reached"
        out += ([] if entry.indicators else ["- no indicator found"]) + \
            ["", f"*{sets_text(len(search.sets))} found, {sets_text(search.checks)} assumed; {md(bound)}.*", ""]
    return out if pair.indicators else out + ["Indicators were not searched.", ""]


def _sensitivity(whatif: WhatIf, vocab: Vocabulary, source_ids: set) -> list[str]:
    out = ["## What hangs on each source", "", md(SOURCES.format(keys=", ".join(whatif.conclusions) or "none")), ""]
    if not whatif.sources:
        return out + ["No source is declared.", ""]
    out += ["| source | statements withdrawn | kept (also cite another source) | conclusions lost | gained |",
            "|---|---|---|---|---|"]
    for s in whatif.sources:
        name = f"[{md(s.source)}](#source-{s.source})" if s.source in source_ids else md(s.source)
        lost = f"[{len(s.diff.lost)}](#sensitivity-{s.source})" if s.diff.changed else str(len(s.diff.lost))
        out.append(f"| {name} | {len(s.withdrawn)} | {len(s.kept)} | {lost} | {len(s.diff.gained)} |")
    out.append("")
    for s in whatif.sources:
        if s.diff.changed:
            body = [f"- {MINUS} {md(vocab.sentence(a))} ({code(vocab.atom(a))})" for a in s.diff.lost]
            body += [f"- {PLUS} {md(vocab.sentence(a))} ({code(vocab.atom(a))})" for a in s.diff.gained]
            out += _details(f"sensitivity-{s.source}", f"without [{s.source}]: {len(s.diff.lost)} lost, "
                            f"{len(s.diff.gained)} gained", body)
    return out
