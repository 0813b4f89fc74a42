"""The report: the assessment as data, the HTML page checked structurally, the SVG picture, the
Markdown document, the DOT export, the atomic writes, and one rendering in headless Chromium.

Structural checks read the page with the standard library's `html.parser`: every report and
every explanation is present, every source has an entry and every cited source is linked to it,
every in-page link lands, and nothing is loaded from anywhere; in the what-if sections, every
cell of every matrix is rated, linked and explained, every weight other than 1 too, and every
source is weighed. They run on the article's case and
on the invented case of tests/kbs/, so nothing in the report is tied to one pair of groups. The
Chromium test is skipped when `chromium` is not on the PATH.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from attrs import evolve

from allegiance.whatif.assessment import CREDIBILITY, assess, given_leaves
from allegiance.whatif.assessment_whatif import WhatIf
from allegiance.eval.kb import KnowledgeBase
from allegiance.render.graph_dot import relations_dot
from allegiance.render.html import report_html
from allegiance.render.markdown import md, report_markdown
from allegiance.render.svg import relations_svg
from allegiance.render.text import summary
from allegiance.render.report import write_atomically, write_report
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.values import Symbol

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "article": (["kb"], datetime.date(2014, 11, 15)),
    "invented": (["kb/rules", "tests/kbs/crescent_case.dl"], datetime.date(2020, 8, 1)),
}
RESOURCE_TAGS = {"script", "link", "img", "iframe", "frame", "object", "embed", "audio", "video",
                 "source", "track", "base", "image", "use", "feimage", "input", "form"}
RESOURCE_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction",
                       "xlink:href", "ping", "manifest", "codebase"}
SVG = "{http://www.w3.org/2000/svg}"


class Page(HTMLParser):
    """What the structural checks look at: ids, links, data attributes, resources, style text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[tuple[str, bool]] = []  # (href, inside the sources list)
        self.goals: dict[str, str] = {}  # data-goal → data-holds
        self.reports: list[str] = []
        self.cells: dict[str, tuple[str, str]] = {}  # id of a matrix cell's explanation → (data-cell, rating)
        self.resources: list[str] = []
        self.styles: list[str] = []
        self.tags: list[str] = []
        self._stack: list[str] = []
        self._in_sources = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self._stack.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if attrs.get("id") == "sources":
            self._in_sources = len(self._stack)
        if tag in RESOURCE_TAGS:
            self.resources.append(f"<{tag}>")
        self.resources += [f"{tag} {a}" for a in attrs if a in RESOURCE_ATTRIBUTES]
        if "href" in attrs:
            if tag != "a":
                self.resources.append(f"{tag} href")
            self.links.append((attrs["href"], bool(self._in_sources)))
        if "style" in attrs:
            self.styles.append(attrs["style"])
        if "data-goal" in attrs:
            self.goals[attrs["data-goal"]] = attrs.get("data-holds")
        if "data-report" in attrs:
            self.reports.append(attrs["data-report"])
        if "data-cell" in attrs:
            self.cells[attrs["id"]] = (attrs["data-cell"], attrs.get("data-rating"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack.pop() != tag:
                pass
        if self._in_sources > len(self._stack):
            self._in_sources = 0

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "style":
            self.styles.append(data)


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    if request.param == "article":  # assessed once for the module: the what-if part takes a while
        kb, (assessment, html) = request.getfixturevalue("article"), request.getfixturevalue("article_page")
        vocab = Vocabulary.of(kb)
        yield kb, assessment, vocab, html, report_markdown(assessment, vocab)
        return
    paths, day = CASES[request.param]
    with KnowledgeBase.from_paths([ROOT / p for p in paths], as_of=day) as kb:
        assessment = assess(kb)
        vocab = Vocabulary.of(kb)
        yield kb, assessment, vocab, report_html(assessment, vocab), report_markdown(assessment, vocab)


@pytest.fixture(scope="module")
def article():
    paths, day = CASES["article"]
    with KnowledgeBase.from_paths([ROOT / p for p in paths], as_of=day) as kb:
        yield kb


@pytest.fixture(scope="module")
def article_page(article):
    """The article's whole assessment and its HTML page."""
    assessment = assess(article)
    return assessment, report_html(assessment, Vocabulary.of(article))


# -- the assessment as data ----------------------------------------------------------------------
def test_the_article_is_assessed_as_the_article_argues(article):
    assessment = assess(article, whatif=False)  # the what-if part: see the tests of that section
    assert [str(r.report) for r in assessment.reports] == ["ap_2014", "daily_beast_2014", "guardian_chulov_2014", "sohr_2014"]
    assert not any(r.credibility.holds for r in assessment.reports)
    (pair,) = assessment.pairs
    assert {pair.group, pair.other} == {Symbol("jabhat_al_nusra"), Symbol("islamic_state")}
    verdicts = {(c.goal.predicate, str(c.goal.args[-1].value)): c.holds for c in pair.conclusions}
    assert verdicts[("alliance", "jabhat_al_nusra")] is False and verdicts[("rift", "jabhat_al_nusra")] is True
    assert verdicts[("local_alliance", "qalamoun")] and not verdicts[("local_alliance", "idlib")]
    assert {r for (p, r), holds in verdicts.items() if p == "joint_front_feasible"} >= {"afrin", "kobani", "hasakah"}
    assert not any(holds for (p, _), holds in verdicts.items() if p == "joint_front_feasible")


def test_the_pairs_come_from_the_claims_not_from_names():
    paths, day = CASES["invented"]
    with KnowledgeBase.from_paths([ROOT / p for p in paths], as_of=day) as kb:
        assessment = assess(kb)
    pairs = {(str(p.group), str(p.other)) for p in assessment.pairs}
    assert pairs == {("banner_front", "crescent_army"), ("banner_front", "green_brigade")}
    assert {n.id for n in assessment.relations.nodes if n.focus} == {
        Symbol("banner_front"), Symbol("crescent_army"), Symbol("green_brigade")}


def test_a_knowledge_base_without_the_rules_gives_an_empty_but_valid_report():
    text = ('source s {title: "t"}.\ngroup(a) @s. group(b) @s. alias(a, "Alpha") @s.\n'
            "pledged(a, b) @s.\n")
    with KnowledgeBase.from_text(text) as kb:
        assessment = assess(kb)
        html = report_html(assessment, Vocabulary.of(kb))
    assert not assessment.reports and not assessment.pairs
    assert [e.kind for e in assessment.relations.edges] == ["allegiance"]
    assert not Page(html).resources and "Alpha" in html


# -- the HTML page -------------------------------------------------------------------------------
def test_every_report_is_present(case):
    kb, assessment, vocab, html, _ = case
    page = Page(html)
    reports = sorted(str(r) for (r,) in kb.ask("report(R)?").rows)
    assert sorted(page.reports) == reports
    for item in assessment.reports:
        assert escape(vocab.name(item.report)[1:]) in html
        assert all(escape(vocab.name(c)) in html for c in item.claims)


def test_every_explanation_is_present(case):
    _, assessment, vocab, html, _ = case
    page = Page(html)
    expected = {vocab.atom(c.goal): str(c.holds).lower() for c in assessment.conclusions}
    assert page.goals == expected
    assert len(expected) == len(assessment.conclusions) >= len(assessment.reports)
    for conclusion in assessment.conclusions:
        expl = conclusion.explanation
        texts = [vocab.sentence(leaf.atom) for leaf in given_leaves(expl)]
        texts += [] if expl.holds else summary(expl, vocab)
        missing = [t for t in texts if escape(t) not in html]
        assert not missing, f"{vocab.atom(conclusion.goal)}: {missing[:3]}"


def test_every_source_has_an_entry_and_every_citation_links_to_it(case):
    _, assessment, vocab, html, _ = case
    page = Page(html)
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    assert {f"source-{s.id}" for s in assessment.sources} <= set(page.ids)
    cited = {s for c in assessment.conclusions for leaf in given_leaves(c.explanation)
             for f in leaf.statements for s in f.sources}
    assert cited and {f"#source-{s}" for s in cited} <= {href for href, _ in page.links}
    for href, _ in page.links:
        if href.startswith("#"):
            assert href[1:] in page.ids, f"{href} lands nowhere"


def test_no_external_resource(case):
    _, assessment, _, html, _ = case
    page = Page(html)
    assert page.resources == []
    assert 'http-equiv="Content-Security-Policy"' in html and "default-src 'none'" in html
    style = "\n".join(page.styles)
    assert "url(" not in style and "@import" not in style
    assert "url(" not in html and "@import" not in html
    external = [(href, in_sources) for href, in_sources in page.links if not href.startswith("#")]
    urls = {str(s.get("url").text) for s in assessment.sources if s.get("url") is not None}
    assert all(in_sources and href in urls for href, in_sources in external), external
    assert all(href.startswith(("http://", "https://")) for href, _ in external)


def test_explanations_are_collapsible_without_a_script(case):
    _, assessment, _, html, _ = case
    page = Page(html)
    assert "script" not in page.tags
    assert page.tags.count("details") >= len(assessment.conclusions)
    assert page.tags.count("details") == page.tags.count("summary")


def test_the_output_is_deterministic(case):
    kb, _, vocab, html, markdown = case
    again = assess(kb)
    assert report_html(again, vocab) == html
    assert report_markdown(again, vocab) == markdown


# -- what if: competing hypotheses and sources -------------------------------------------------
def test_every_cell_of_every_matrix_is_rated_linked_and_explained(case):
    _, assessment, vocab, html, _ = case
    page = Page(html)
    links = {href for href, _ in page.links}
    matrices = [p for p in assessment.whatif.pairs if p.matrix is not None]
    for n, pair in enumerate(assessment.whatif.pairs, 1):
        if pair.matrix is None:
            continue
        m = pair.matrix
        for i, item in enumerate(m.items, 1):
            for j, (h, rating) in enumerate(zip(m.hypotheses, item.ratings), 1):
                anchor = f"ach-{n}-cell-{i}-{j}"
                assert f"#{anchor}" in links and anchor in page.ids
                assert page.cells[anchor] == (vocab.atom(m.cell(item.id, h)), rating)
                cell = pair.cell(item.id, h)
                assert len(cell.explanations) == (2 if rating == "-" else 1)
                for expl in cell.explanations:
                    assert expl.holds == (rating != "-")
                    texts = [vocab.sentence(leaf.atom) for leaf in given_leaves(expl)]
                    assert all(escape(t) in html for t in texts)
            if item.credibility != "medium":
                assert f"#ach-{n}-weight-{i}" in links and f"ach-{n}-weight-{i}" in page.ids
                assert pair.credibility[i - 1].holds
    assert sum(len(p.matrix.items) * len(p.matrix.hypotheses) for p in matrices) == len(page.cells)


def test_each_matrix_shows_its_favoured_hypothesis_scores_and_indicators(case):
    kb, assessment, vocab, html, markdown = case
    judged = [p for p in assessment.whatif.pairs if p.matrix]
    for pair in assessment.whatif.pairs:
        if pair.matrix is None:
            assert "no evidence" in pair.note and escape(pair.note) in html and md(pair.note) in markdown
    assert judged
    for pair in judged:
        m = pair.matrix
        for text in (html, markdown):
            assert "Favoured" in text and md(vocab.name(m.favoured[0])) in markdown
            assert all(f"{s:.2f}" in text for s in m.scores)
            assert "Not diagnostic" in text and ("Critical items" in text or "No single item" in text)
        assert [i.hypothesis for i in pair.indicators] == list(m.hypotheses)
        assert all(escape(vocab.atom(c.atom)) in html for e in pair.indicators for i in e.indicators for c in i.changes)
    if "jabhat_al_nusra" in {str(p.group) for p in judged} | {str(p.other) for p in judged}:
        (pair,) = judged
        assert [str(h) for h in pair.matrix.favoured] == ["local_cooperation_only"]
        assert any(i.indicators for i in pair.indicators)


def test_every_source_is_weighed_and_its_lost_conclusions_listed(case):
    kb, assessment, vocab, html, markdown = case
    whatif = assessment.whatif
    assert [s.source for s in whatif.sources] == list(kb.checked.sources)
    page = Page(html)
    for s in whatif.sources:
        assert f"#source-{s.source}" in {href for href, _ in page.links}
        if s.diff.changed:
            assert f"sensitivity-{s.source}" in page.ids and f'<a id="sensitivity-{s.source}"></a>' in markdown
            assert all(escape(vocab.atom(a)) in html for a in s.diff.lost + s.diff.gained)
    assert any(s.diff.changed for s in whatif.sources)


def test_every_markdown_link_lands(case):
    _, _, _, _, markdown = case
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', markdown))
    targets = set(re.findall(r"\]\(#([^)]+)\)", markdown))
    assert targets <= anchors, sorted(targets - anchors)[:5]
    assert markdown.count("<details>") == markdown.count("</details>") == markdown.count("<summary>")


def test_without_the_what_if_part_the_sections_are_left_out_and_empty_ones_say_so(article):
    assessment = assess(article, whatif=False)
    vocab = Vocabulary.of(article)
    assert assessment.whatif is None
    assert 'id="hypotheses"' not in report_html(assessment, vocab)
    assert "## Competing hypotheses" not in report_markdown(assessment, vocab)
    empty = evolve(assessment, whatif=WhatIf((), (), ()))
    for text in (report_html(empty, vocab), report_markdown(empty, vocab)):
        assert "nothing to weigh" in text and "No source is declared" in text


# -- the SVG picture -------------------------------------------------------------------------------
def test_the_svg_is_embedded_well_formed_and_complete(case):
    _, assessment, vocab, html, _ = case
    (svg,) = re.findall(r"<svg\b.*?</svg>", html, re.S)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    relations = assessment.relations
    assert len(root.findall(f".//{SVG}circle")) == len(relations.nodes)
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("edge ")]
    assert len(edges) == len(relations.edges)
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {n.name for n in relations.nodes} <= texts
    assert {"ideological rift", "hostility"} <= texts
    assert svg == relations_svg(relations, vocab)


def test_the_svg_escapes_names_and_draws_an_empty_graph(tmp_path):
    text = ('source s {title: "t"}.\ngroup(a) @s. group(b) @s.\n'
            'alias(a, "A & <b>\\"co\\"</b>") @s.\npledged(a, b) @s.\n')
    with KnowledgeBase.from_text(text) as kb:
        svg = relations_svg(assess(kb).relations, Vocabulary.of(kb))
    root = ET.fromstring(svg)
    assert 'A & <b>"co"</b>' in {t.text for t in root.iter(f"{SVG}text")}
    with KnowledgeBase.from_text('source s {title: "t"}.\nplace(p) @s.\n') as kb:
        ET.fromstring(relations_svg(assess(kb).relations, Vocabulary.of(kb)))


# -- Markdown -------------------------------------------------------------------------------------
def test_the_markdown_has_every_report_conclusion_and_source(case):
    _, assessment, vocab, _, markdown = case
    for item in assessment.reports:
        assert f'<a id="report-{item.report}"></a>' in markdown
    for n, conclusion in enumerate(assessment.conclusions, 1):
        assert f'<a id="goal-{n}"></a>' in markdown and f"(#goal-{n})" in markdown
        assert md(vocab.sentence(conclusion.goal, conclusion.holds)[1:]) in markdown
    anchors = set(re.findall(r'<a id="(source-[^"]+)"></a>', markdown))
    assert anchors == {f"source-{s.id}" for s in assessment.sources}
    assert set(re.findall(r"\]\(#(source-[^)]+)\)", markdown)) <= anchors


def test_markdown_escapes_what_would_be_markup():
    assert md("a_b *c* [d](e) <f> | g & h") == r"a\_b \*c\* \[d\](e) \<f\> \| g \& h"


# -- hostile text ---------------------------------------------------------------------------------
HOSTILE = r'''
source evil {title: "<script>alert(1)</script>", url: "javascript:alert(1)"}.
source fine {title: "fine", url: "https://example.org/a?b=1&c=2"}.
group(a) @evil.  group(b) @fine.
alias(a, "A\" onload=\"x") @evil.
alias(b, "B</svg><script>alert(2)</script>") @evil.
ideology(a, x) @evil.  ideology(b, x) @fine.
report(r) @evil.  reports(r, c) @evil.  alleges_alliance(c, a, b) @evil.
'''


def test_hostile_text_is_escaped_and_no_script_address_is_linked(tmp_path):
    case = tmp_path / "hostile.dl"
    case.write_text(HOSTILE, encoding="utf-8")
    with KnowledgeBase.from_paths([ROOT / "kb" / "rules", case], as_of=datetime.date(2020, 1, 1)) as kb:
        assessment = assess(kb)
        html, markdown = report_html(assessment, Vocabulary.of(kb)), report_markdown(assessment, Vocabulary.of(kb))
        dot = relations_dot(kb)
    page = Page(html)
    assert page.resources == [] and "script" not in page.tags
    assert "<script>" not in html and "<script>" not in markdown
    assert ("javascript:alert(1)", True) not in page.links
    assert ("https://example.org/a?b=1&c=2", True) in page.links
    ET.fromstring(re.findall(r"<svg\b.*?</svg>", html, re.S)[0])
    assert 'label="A\\" onload=\\"x"' in dot


# -- DOT -----------------------------------------------------------------------------------------
def test_the_dot_export_is_the_same_graph(article):
    dot = relations_dot(article)
    relations = assess(article, whatif=False).relations
    assert dot.startswith("digraph relations {") and dot.endswith("}\n")
    assert dot.count(" -> ") == len(relations.edges)
    assert dot.count("dir=none") == sum(not e.directed for e in relations.edges)
    for node in relations.nodes:
        assert f'"{node.id}" [label="{node.name}"' in dot
    assert '"jabhat_al_nusra" -> "al_qaida"' in dot
    assert 'label="local cooperation: Qalamoun"' in dot
    assert relations_dot(article) == dot


# -- writing -------------------------------------------------------------------------------------
def test_write_report_writes_both_files_atomically(article, tmp_path):
    html_path, md_path = tmp_path / "report.html", tmp_path / "report.md"
    html_path.write_text("old", encoding="utf-8")
    assessment = write_report(article, html_path, md_path, whatif=False)  # the browser test has it
    vocab = Vocabulary.of(article)
    assert html_path.read_text(encoding="utf-8") == report_html(assessment, vocab)
    assert md_path.read_text(encoding="utf-8") == report_markdown(assessment, vocab)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \udc80 written")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with pytest.raises(OSError):
        write_atomically(tmp_path / "no" / "such" / "folder.html", "x")


# -- a real browser --------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_report_renders_in_headless_chromium(article_page, tmp_path):
    report = tmp_path / "report.html"
    write_atomically(report, article_page[1])  # the page `write_report` writes (tested above)
    shot, profile = tmp_path / "report.png", tmp_path / "profile"
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,2000",
               report.as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert shot.exists()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2000)
