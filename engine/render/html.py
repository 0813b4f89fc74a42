"""The assessment as one self-contained HTML page: readable offline, in any browser, with no script.

Sits at the end of the pipeline; reads an `assessment.Assessment` and a `Vocabulary`. The page
holds the key conclusions at a glance, the picture of the relations between the groups (inline
SVG from `render_svg`), every report with its verdict and explanation, the conclusions about each
pair of alleged allies, the competing hypotheses about each pair and what hangs on each source
(`render_whatif_html`), and the sources. Explanations are collapsible trees (`<details>`), built
from `render_outline`. Guarantees:
- no external resource of any kind: the style is inline, there is no script, image, font or
  frame, and a Content-Security-Policy forbids loading anything; the only links to the outside
  are the sources' own addresses (http and https only), which are citations, not resources;
- every given fact links to its sources' entries (`#source-ID`), and every source has one;
- every text of the knowledge base is escaped; the same assessment always gives the same page.
"""

from __future__ import annotations

from html import escape

from allegiance.whatif.assessment import ALLIANCE, CREDIBILITY, FEASIBILITY, LOCAL, RIFT, Assessment, Conclusion
from allegiance.render.outline import CUT, FAILS, HOLDS, Line, explanation_outline
from allegiance.render.svg import relations_svg
from allegiance.render.whatif.html import whatif_contents, whatif_html
from allegiance.render.text import summary
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import SourceDecl
from allegiance.lang.values import display

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #fff; max-width: 62rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #d0d7de; margin-top: 2.5rem; }
h3 { margin-bottom: .3rem; } h4 { margin: 1.2rem 0 .2rem; }
code { font-size: .85em; background: #f3f4f6; padding: 0 .25em; border-radius: 3px; }
a { color: #0b57d0; } .muted, .detail, .cite { color: #57606a; } .detail, .cite { font-size: .85em; }
nav ul { columns: 2; padding-left: 1.2rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
  padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; } th { background: #f6f8fa; }
.yes { color: #1a7f37; font-weight: bold; } .no { color: #cf222e; font-weight: bold; }
.cut { color: #9a6700; font-weight: bold; }
.verdict { font-size: 1.05rem; margin: .3rem 0; }
.report, .conclusion { border: 1px solid #d0d7de; border-radius: 6px; padding: .4rem 1rem .8rem; margin: 1rem 0; }
.report .conclusion { border: none; padding: 0; margin: 0; }
ul.tree { list-style: none; padding-left: 1.1rem; margin: .2rem 0; border-left: 1px dotted #afb8c1; }
ul.tree > li { margin: .15rem 0; } details > summary { cursor: pointer; }
details.full > summary { color: #0b57d0; margin: .4rem 0; }
.rule { margin-left: 1.2rem; } .num { color: #57606a; font-size: .8em; }
figure { margin: 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
ol.sources li { margin: .3rem 0; } :target { background: #fff8c5; }
table.ach td { text-align: center; } .rating-I a { color: #cf222e; font-weight: bold; } .rating-C a { color: #1a7f37; }
@media print { details { display: block; } }
"""
TITLES = {CREDIBILITY: "Credibility", ALLIANCE: "General alliance", RIFT: "Ideological rift",
          LOCAL: "Local alliance", FEASIBILITY: "Joint front"}
MARKS = {HOLDS: "yes", FAILS: "no", CUT: "cut"}


def _horizon(assessment: Assessment) -> list[str]:
    """The line that says the report is asked after the case's latest evidence, if it is."""
    if assessment.latest_evidence is None:
        return []
    day = escape(assessment.latest_evidence.isoformat())
    return [f'<p class="muted">Asked after the latest evidence of the case ({day}): what held then '
            "is assumed to hold still.</p>"]


def report_html(assessment: Assessment, vocab: Vocabulary) -> str:
    """The whole page."""
    numbers = {c.goal: n for n, c in enumerate(assessment.conclusions, 1)}
    page = _Page(assessment, vocab, numbers, {s.id for s in assessment.sources})
    day = assessment.as_of.isoformat()
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        f"<title>{escape(f'Assessment of the reports, as of {day}')}</title>",
        f"<style>{STYLE}</style>", "</head>", "<body>",
        "<header>", "<h1>Assessment of the reports and of the key conclusions</h1>",
        f'<p class="muted">As of {escape(day)}. Every verdict below is derived by the rules of the '
        "knowledge base from its stated facts; open an explanation to follow it down to the facts "
        "and their sources.</p>", *_horizon(assessment), "</header>",
        *page.contents(), *page.summary(), *page.relations(), *page.reports(),
        *[line for pair in assessment.pairs for line in page.pair(pair)],
        *whatif_html(assessment.whatif, vocab, page.source_ids), *page.sources(),
        "</body>", "</html>", ""]
    return "\n".join(parts)


class _Page:
    def __init__(self, assessment: Assessment, vocab: Vocabulary, numbers: dict, source_ids: set):
        self.assessment, self.vocab = assessment, vocab
        self.numbers, self.source_ids = numbers, source_ids

    # -- sections ------------------------------------------------------------------------------
    def contents(self) -> list[str]:
        items = [("summary", "Key conclusions"), ("relations", "Relations between the groups"),
                 ("reports", "The reports")]
        items += [(f"pair-{i}", self._pair_title(p)) for i, p in enumerate(self.assessment.pairs, 1)]
        items += whatif_contents(self.assessment.whatif) + [("sources", "Sources")]
        links = "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in items)
        return ['<nav aria-label="contents"><ul>' + links + "</ul></nav>"]

    def summary(self) -> list[str]:
        rows = []
        for conclusion in self.assessment.conclusions:
            n, holds = self.numbers[conclusion.goal], conclusion.holds
            verdict = f'<span class="{"yes" if holds else "no"}">{HOLDS + " yes" if holds else FAILS + " no"}</span>'
            sentence = escape(self.vocab.sentence(conclusion.goal, holds))
            rows.append(f"<tr><td>{escape(question(conclusion, self.vocab))}</td><td>{verdict}</td>"
                        f'<td><a href="#goal-{n}">{sentence}</a></td></tr>')
        if not rows:
            return ['<section id="summary"><h2>Key conclusions</h2><p>Nothing to assess: the '
                    "knowledge base records no report and no claim of an alliance.</p></section>"]
        return ['<section id="summary"><h2>Key conclusions</h2>',
                "<table><thead><tr><th>question</th><th>verdict</th><th>conclusion</th></tr></thead><tbody>",
                *rows, "</tbody></table></section>"]

    def relations(self) -> list[str]:
        caption = ("Each line is a conclusion of the rules as of the day of the assessment; "
                   "hover over a line to read it. The groups the reports are about are in bold.")
        return ['<section id="relations"><h2>Relations between the groups</h2><figure>',
                relations_svg(self.assessment.relations, self.vocab),
                f"<figcaption class=\"muted\">{escape(caption)}</figcaption></figure></section>"]

    def reports(self) -> list[str]:
        out = ['<section id="reports"><h2>The reports</h2>']
        if not self.assessment.reports:
            out.append("<p>The knowledge base records no report.</p>")
        for item in self.assessment.reports:
            rid = str(item.report)
            out.append(f'<article class="report" id="report-{escape(rid)}" data-report="{escape(rid)}">')
            out.append(f"<h3>{escape(capital(self.vocab.name(item.report)))} <code>{escape(rid)}</code></h3>")
            if rid in self.source_ids:
                out.append(f'<p class="muted">Source: <a href="#source-{escape(rid)}">[{escape(rid)}]</a></p>')
            if item.claims:
                claims = "".join(f"<li>{escape(self.vocab.name(c))} <code>{escape(str(c))}</code></li>"
                                 for c in item.claims)
                out.append(f"<p>It makes {len(item.claims)} claim{'s' if len(item.claims) != 1 else ''}:</p><ul>{claims}</ul>")
            if item.credibility is None:
                out.append("<p class=\"muted\">The knowledge base has no rule for credibility.</p>")
            else:
                out += self.conclusion(item.credibility, heading=False)
            out.append("</article>")
        out.append("</section>")
        return out

    def pair(self, pair) -> list[str]:
        n = self.assessment.pairs.index(pair) + 1
        out = [f'<section id="pair-{n}"><h2>{escape(self._pair_title(pair))}</h2>']
        claims = "".join(f"<li>{escape(self.vocab.name(c))} <code>{escape(str(c))}</code></li>" for c in pair.claims)
        out.append(f"<p>Claims that present them as allies:</p><ul>{claims}</ul>")
        for conclusion in pair.conclusions:
            out += self.conclusion(conclusion)
        out.append("</section>")
        return out

    def sources(self) -> list[str]:
        out = ['<section id="sources"><h2>Sources</h2><ol class="sources">']
        for source in self.assessment.sources:
            out.append(f'<li id="source-{escape(source.id)}" class="source">{_source_html(source)}</li>')
        out.append("</ol></section>")
        return out

    # -- one conclusion ------------------------------------------------------------------------
    def conclusion(self, conclusion: Conclusion, heading: bool = True) -> list[str]:
        n, holds, goal = self.numbers[conclusion.goal], conclusion.holds, conclusion.goal
        expl = conclusion.explanation
        out = [f'<section class="conclusion explanation" id="goal-{n}" '
               f'data-goal="{escape(self.vocab.atom(goal))}" data-holds="{str(holds).lower()}">']
        if heading:
            out.append(f"<h4>{escape(question(conclusion, self.vocab))}</h4>")
        mark = f'<span class="{"yes" if holds else "no"}">{HOLDS if holds else FAILS}</span>'
        out.append(f'<p class="verdict">{mark} <strong>{escape(capital(self.vocab.sentence(goal, holds)))}</strong> '
                   f"<code>{escape(self.vocab.atom(goal))}</code></p>")
        lines = explanation_outline(expl, self.vocab)
        if holds:
            out.append("<p>Because:</p>")
            out += self._tree(lines, n, open_levels=2)
        else:
            reasons = summary(expl, self.vocab)
            if reasons:
                out.append("<p>In short, because:</p><ol class=\"reasons\">" +
                           "".join(f"<li>{escape(r)}</li>" for r in reasons) + "</ol>")
            out.append('<details class="full"><summary>the full explanation</summary>')
            out += self._tree(lines[0].children + lines[1:], n, open_levels=99)  # the verdict is above
            out.append("</details>")
        out.append("</section>")
        return out

    def _tree(self, lines: tuple[Line, ...], n: int, open_levels: int, level: int = 0) -> list[str]:
        out = ['<ul class="tree">']
        for line in lines:
            head = self._head(line, n)
            if not line.children:
                out.append(f"<li>{head}</li>")
                continue
            opened = " open" if level < open_levels else ""
            out.append(f"<li><details{opened}><summary>{head}</summary>")
            if line.number is not None and line.detail:
                out.append(f'<div class="rule detail">{escape(line.detail)}</div>')
            out += self._tree(line.children, n, open_levels, level + 1)
            out.append("</details></li>")
        out.append("</ul>")
        return out

    def _head(self, line: Line, n: int) -> str:
        parts = [f'<span class="{MARKS[line.mark]}">{line.mark}</span> ' if line.mark else ""]
        if line.number is not None:
            parts.append(f'<span class="num" id="goal-{n}-step-{line.number}">[{line.number}]</span> ')
        parts.append(escape(line.text))
        if line.ref is not None:
            parts.append(f' <a class="detail" href="#goal-{n}-step-{line.ref}">(shown at [{line.ref}])</a>')
        elif line.detail and (line.number is None or not line.children):
            parts.append(f' <span class="detail">({escape(line.detail)})</span>')
        for citation in line.citations:
            links = ", ".join(self._source_link(s) for s in citation.sources) or "no source cited"
            note = f"; {escape(citation.note)}" if citation.note else ""
            parts.append(f' <span class="cite">[{links}{note}]</span>')
        return "".join(parts)

    def _source_link(self, source_id: str) -> str:
        if source_id in self.source_ids:
            return f'<a href="#source-{escape(source_id)}">{escape(source_id)}</a>'
        return escape(source_id)

    def _pair_title(self, pair) -> str:
        return f"{self.vocab.name(pair.group)} and {self.vocab.name(pair.other)}"


def explanation_html(expl, vocab: Vocabulary, anchor: str, source_ids: set) -> list[str]:
    """An explanation as a collapsible tree (its first level open), its numbered steps anchored
    at `goal-{anchor}-step-N` and its citations linked to the sources' entries in `source_ids`."""
    return _Page(None, vocab, {}, source_ids)._tree(explanation_outline(expl, vocab), anchor, 1)


def question(conclusion: Conclusion, vocab: Vocabulary) -> str:
    """The question a conclusion answers: `Local alliance in Qalamoun: IS and JN`."""
    args = [vocab.name(t.value) for t in conclusion.goal.args]
    if conclusion.kind == CREDIBILITY:
        return f"{TITLES[CREDIBILITY]} of {args[0]}"
    where = f" in {args[2]}" if len(args) > 2 else ""
    return f"{TITLES.get(conclusion.kind, conclusion.kind)}{where}: {args[0]} and {args[1]}"


def capital(text: str) -> str:
    """`text` with its first letter upper case (a sentence that starts a heading)."""
    return text[:1].upper() + text[1:]


def _source_html(source: SourceDecl) -> str:
    """`[id] “Title”, author, outlet, date, <a href=url>url</a>` (the fields the source has)."""
    parts = []
    title = source.get("title")
    if title is not None:
        parts.append(f"“{escape(display(title))}”")
    parts += [escape(display(source.get(k))) for k in ("author", "outlet", "date") if source.get(k) is not None]
    url = source.get("url")
    if url is not None:
        text = display(url)
        link = is_web_address(text)
        parts.append(f'<a href="{escape(text)}" rel="noreferrer">{escape(text)}</a>' if link else escape(text))
    return f"<strong>[{escape(source.id)}]</strong> " + ", ".join(parts)


def is_web_address(text: str) -> bool:
    """True for an http(s) address that is safe to link to (no other scheme, no space)."""
    lowered = text.lower()
    return lowered.startswith(("http://", "https://")) and not any(c.isspace() or c in '<>"' for c in text)
