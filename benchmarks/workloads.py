"""The workloads: what is measured, at which sizes, on which engines.

A workload names a task (`point`: point queries `alliance(g1, g2)?`; `tc_chain`: the transitive
closure of a chain; ...) and, for each engine it runs on, the cell class that measures it (see
`cells`). Engines: `allegiance` (this project), `pydatalog` (the same program on raw pyDatalog),
`oracle` (tests/oracle.py), `clingo` (when installed) and `seminaive` (a plain-Python loop).
Sizes count groups (synthetic cases loaded with kb/rules), facts, graph nodes or university
departments; the article's knowledge base has no size (0). `caps` keeps a slow baseline to the
sizes it finishes in reasonable time; the oracle always runs once, without warm-up.
"""

from __future__ import annotations

from attrs import field, frozen

from . import aggregate_cells as ac
from . import kb_cells as kc
from . import program_cells as pc

ENGINES = ("allegiance", "pydatalog", "oracle", "clingo", "seminaive")
SINGLE_RUN = {"oracle"}  # engines run once, without warm-up (they take minutes)


@frozen
class Workload:
    """A task measured on several engines at several sizes."""

    name: str
    what: str
    unit: str  # what a size counts: groups, facts, nodes, departments ("" for the article's KB)
    sizes: tuple[int, ...]
    quick_sizes: tuple[int, ...]
    cells: dict  # engine -> cell class
    latency: bool = False  # report p50/p95 of the per-call durations
    caps: dict = field(factory=dict)  # engine -> largest size it is run at

    def sizes_for(self, quick: bool) -> tuple[int, ...]:
        return self.quick_sizes if quick else self.sizes

    def runs_at(self, engine: str, size: int) -> bool:
        return size <= self.caps.get(engine, size)


KB = (100, 1000, 10000)
KB_QUICK = (20, 50)
GRAPH = (50, 100, 200, 400, 800)
GRAPH_QUICK = (25, 50)
ARTICLE = (0,)

WORKLOADS = (
    Workload("load", "load and check kb/rules + a synthetic case (parse, check, store)", "groups",
             KB, KB_QUICK, {"allegiance": kc.LoadAllegiance, "pydatalog": kc.LoadPyDatalog}),
    Workload("load_facts", "load N facts, no rules: from text, against raw `assert_fact` of the same facts",
             "facts", (1000, 10000, 100000), (300, 1000),
             {"allegiance": kc.LoadFactsAllegiance, "pydatalog": kc.LoadFactsPyDatalog}),
    Workload("point", "point query `alliance(gi, gj)?`, 40 distinct pairs per run", "groups", KB, KB_QUICK,
             {"allegiance": kc.PointAllegiance, "pydatalog": kc.PointPyDatalog}, latency=True),
    Workload("why_true", "`why alliance(gi, gj)?` for pairs that are allies (8 per run)", "groups", KB, KB_QUICK,
             {"allegiance": kc.WhyAllegiance}, latency=True),
    Workload("why_false", "`why alliance(gi, gj)?` for pairs that are not (8 per run)", "groups", KB, KB_QUICK,
             {"allegiance": kc.WhyFalseAllegiance}, latency=True),
    Workload("all_alliance", "every answer of `alliance(A, B)?`, caches dropped", "groups", KB, KB_QUICK,
             {"allegiance": pc.AllAllegiance, "pydatalog": pc.AllPyDatalog, "oracle": pc.AllOracle,
              "clingo": pc.AllClingo}, caps={"oracle": 100, "pydatalog": 1000}),
    Workload("all_credible", "every answer of `credible(R)?` (a recursive stratum below), caches dropped",
             "groups", KB, KB_QUICK,
             {"allegiance": pc.credible(pc.AllAllegiance), "pydatalog": pc.credible(pc.AllPyDatalog),
              "clingo": pc.credible(pc.AllClingo)}),
    Workload("repeat", "the same point query asked 200 times (answer cache)", "groups", KB, KB_QUICK,
             {"allegiance": kc.RepeatAllegiance}, latency=True),
    Workload("edit", "tell a fact, re-ask `alliance(gi, gj)?`; retract it, re-ask (20 pairs per run)",
             "groups", KB, KB_QUICK,
             {"allegiance": kc.EditAllegiance, "pydatalog": kc.EditPyDatalog}, latency=True),
    Workload("tc_chain", "transitive closure `path(X, Y)?` of a chain (n²/2 answers)", "nodes", GRAPH, GRAPH_QUICK,
             {"allegiance": pc.ClosureAllegiance, "pydatalog": pc.ClosurePyDatalog, "oracle": pc.ClosureOracle,
              "clingo": pc.ClosureClingo, "seminaive": pc.ClosureSemiNaive}, caps={"oracle": 50}),
    Workload("tc_cycle", "transitive closure of a random cyclic digraph, 2n edges (n² answers)", "nodes",
             GRAPH, GRAPH_QUICK,
             {"allegiance": pc.cyclic(pc.ClosureAllegiance), "pydatalog": pc.cyclic(pc.ClosurePyDatalog),
              "oracle": pc.cyclic(pc.ClosureOracle), "clingo": pc.cyclic(pc.ClosureClingo),
              "seminaive": pc.cyclic(pc.ClosureSemiNaive)}, caps={"oracle": 50, "pydatalog": 400}),
    Workload("outdeg", "every answer of `outdeg(X, N)?`, `N = count : { edge(X, _) }`, against raw "
             "pyDatalog's `len_`", "nodes", (100, 1000, 10000), GRAPH_QUICK,
             {"allegiance": ac.OutdegAllegiance, "pydatalog": ac.OutdegPyDatalog}),
    Workload("university", "LUBM-like university, 54 rules: every answer of every derived predicate",
             "departments", (10, 20, 40), (1, 2),
             {"allegiance": pc.UniversityAllegiance, "pydatalog": pc.UniversityPyDatalog,
              "oracle": pc.UniversityOracle, "clingo": pc.UniversityClingo}, caps={"oracle": 1, "pydatalog": 20}),
    Workload("article_why", "`why alliance(JN, IS)?` on kb/, rendered as text, warm process, caches dropped",
             "", ARTICLE, ARTICLE, {"allegiance": pc.ArticleWhy}),
    Workload("article_repeat", "`alliance(JN, IS)?` on kb/ asked 200 times (answer cache)", "", ARTICLE, ARTICLE,
             {"allegiance": pc.ArticleRepeat}, latency=True),
    Workload("cli_query", "cold `allegiance --kb kb query 'alliance(JN, IS)?'` (pydatalog: `python -c "
             "'import pyDatalog'`)", "", ARTICLE, ARTICLE, {"allegiance": pc.ColdCommand, "pydatalog": pc.ColdImport}),
    Workload("cli_why", "cold `allegiance --kb kb why 'alliance(JN, IS)?'`", "", ARTICLE, ARTICLE,
             {"allegiance": pc.ColdWhy}),
)


def workload(name: str) -> Workload:
    """The workload called `name`; KeyError if there is none."""
    for w in WORKLOADS:
        if w.name == name:
            return w
    raise KeyError(name)


def select(patterns) -> list[Workload]:
    """The workloads whose name equals or starts with one of `patterns` (all when none is given)."""
    if not patterns:
        return list(WORKLOADS)
    chosen = [w for w in WORKLOADS if any(w.name == p or w.name.startswith(p) for p in patterns)]
    if not chosen:
        raise KeyError(", ".join(patterns))
    return chosen
