"""The what-if sections of the HTML report: the competing hypotheses about each pair of alleged
allies, and what hangs on each source.

Sits beside `render_html` (which places these sections before the sources) and reads an
`assessment_whatif.WhatIf`. Guarantees, as for the rest of the page: no script and no external
resource; every text of the knowledge base escaped; deterministic. Every cell of a matrix links
to its explanation (a `<details>` below the table, anchored `ach-P-cell-I-J`), every weight
other than 1 to the proof of its credibility (`ach-P-weight-I`), and every source row to the
conclusions it changes (`sensitivity-ID`) and to its entry among the sources.
"""

from __future__ import annotations

from html import escape

from allegiance.whatif.ach import Indicators, Matrix
from allegiance.whatif.assessment_whatif import PairHypotheses, WhatIf
from allegiance.render.whatif.text import MINUS, PLUS
from allegiance.explain.sentences import Vocabulary
from allegiance.whatif.layers import Change

HOW = ("Each hypothesis is weighed against each item of evidence: C consistent, I inconsistent, "
       "– neither (the rules rate it neither way). An item weighs √2 when of high credibility, 1 "
       "when of medium, 1/√2 when of low; a hypothesis' score is the sum of the weights of the "
       "items inconsistent with it, and the least inconsistent is favoured. An item's "
       "diagnosticity is the spread of its weight over the hypotheses (0: it tells them apart "
       "not at all). Every rating and every weight is derived by a rule: follow a cell or a "
       "weight to its explanation.")
SOURCES = ("For each source, every statement that cites it and no other source is withdrawn (a "
           "source that relays every other, such as the article, does not count as another "
           "source, and is weighed alone), and the key conclusions are drawn again: {keys}.")


def whatif_contents(whatif: WhatIf | None) -> list[tuple[str, str]]:
    """The entries of the table of contents: (anchor, title)."""
    if whatif is None:
        return []
    return [("hypotheses", "Competing hypotheses"), ("sensitivity", "What hangs on each source")]


def whatif_html(whatif: WhatIf | None, vocab: Vocabulary, source_ids: set) -> list[str]:
    """The two sections, or nothing when the assessment has no what-if part."""
    if whatif is None:
        return []
    out = ['<section id="hypotheses"><h2>Competing hypotheses</h2>', f'<p class="muted">{escape(HOW)}</p>']
    if not whatif.pairs:
        out.append("<p>No claim presents two groups as allies: there is nothing to weigh.</p>")
    for n, pair in enumerate(whatif.pairs, 1):
        out += _Pair(pair, n, vocab, source_ids).html()
    out.append("</section>")
    return out + _sensitivity(whatif, vocab, source_ids)


class _Pair:
    def __init__(self, pair: PairHypotheses, n: int, vocab: Vocabulary, source_ids: set):
        self.pair, self.n, self.vocab, self.source_ids = pair, n, vocab, source_ids
        self.matrix: Matrix | None = pair.matrix
        self.prefix = f"ach-{n}"

    def html(self) -> list[str]:
        pair, vocab = self.pair, self.vocab
        title = f"{vocab.name(pair.group)} and {vocab.name(pair.other)}"
        out = [f'<article class="matrix" id="{self.prefix}"><h3>{escape(title)}</h3>']
        if self.matrix is None:
            return out + [f"<p>No matrix: {escape(pair.note)}.</p>", "</article>"]
        out += self.hypotheses() + self.table() + self.verdict() + self.explanations() + self.indicators()
        return out + ["</article>"]

    def hypotheses(self) -> list[str]:
        m, rows = self.matrix, []
        for i, (h, score) in enumerate(zip(m.hypotheses, m.scores), 1):
            rank = next(r for r, tier in enumerate(m.ranking, 1) if h in tier)
            favoured = ' <span class="yes">favoured</span>' if h in m.favoured else ""
            rows.append(f"<li><strong>H{i}</strong> {escape(self.vocab.name(h))} <code>{escape(str(h))}</code>: "
                        f"score {score:.2f}, rank {rank}{favoured}</li>")
        return ["<p>The hypotheses:</p>", '<ul class="hypotheses">', *rows, "</ul>"]

    def table(self) -> list[str]:
        m = self.matrix
        heads = "".join(f'<th title="{escape(self.vocab.name(h))}">H{i}</th>' for i, h in enumerate(m.hypotheses, 1))
        out = ['<table class="ach"><thead><tr><th>item of evidence</th>' + heads +
               "<th>weight</th><th>diag.</th></tr></thead><tbody>"]
        for i, item in enumerate(m.items, 1):
            cells = "".join(self._cell(i, j, r) for j, r in enumerate(item.ratings, 1))
            weight = f"{item.weight:.2f}"
            if self.pair.credibility[i - 1] is not None:
                weight = f'<a href="#{self.prefix}-weight-{i}">{weight}</a>'
            out.append(f'<tr><th scope="row">E{i} {escape(self.vocab.name(item.id))}</th>{cells}'
                       f"<td>{weight}</td><td>{item.diagnosticity:.2f}</td></tr>")
        scores = "".join(f"<td><strong>{s:.2f}</strong></td>" for s in m.scores)
        out.append(f'<tr><th scope="row">score (weighted inconsistency)</th>{scores}<td></td><td></td></tr>')
        return out + ["</tbody></table>"]

    def _cell(self, i: int, j: int, rating: str) -> str:
        shown = "–" if rating == "-" else rating
        return f'<td class="rating-{rating}"><a href="#{self.prefix}-cell-{i}-{j}">{shown}</a></td>'

    def verdict(self) -> list[str]:
        m, vocab = self.matrix, self.vocab
        label = {h: f"H{i}" for i, h in enumerate(m.hypotheses, 1)}
        favoured = " and ".join(vocab.name(h) for h in m.favoured)
        tiers = "; ".join(" = ".join(f"{label[h]} {vocab.name(h)}" for h in tier) for tier in m.ranking)
        flat = "; ".join(vocab.name(i.id) for i in m.items if not i.diagnostic) or "none"
        critical = "; ".join(vocab.name(i) for i in m.critical)
        out = [f'<p class="verdict">Favoured: <strong>{escape(favoured)}</strong>.</p>',
               f"<p>Ranking, least inconsistent first: {escape(tiers)}.</p>",
               f"<p>Not diagnostic (counts against every hypothesis or none): {escape(flat)}.</p>",
               "<p>Critical items (one change to them changes the favoured hypothesis): "
               f"{escape(critical)}.</p>" if critical else
               "<p>No single item, withdrawn or with one rating flipped, changes the favoured hypothesis.</p>"]
        if m.sensitivity:
            count = len(m.sensitivity)
            out.append(f"<details><summary>changes to one item that alter the ranking ({count})</summary><ul>")
            for p in m.sensitivity:
                what = "withdrawn" if p.hypothesis is None else f"its rating for {label[p.hypothesis]} flipped"
                order = " &lt; ".join(" = ".join(label[h] for h in tier) for tier in p.ranking)
                out.append(f"<li>{escape(vocab.name(p.item))} {what}: {order}</li>")
            out.append("</ul></details>")
        return out

    def explanations(self) -> list[str]:
        m, out = self.matrix, ["<h4>Why each rating and each weight</h4>"]
        for i, item in enumerate(m.items, 1):
            kinds = ", ".join(k.rsplit("/", 1)[0] for k in item.kinds)
            out.append(f'<div class="item"><p><strong>E{i}</strong> {escape(capital(self.vocab.name(item.id)))} '
                       f"({escape(kinds)}; {item.credibility} credibility, weight {item.weight:.2f})</p>")
            credibility = self.pair.credibility[i - 1]
            if credibility is not None:
                out += [f'<details id="{self.prefix}-weight-{i}"><summary>why its credibility is '
                        f"{item.credibility}</summary>",
                        *self._tree(credibility, f"w{i}"),
                        "</details>"]
            for j, h in enumerate(m.hypotheses, 1):
                out += self._cell_explanation(i, j, item, h)
            out.append("</div>")
        return out

    def _cell_explanation(self, i: int, j: int, item, hypothesis) -> list[str]:
        cell = self.pair.cell(item.id, hypothesis)
        words = {"I": "inconsistent with", "C": "consistent with"}.get(cell.rating, "rated neither way against")
        goal = self.vocab.atom(self.matrix.cell(item.id, hypothesis))
        out = [f'<details class="cell" id="{self.prefix}-cell-{i}-{j}" data-cell="{escape(goal)}" '
               f'data-rating="{escape(cell.rating)}"><summary>E{i} × H{j}: <strong>{escape(cell.rating)}</strong> '
               f"({escape(words)} {escape(self.vocab.name(hypothesis))})</summary>"]
        for k, expl in enumerate(cell.explanations, 1):
            out.append(f'<p class="detail">{"✓" if expl.holds else "✗"} '
                       f"{escape(capital(self.vocab.sentence(expl.goal, expl.holds)))} "
                       f"<code>{escape(self.vocab.atom(expl.goal))}</code></p>")
            out += self._tree(expl, f"c{i}-{j}-{k}")
        return out + ["</details>"]

    def _tree(self, expl, anchor: str) -> list[str]:
        from allegiance.render.html import explanation_html  # render_html imports this module

        return explanation_html(expl, self.vocab, f"{self.prefix}-{anchor}", self.source_ids)

    def indicators(self) -> list[str]:
        out = ["<h4>Indicators: what to watch for</h4>"]
        if not self.pair.indicators:
            return out + ["<p>Indicators were not searched.</p>"]
        for entry in self.pair.indicators:
            out += _indicators(entry, self.vocab)
        return out


def _indicators(entry: Indicators, vocab: Vocabulary) -> list[str]:
    now = "borne out" if entry.borne_out else "not borne out"
    then = "no longer borne out" if entry.borne_out else "borne out"
    out = [f"<p><strong>{escape(capital(vocab.name(entry.hypothesis)))}</strong>: now {now}, "
           f"score {entry.score:.2f}, rank {entry.rank + 1}.</p>"]
    if entry.indicators:
        out.append("<ul>")
        for indicator in entry.indicators:
            changes = "<br>".join(_change(c, vocab) for c in indicator.changes)
            out.append(f"<li>{changes}<br>→ {then}; score {indicator.score:.2f}, rank {indicator.rank + 1}</li>")
        out.append("</ul>")
    else:
        out.append("<p>No indicator found.</p>")
    search = entry.search
    bound = f"the search was bounded: {search.reason}" if search.bound_reached else "no bound was reached"
    found = f"{sets_text(len(search.sets))} found, {sets_text(search.checks)} assumed"
    return out + [f'<p class="muted">{found}; {escape(bound)}.</p>']


def sets_text(n: int) -> str:
    return f"{n} set{'' if n == 1 else 's'}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _change(change: Change, vocab: Vocabulary) -> str:
    return f"{PLUS if change.added else MINUS} {_atom(change.atom, vocab)}"


def _atom(atom, vocab: Vocabulary) -> str:
    return f"{escape(vocab.sentence(atom))} <code>{escape(vocab.atom(atom))}</code>"


def _sensitivity(whatif: WhatIf, vocab: Vocabulary, source_ids: set) -> list[str]:
    keys = ", ".join(whatif.conclusions) or "none"
    out = ['<section id="sensitivity"><h2>What hangs on each source</h2>',
           f'<p class="muted">{escape(SOURCES.format(keys=keys))}</p>']
    if not whatif.sources:
        return out + ["<p>No source is declared.</p>", "</section>"]
    out.append("<table><thead><tr><th>source</th><th>statements withdrawn</th><th>kept (also cite "
               "another source)</th><th>conclusions lost</th><th>gained</th></tr></thead><tbody>")
    for s in whatif.sources:
        name = f'<a href="#source-{escape(s.source)}">[{escape(s.source)}]</a>' if s.source in source_ids \
            else f"[{escape(s.source)}]"
        lost, gained = len(s.diff.lost), len(s.diff.gained)
        changed = f'<a href="#sensitivity-{escape(s.source)}">{lost}</a>' if s.diff.changed else str(lost)
        out.append(f"<tr><td>{name}</td><td>{len(s.withdrawn)}</td><td>{len(s.kept)}</td>"
                   f"<td>{changed}</td><td>{gained}</td></tr>")
    out.append("</tbody></table>")
    for s in whatif.sources:
        if s.diff.changed:
            out.append(f'<details id="sensitivity-{escape(s.source)}"><summary>without [{escape(s.source)}]: '
                       f"{len(s.diff.lost)} lost, {len(s.diff.gained)} gained</summary><ul>")
            out += [f"<li>{MINUS} {_atom(a, vocab)}</li>" for a in s.diff.lost]
            out += [f"<li>{PLUS} {_atom(a, vocab)}</li>" for a in s.diff.gained]
            out.append("</ul></details>")
    return out + ["</section>"]
