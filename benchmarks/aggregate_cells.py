"""Cells of the aggregate workload: the out-degree of every node of a random digraph.

`outdeg(X, N) :- node(X), N = count : { edge(X, _) }.` on allegiance, against raw pyDatalog's
own aggregate, `(outdeg[X] == len_(Y)) <= edge(X, Y)`, built through its term API. The graph
(`generate.cyclic_edges`) has a cycle through every node, so every node has an edge and both
engines give every node its count (pyDatalog's `len_` gives no row to a node without one).
Evaluation is timed without loading, as in `program_cells`.
"""

from __future__ import annotations

from . import generate as gen
from .baselines import digest
from .cells import Cell, Sample, forget, knowledge_base, rows_text, timed
from .raw_pydatalog import in_fresh_thread

RULE = "outdeg(X, N) :- node(X), N = count : { edge(X, _) }.\n"


def outdeg_program(n: int) -> str:
    """The nodes and edges of the graph of `n` nodes, and the out-degree rule."""
    nodes = "".join(f"node(n{i}).\n" for i in range(n))
    edges = "".join(f"edge(n{a}, n{b}).\n" for a, b in gen.cyclic_edges(n))
    return nodes + edges + RULE


class OutdegAllegiance(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = knowledge_base().from_text(outdeg_program(size), as_of=gen.DAY)

    def measure(self, run):
        forget(self.kb)
        seconds, answer = timed(lambda: self.kb.ask("outdeg(X, N)?"))
        return Sample(seconds, digest=digest(rows_text(answer.rows)))

    def close(self):
        self.kb.close()


class OutdegPyDatalog(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.edges = gen.cyclic_edges(size)

    def measure(self, run):
        def evaluate():
            from pyDatalog import Logic, pyDatalog, pyParser

            Logic()
            for a, b in self.edges:
                pyDatalog.assert_fact("raw_edge", f"n{a}", f"n{b}")
            x, y, n = pyDatalog.Variable(), pyDatalog.Variable(), pyDatalog.Variable()
            (pyParser.Term("raw_outdeg")[x] == pyParser.Term("len_")(y)) <= pyParser.Term("raw_edge")(x, y)
            return timed(lambda: sorted((node, str(count)) for node, count in (pyParser.Term("raw_outdeg")[x] == n).data))

        seconds, rows = in_fresh_thread(evaluate)
        return Sample(seconds, digest=digest(set(rows)))
