"""Cells of the workloads on synthetic knowledge bases: loading, point queries, `why`, edits.

Each class is one engine on one workload; see `cells` for the protocol.
"""

from __future__ import annotations

from allegiance.lang.parse import parse_program

from . import generate as gen
from .baselines import digest, text_of
from .raw_pydatalog import RawPyDatalog, in_fresh_thread, load_raw
from .cells import (knowledge_base, Cell, PyDatalogCell, Sample, case_file, case_program, chunk, clock, forget, load_case,
                    median, timed)


# -- loading ----------------------------------------------------------------------------------
class LoadAllegiance(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        case_file(size)

    def measure(self, run):
        seconds, kb = timed(lambda: load_case(self.size))
        kb.close()
        return Sample(seconds)


class LoadPyDatalog(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.program = case_program(size)

    def measure(self, run):
        def load():
            start = clock()
            load_raw(self.program, gen.DAY)
            return clock() - start

        return Sample(in_fresh_thread(load))


def facts_text(n: int) -> str:
    """The first `n` facts of a synthetic case (no rules), with their source declaration."""
    lines = [line for line in gen.expert_case(n // 8 + 10).splitlines() if line.endswith("@synth.")]
    return gen.SOURCE + "\n".join(lines[:n]) + "\n"


class LoadFactsAllegiance(Cell):
    """From text (parse, check, store); the same facts already parsed are timed as `parsed`."""

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.text = facts_text(size)
        self.program = parse_program(self.text)

    def measure(self, run):
        seconds, kb = timed(lambda: knowledge_base().from_text(self.text, as_of=gen.DAY))
        count = len(kb.facts())
        kb.close()
        parsed, kb = timed(lambda: knowledge_base().from_program(self.program, as_of=gen.DAY))
        kb.close()
        return Sample(seconds, digest=str(count), extra={"parsed": parsed})


class LoadFactsPyDatalog(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        program = parse_program(facts_text(size))
        self.facts = [(f.atom.predicate, tuple(text_of(a.value) for a in f.atom.args)) for f in program.facts]

    def measure(self, run):
        def load():
            start = clock()
            RawPyDatalog().assert_facts(self.facts)
            return clock() - start

        return Sample(in_fresh_thread(load), digest=str(len(self.facts)))


# -- point queries, explanations, edits --------------------------------------------------------
POINTS_PER_RUN = 40


class PointAllegiance(Cell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = load_case(size)
        self.pairs = gen.alliance_pairs(size, runs * POINTS_PER_RUN)

    def measure(self, run):
        calls, true = [], []
        for a, b in chunk(self.pairs, run, POINTS_PER_RUN):
            seconds, answer = timed(lambda: self.kb.ask(f"alliance({a}, {b})?"))
            calls.append(seconds)
            if answer.holds:
                true.append((a, b))
        return Sample(sum(calls), tuple(calls), digest(true))

    def close(self):
        self.kb.close()


class PointPyDatalog(PyDatalogCell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        program = case_program(size)
        self.raw = self.worker.call(lambda: load_raw(program, gen.DAY))
        self.pairs = gen.alliance_pairs(size, runs * POINTS_PER_RUN)

    def measure(self, run):
        def ask_all():
            calls, true = [], []
            for a, b in chunk(self.pairs, run, POINTS_PER_RUN):
                seconds, holds = timed(lambda: self.raw.holds("alliance", (a, b)))
                calls.append(seconds)
                if holds:
                    true.append((a, b))
            return Sample(sum(calls), tuple(calls), digest(true))

        return self.worker.call(ask_all)


WHYS_PER_RUN = 8


class WhyAllegiance(Cell):
    """`why` of point queries that hold (or fail), beside plain queries of the same kind."""

    holds = True

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = load_case(size)
        wanted = 2 * runs * WHYS_PER_RUN
        candidates = gen.alliance_pairs(size, 12 * wanted)
        self.pairs = [p for p in candidates if self.kb.ask(f"alliance({p[0]}, {p[1]})?").holds == self.holds]
        self.pairs = self.pairs[:wanted]
        forget(self.kb)

    def measure(self, run):
        from allegiance.explain.why import why

        pairs = chunk(self.pairs, run, 2 * WHYS_PER_RUN)
        asks = [timed(lambda: self.kb.ask(f"alliance({a}, {b})?"))[0] for a, b in pairs[::2]]
        whys = [timed(lambda: why(self.kb, f"alliance({a}, {b})?"))[0] for a, b in pairs[1::2]]
        return Sample(sum(whys), tuple(whys), extra={"query": median(asks)})

    def close(self):
        self.kb.close()


class WhyFalseAllegiance(WhyAllegiance):
    holds = False


class RepeatAllegiance(Cell):
    """The same query asked again and again: the answer cache."""

    calls = 200
    query = "alliance({a}, {b})?"

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = self.load()
        self.text = self.query.format(a=f"g{gen.CLUSTER + 1}", b=f"g{gen.CLUSTER + 2}")
        self.answer = self.kb.ask(self.text).holds

    def load(self):
        return load_case(self.size)

    def measure(self, run):
        calls = [timed(lambda: self.kb.ask(self.text))[0] for _ in range(self.calls)]
        return Sample(sum(calls), tuple(calls), digest([self.answer]))

    def close(self):
        self.kb.close()


EDITS_PER_RUN = 20


class EditAllegiance(Cell):
    """Tell a fact that creates a rift, re-ask; retract it, re-ask (each timed as one call)."""

    def __init__(self, size, runs):
        super().__init__(size, runs)
        self.kb = load_case(size)
        self.pairs = gen.alliance_pairs(size, runs * EDITS_PER_RUN, seed=5)

    def measure(self, run):
        calls, answers = [], []
        for a, b in chunk(self.pairs, run, EDITS_PER_RUN):
            fact, query = f"charges({a}, {b}, bench_charge) @synth.", f"alliance({a}, {b})?"
            for edit in (self.kb.tell, self.kb.retract):
                seconds, holds = timed(lambda: (edit(fact), self.kb.ask(query).holds)[1])
                calls.append(seconds)
                answers.append((a, b, len(answers) % 2, holds))
        return Sample(sum(calls), tuple(calls), digest(answers))

    def close(self):
        self.kb.close()


class EditPyDatalog(PyDatalogCell):
    def __init__(self, size, runs):
        super().__init__(size, runs)
        program = case_program(size)
        self.raw = self.worker.call(lambda: load_raw(program, gen.DAY))
        self.pairs = gen.alliance_pairs(size, runs * EDITS_PER_RUN, seed=5)

    def measure(self, run):
        def edit_all():
            calls, answers = [], []
            for a, b in chunk(self.pairs, run, EDITS_PER_RUN):
                for edit in (self.raw.tell, self.raw.retract):
                    start = clock()
                    edit("charges", (a, b, "bench_charge"))
                    holds = self.raw.holds("alliance", (a, b))
                    calls.append(clock() - start)
                    answers.append((a, b, len(answers) % 2, holds))
            return Sample(sum(calls), tuple(calls), digest(answers))

        return self.worker.call(edit_all)
