"""The assessment as Markdown (CommonMark, with the few HTML anchors GitHub keeps).

Sits at the end of the pipeline beside `render_html`, and shows the same assessment: the key
conclusions, the relations between the groups (as a table, since Markdown has no picture of its
own), every report with its verdict and explanation, the conclusions about each pair of alleged
allies, the competing hypotheses and what hangs on each source (`render_whatif_markdown`), and
the sources. Explanations are nested lists built from `render_outline`; every given fact links
to its sources' entries (`#source-ID`). Every text of the knowledge base is escaped, so no name
or sentence can open a link, an emphasis or a table cell. Deterministic.
"""

from __future__ import annotations

from html import escape

from allegiance.whatif.assessment import Assessment, Conclusion
from allegiance.whatif.relations import ALLEGIANCE, HOSTILITY, LOCAL, RIFT, Edge
from allegiance.render.html import capital, is_web_address, question
from allegiance.render.outline import Line, explanation_outline
from allegiance.render.text import summary
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import SourceDecl
from allegiance.lang.values import display

SPECIAL = set("\\`*_[]<>|&~#!")
RELATION_WORDS = {ALLEGIANCE: "pledged allegiance to", RIFT: "ideological rift with",
                  HOSTILITY: "hostile to", LOCAL: "local cooperation with"}


def report_markdown(assessment: Assessment, vocab: Vocabulary) -> str:
    """The whole document."""
    numbers = {c.goal: n for n, c in enumerate(assessment.conclusions, 1)}
    source_ids = {s.id for s in assessment.sources}
    day = assessment.as_of.isoformat()
    out = ["# Assessment of the reports and of the key conclusions", "",
           f"As of {day}. Every verdict below is derived by the rules of the knowledge base from "
           "its stated facts; each explanation follows it down to the facts and their sources.", ""]
    if assessment.latest_evidence is not None:
        out += [f"Asked after the latest evidence of the case ({assessment.latest_evidence.isoformat()}): "
                "what held then is assumed to hold still.", ""]
    out += _summary(assessment, vocab, numbers) + _relations(assessment, vocab)
    out += ["## The reports", ""]
    for item in assessment.reports:
        rid = str(item.report)
        out += [f'### <a id="report-{escape(rid)}"></a>{md(capital(vocab.name(item.report)))} ({code(rid)})', ""]
        if rid in source_ids:
            out += [f"Source: [{md(rid)}](#source-{rid})", ""]
        out += _claims("Claims", item.claims, vocab)
        if item.credibility is not None:
            out += _conclusion(item.credibility, vocab, numbers, source_ids, heading=False)
    for pair in assessment.pairs:
        title = f"{vocab.name(pair.group)} and {vocab.name(pair.other)}"
        out += [f"## {md(title)}", ""] + _claims("Claims that present them as allies", pair.claims, vocab)
        for conclusion in pair.conclusions:
            out += _conclusion(conclusion, vocab, numbers, source_ids)
    from allegiance.render.whatif.markdown import whatif_markdown  # it builds on this module

    out += whatif_markdown(assessment.whatif, vocab, source_ids)
    out += ["## Sources", ""] + [_source(s) for s in assessment.sources]
    return "\n".join(out).rstrip("\n") + "\n"


def _summary(assessment: Assessment, vocab: Vocabulary, numbers: dict) -> list[str]:
    out = ["## Key conclusions", ""]
    if not assessment.conclusions:
        return out + ["Nothing to assess: the knowledge base records no report and no claim of an alliance.", ""]
    out += ["| question | verdict | conclusion |", "|---|---|---|"]
    for c in assessment.conclusions:
        verdict = "✓ yes" if c.holds else "✗ no"
        sentence = md(vocab.sentence(c.goal, c.holds))
        out.append(f"| {md(question(c, vocab))} | {verdict} | [{sentence}](#goal-{numbers[c.goal]}) |")
    return out + [""]


def _relations(assessment: Assessment, vocab: Vocabulary) -> list[str]:
    relations = assessment.relations
    out = ["## Relations between the groups", ""]
    if not relations.edges:
        return out + ["No relation between groups is recorded.", ""]
    out += ["| group | relation | group | where |", "|---|---|---|---|"]
    for edge in relations.edges:
        where = ", ".join(vocab.name(r) for r in edge.regions)
        names = (relations.node(edge.source).name, relations.node(edge.target).name)
        out.append(f"| {md(names[0])} | {RELATION_WORDS[edge.kind]} | {md(names[1])} | {md(where)} |")
    return out + [""]


def _claims(title: str, claims, vocab: Vocabulary) -> list[str]:
    if not claims:
        return []
    return [f"{title}:", ""] + [f"- {md(vocab.name(c))} ({code(str(c))})" for c in claims] + [""]


def _conclusion(conclusion: Conclusion, vocab: Vocabulary, numbers: dict, source_ids: set,
                heading: bool = True) -> list[str]:
    n, goal, holds = numbers[conclusion.goal], conclusion.goal, conclusion.holds
    anchor = f'<a id="goal-{n}"></a>'
    out = [f"### {anchor}{md(question(conclusion, vocab))}", ""] if heading else [anchor, ""]
    mark = "✓" if holds else "✗"
    out += [f"**{mark} {md(capital(vocab.sentence(goal, holds)))}** ({code(vocab.atom(goal))})", ""]
    lines = explanation_outline(conclusion.explanation, vocab)
    if holds:
        return out + ["Because:", ""] + _tree(lines, source_ids) + [""]
    reasons = summary(conclusion.explanation, vocab)
    if reasons:
        out += ["In short, because:", ""] + [f"{i}. {md(r)}" for i, r in enumerate(reasons, 1)] + [""]
    return out + ["The full explanation:", ""] + _tree(lines[0].children + lines[1:], source_ids) + [""]


def _tree(lines: tuple[Line, ...], source_ids: set, level: int = 0) -> list[str]:
    out = []
    for line in lines:
        out.append("  " * level + "- " + _head(line, source_ids))
        if line.number is not None and line.detail and line.children:
            out.append("  " * (level + 1) + "- " + f"*{md(line.detail)}*")
        out += _tree(line.children, source_ids, level + 1)
    return out


def explanation_markdown(expl, vocab: Vocabulary, source_ids: set) -> list[str]:
    """An explanation as a nested list, its citations linked to the sources' entries."""
    return _tree(explanation_outline(expl, vocab), source_ids)


def _head(line: Line, source_ids: set) -> str:
    parts = [f"{line.mark} " if line.mark else ""]
    if line.number is not None:
        parts.append(f"\\[{line.number}\\] ")
    parts.append(md(line.text))
    if line.detail and (line.number is None or not line.children):
        parts.append(f" ({md(line.detail)})")
    for citation in line.citations:
        links = ", ".join(f"[{md(s)}](#source-{s})" if s in source_ids else md(s) for s in citation.sources)
        note = f"; {md(citation.note)}" if citation.note else ""
        parts.append(f" (sources: {links or 'none cited'}{note})")
    return "".join(parts)


def _source(source: SourceDecl) -> str:
    parts = []
    if source.get("title") is not None:
        parts.append(f"“{md(display(source.get('title')))}”")
    parts += [md(display(source.get(k))) for k in ("author", "outlet", "date") if source.get(k) is not None]
    url = source.get("url")
    if url is not None:
        parts.append(f"<{display(url)}>" if is_web_address(display(url)) else md(display(url)))
    return f'- <a id="source-{escape(source.id)}"></a>**\\[{md(source.id)}\\]** ' + ", ".join(parts)


def md(text: str) -> str:
    """Text with every Markdown special character escaped."""
    return "".join("\\" + c if c in SPECIAL else c for c in text)


def code(text: str) -> str:
    """An inline code span that holds `text`, whatever backticks it contains."""
    run = longest = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"
