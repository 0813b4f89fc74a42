"""Cells of the whole-program workloads: every answer of one predicate, transitive closure, the
university, the article's knowledge base and the one-shot command line.

Each class is one engine on one workload; see `cells` for the protocol. Evaluation is timed
without loading: the engine's knowledge base is built untimed and its caches dropped before each
run (`forget`); pyDatalog gets its facts untimed in a fresh thread; clingo's text is added
untimed, then ground and solve are timed; the oracle's program is parsed untimed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

from allegiance.lang.parse import parse_program

from . import generate as gen
from .baselines import (ROOT, clingo_answers, clingo_control, clingo_text, derived_keys, digest, oracle_evaluate,
                        transitive_closure)
from .cells import knowledge_base, Cell, PyDatalogCell, Sample, Skip, case_program, clock, forget, load_case, rows_text, timed
from .raw_pydatalog import in_fresh_thread, load_raw

ALLEGIANCE = ROOT / ".venv" / "bin" / "allegiance"


# -- every answer of one predicate on a synthetic case -----------------------------------------
class AllAllegiance(Cell):
    key = "alliance/2"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = load_case(size)
        name, arity = self.key.split("/")
        self.query = f"{name}({', '.join(f'V{i}' for i in range(int(arity)))})?"

    def measure(self, run):
        forget(self.kb)
        seconds, answer = timed(lambda: self.kb.ask(self.query))
        return Sample(seconds, digest=digest(rows_text(answer.rows)))

    def close(self):
        self.kb.close()


class AllPyDatalog(PyDatalogCell):
    key = "alliance/2"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        program = case_program(size)
        self.raw = self.worker.call(lambda: load_raw(program, gen.DAY))

    def measure(self, run):
        name, arity = self.key.split("/")
        seconds, rows = self.worker.call(lambda: timed(lambda: self.raw.query(name, (None,) * int(arity))))
        return Sample(seconds, digest=digest(rows))


class AllOracle(Cell):
    key = "alliance/2"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.program = self.make_program(size)

    def make_program(self, size):
        return case_program(size)

    def measure(self, run):
        seconds, db = timed(lambda: oracle_evaluate(self.program, gen.DAY))
        return Sample(seconds, digest=self.digest(db))

    def digest(self, db):
        return digest(rows_text(db[self.key]))


class AllClingo(Cell):
    key = "alliance/2"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.text = clingo_text(self.make_program(size), gen.DAY, self.shown())

    def make_program(self, size):
        return case_program(size)

    def shown(self):
        return [self.key]

    def measure(self, run):
        control = clingo_control(self.text)
        seconds, found = timed(lambda: clingo_answers(control))
        return Sample(seconds, digest=self.digest(found))

    def digest(self, found):
        return digest(found.get(self.key, ()))


def credible(cls):
    """The same cell class, asking `credible(R)?` instead of `alliance(A, B)?`."""
    return type(cls.__name__ + "Credible", (cls,), {"key": "credible/1"})


# -- transitive closure --------------------------------------------------------------------------
def graph_edges(kind: str, n: int):
    return gen.chain_edges(n) if kind == "chain" else gen.cyclic_edges(n)


class ClosureAllegiance(Cell):
    kind = "chain"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.text = gen.closure_program(graph_edges(self.kind, size))

    def measure(self, run):
        kb = knowledge_base().from_text(self.text, as_of=gen.DAY)
        try:
            seconds, answer = timed(lambda: kb.ask("path(X, Y)?"))
            forget(kb)  # the evaluation alone: encoded tuples, neither sorted nor decoded
            evaluation, _ = timed(lambda: kb.model.python.rows("path/2"))
        finally:
            kb.close()
        return Sample(seconds, digest=digest(rows_text(answer.rows)), extra={"evaluation": evaluation})


class ClosurePyDatalog(Cell):
    kind = "chain"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.program = parse_program(gen.closure_program(graph_edges(self.kind, size)))

    def measure(self, run):
        def evaluate():
            raw = load_raw(self.program, gen.DAY)
            return timed(lambda: raw.query("path", (None, None)))

        seconds, rows = in_fresh_thread(evaluate)
        return Sample(seconds, digest=digest(rows))


class ClosureSemiNaive(Cell):
    kind = "chain"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.edges = graph_edges(self.kind, size)

    def measure(self, run):
        seconds, paths = timed(lambda: transitive_closure(self.edges))
        return Sample(seconds, digest=digest({(f"n{a}", f"n{b}") for a, b in paths}))


class ClosureOracle(AllOracle):
    kind, key = "chain", "path/2"

    def make_program(self, size):
        return parse_program(gen.closure_program(graph_edges(self.kind, size)))


class ClosureClingo(AllClingo):
    kind, key = "chain", "path/2"

    def make_program(self, size):
        return parse_program(gen.closure_program(graph_edges(self.kind, size)))


def cyclic(cls):
    """The same cell class, on a random cyclic graph instead of a chain."""
    return type(cls.__name__ + "Cyclic", (cls,), {"kind": "cycle"})


# -- the university ------------------------------------------------------------------------------
class UniversityAllegiance(Cell):
    """Every answer of every derived predicate; the load is recorded once as `load`."""

    def __init__(self, size, runs):
        super().__init__(size, runs)
        text = gen.university(size)
        self.keys = derived_keys(parse_program(gen.UNIVERSITY_RULES))
        self.load, self.kb = timed(lambda: knowledge_base().from_text(text, as_of=gen.DAY))

    def measure(self, run):
        forget(self.kb)
        seconds, found = timed(lambda: {key: self.kb.relation(key) for key in self.keys})
        rows = {(key,) + row for key, answers in found.items() for row in rows_text(answers)}
        return Sample(seconds, digest=digest(rows), extra={"load": self.load})

    def close(self):
        self.kb.close()


class UniversityPyDatalog(PyDatalogCell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        program = parse_program(gen.university(size))
        self.keys = derived_keys(program)
        self.raw = self.worker.call(lambda: load_raw(program, gen.DAY))

    def measure(self, run):
        def evaluate():
            found = {}
            for key in self.keys:
                name, arity = key.split("/")
                found[key] = self.raw.query(name, (None,) * int(arity))
            return found

        seconds, found = self.worker.call(lambda: timed(evaluate))
        return Sample(seconds, digest=digest({(k,) + row for k, rows in found.items() for row in rows}))


class UniversityClingo(AllClingo):
    def make_program(self, size):
        self.program = parse_program(gen.university(size))
        return self.program

    def shown(self):
        return derived_keys(self.program)

    def digest(self, found):
        return digest({(k,) + row for k in self.shown() for row in found.get(k, ())})


class UniversityOracle(AllOracle):
    def make_program(self, size):
        return parse_program(gen.university(size))

    def digest(self, db):
        keys = derived_keys(self.program)
        return digest({(k,) + row for k in keys for row in rows_text(db[k])})


# -- the article's knowledge base ------------------------------------------------------------------
ARTICLE_GOAL = "alliance(JN, IS)?"


class ArticleWhy(Cell):
    """`why alliance(JN, IS)?` rendered as text, caches dropped before each run; the first `why`
    after loading and a `why` repeated at once are recorded as `first` and `repeated`."""

    def __init__(self, size, runs):
        super().__init__(size, runs)
        from allegiance.explain.sentences import Vocabulary

        self.kb = knowledge_base().from_paths([ROOT / "kb"], as_of=gen.DAY)
        self.vocabulary = Vocabulary.of(self.kb)
        self.first = timed(self.explain)[0]

    def explain(self):
        from allegiance.explain.why import why
        from allegiance.render.text import explanation_tree

        return explanation_tree(why(self.kb, ARTICLE_GOAL), self.vocabulary).text

    def measure(self, run):
        forget(self.kb)
        seconds, text = timed(self.explain)
        repeated = timed(self.explain)[0]
        fingerprint = hashlib.sha1(text.encode()).hexdigest()[:10]
        return Sample(seconds, digest=fingerprint, extra={"first": self.first, "repeated": repeated})

    def close(self):
        self.kb.close()


class ArticleRepeat(Cell):
    calls = 200

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = knowledge_base().from_paths([ROOT / "kb"], as_of=gen.DAY)
        self.answer = self.kb.ask(ARTICLE_GOAL).holds

    def measure(self, run):
        calls = [timed(lambda: self.kb.ask(ARTICLE_GOAL))[0] for _ in range(self.calls)]
        return Sample(sum(calls), tuple(calls), digest([self.answer]))

    def close(self):
        self.kb.close()


# -- the one-shot command line ----------------------------------------------------------------------
def has_why_command() -> bool:
    """True when the command line has a `why` subcommand."""
    done = subprocess.run([ALLEGIANCE, "why", "--help"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


class ColdCommand(Cell):
    """A process started, run to its exit and timed from outside."""

    def command(self) -> list:
        return [ALLEGIANCE, "--kb", "kb", "query", ARTICLE_GOAL]

    def measure(self, run):
        start = clock()
        done = subprocess.run(self.command(), cwd=ROOT, capture_output=True)
        seconds = clock() - start
        if done.returncode not in (0, 1):
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.decode()[-300:]}")
        return Sample(seconds, digest=f"{done.returncode}:{hashlib.sha1(done.stdout).hexdigest()[:10]}")


class ColdWhy(ColdCommand):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        if not has_why_command():
            raise Skip("`allegiance why` does not exist yet")

    def command(self):
        return [ALLEGIANCE, "--kb", "kb", "why", ARTICLE_GOAL]


class ColdImport(ColdCommand):
    """The floor of any cold command: Python starting and importing pyDatalog."""

    def command(self):
        return [sys.executable, "-c", "import pyDatalog.pyDatalog"]

    def measure(self, run):
        sample = super().measure(run)
        return Sample(sample.seconds)
