"""Checking a knowledge base's declared properties against generated cases, with Hypothesis.

Sits on `properties` (what each kind means), `kb` and `explain`; `allegiance.repl.properties_command` and the
pytest plugin call `check_properties`. Each property is checked in two modes: on the rules
alone (every statement but the facts, plus a generated case) and, when the knowledge base
states facts, on the rules with its facts (plus a generated case that may mention a few of
their entities, as of one of the days their validity dates start or end). Guarantees: a
failing property comes with the smallest case Hypothesis could shrink it to, re-evaluated from
scratch; nothing is written to disk (no example database); with `derandomize` (CI) every run
draws the same cases; one knowledge base per mode is built and reused, its generated facts
told and retracted case by case.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from pathlib import Path

from attrs import frozen
from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import seed as seeded

from allegiance.check.checks import CheckedProgram, check
from allegiance.lang.diagnostics import AllegianceError, LoadError, QueryError
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase, expand_paths, read_program
from allegiance.check.kinds import Schema
from allegiance.explain.proof import Explanation
from allegiance.testing.properties import CHECKED, Case, Relations, Scene, Sizes, Violation, cases, conclusions
from allegiance.testing.properties import violation as find_violation
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.syntax import Fact, Program, PropertyDecl

ALONE, WITH_FACTS = "the rules alone", "the rules and the facts"
DEFAULT_EXAMPLES, CI_EXAMPLES = 25, 10  # cases per property and mode


@frozen
class Outcome:
    """One property checked in one mode: how many cases, how many reached a conclusion."""

    decl: PropertyDecl
    mode: str
    cases: int
    reached: int  # cases in which a predicate the property is about had an answer
    violation: Violation | None = None
    day: datetime.date | None = None  # the day evaluated as of, when the case names none


@frozen
class Report:
    """Every declared property, checked in every mode."""

    outcomes: tuple[Outcome, ...]

    @property
    def holds(self) -> bool:
        return all(o.violation is None for o in self.outcomes)

    @property
    def cases(self) -> int:
        return sum(o.cases for o in self.outcomes)

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.violation is not None)


@frozen
class Explained:
    """A scene of a counterexample and the explanation of its conclusion there."""

    scene: Scene
    explanation: Explanation
    vocabulary: Vocabulary


def check_properties(program: Program | Sequence[str], examples: int = DEFAULT_EXAMPLES,
                     seed: int | None = None, derandomize: bool = False,
                     sizes: Sizes = Sizes(), day: datetime.date | None = None,
                     select: Callable[[PropertyDecl], bool] | None = None,
                     progress: Callable[[PropertyDecl, tuple[Outcome, ...]], None] | None = None
                     ) -> Report:
    """Check the declared properties (all, or those `select` picks) of a program, or of the
    files and folders named; LoadError when it does not load. `examples`: cases per property
    and mode; `progress` is told each property's outcomes as soon as they are known."""
    if not isinstance(program, Program):
        program = read_program(program)
    try:
        checked = check(program)
    except AllegianceError as exc:
        raise LoadError(exc.diagnostics) from None
    schema = Schema.of(checked)
    day = day or datetime.date.today()
    decls = [d for d in program.properties if d.kind in CHECKED and (select is None or select(d))]
    outcomes: list[Outcome] = []
    evaluators = [(mode, Evaluator(base, day)) for mode, base in _modes(schema)] if decls else []
    try:
        for decl in decls:
            found = []
            for mode, evaluator in evaluators:
                days = _days(schema.facts.facts, day) if mode == WITH_FACTS else ()
                run = _Run(decl, schema, checked, evaluator, mode, days, sizes)
                found.append(run.search(examples, seed, derandomize))
            outcomes.extend(found)
            if progress is not None:
                progress(decl, tuple(found))
    finally:
        for _, evaluator in evaluators:
            evaluator.close()
    return Report(tuple(outcomes))


def explain_violation(outcome: Outcome, schema_program: Program) -> tuple[Explained, ...]:
    """The explanation of the conclusion in each scene of a failed outcome, from scratch."""
    violation, explained = outcome.violation, []
    base = _base(schema_program, outcome.mode)
    for scene in violation.scenes:
        day = violation.case.as_of or outcome.day
        with KnowledgeBase.from_program(base + Program(scene.facts), as_of=day) as kb:
            explained.append(Explained(scene, why(kb, scene.goal), Vocabulary.of(kb)))
    return tuple(explained)


@frozen
class Reproduction:
    """How a counterexample loads: beside the knowledge base (`kb_paths`), or beside its rules
    alone (`rule_paths`, and `inline`: the rules of files that also state facts)."""

    kb_paths: tuple[str, ...]
    rule_paths: tuple[str, ...]
    inline: Program = Program()


def reproduction(paths: Sequence[str], program: Program) -> Reproduction:
    """Which of `paths` hold only rules, and the rules of the files that mix rules and facts."""
    with_facts = {Path(f.span.file).resolve() for f in program.facts if f.span is not None}
    found: list[str] = []
    for path in map(Path, paths):
        found.extend(_without_facts(path, with_facts))
    inline = tuple(s for s in program.statements if not isinstance(s, (Fact, PropertyDecl))
                   and s.span is not None and Path(s.span.file).resolve() in with_facts)
    return Reproduction(tuple(map(str, paths)), tuple(found), Program(inline))


def _without_facts(path: Path, with_facts: set[Path]) -> list[str]:
    files = expand_paths([path], [])
    if not any(f.resolve() in with_facts for f in files):
        return [str(path)] if files else []
    if not path.is_dir():
        return []
    found = []
    for child in sorted(path.iterdir()):
        if child.is_dir() or child.suffix == ".dl":
            found.extend(_without_facts(child, with_facts))
    return found


def _base(program: Program, mode: str) -> Program:
    if mode == WITH_FACTS:
        return program
    return Program(tuple(s for s in program.statements if not isinstance(s, Fact)))


def _modes(schema: Schema):
    yield ALONE, schema.rules
    if schema.facts.statements:
        yield WITH_FACTS, schema.rules + schema.facts


def _days(facts: Sequence[Fact], today: datetime.date) -> tuple[datetime.date, ...]:
    """Today, then every day on which a stated fact starts or stops holding."""
    found = set()
    for fact in facts:
        if fact.valid_from is not None:
            found.add(fact.valid_from.first_day())
        if fact.valid_to is not None:
            found.add(fact.valid_to.last_day())
            found.add(fact.valid_to.last_day() + datetime.timedelta(days=1))
    return (today, *sorted(found - {today}))


class Evaluator:
    """One knowledge base, reused: its own statements plus the facts of the case at hand."""

    def __init__(self, base: Program, day: datetime.date):
        self.kb = KnowledgeBase.from_program(base, as_of=day)
        self.day = day
        self.told: set[Fact] = set()  # generated facts stated now (never the base's own)

    def relations(self, facts: Sequence[Fact], keys: Sequence[str],
                  day: datetime.date | None = None) -> Relations:
        """The answers of each predicate of `keys` once exactly `facts` are added."""
        wanted = set(facts)
        for fact in self.told - wanted:
            self.kb.retract(fact)
        self.told &= wanted
        for fact in wanted - self.told:
            if self.kb.tell(fact):
                self.told.add(fact)
        self.kb.set_as_of(day or self.day)
        return {key: self._relation(key) for key in keys}

    def _relation(self, key: str):
        try:
            return self.kb.relation(key)
        except QueryError:  # a predicate only facts define, and the case states none
            return frozenset()

    def close(self) -> None:
        self.kb.close()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Broken(Exception):
    """Raised inside Hypothesis to mark a case that breaks the property."""

    def __init__(self, violation: Violation):
        super().__init__(violation.summary)
        self.violation = violation


class _Run:
    """One property in one mode: its cases, its check and its counters."""

    def __init__(self, decl, schema: Schema, checked: CheckedProgram, evaluator: Evaluator,
                 mode: str, days, sizes: Sizes):
        self.decl, self.mode, self.evaluator = decl, mode, evaluator
        self.keys = tuple(dict.fromkeys(r.key for r in decl.predicates))
        self.about = conclusions(decl)
        relevant = _relevant(checked, self.about, schema)
        self.known = schema.facts.facts if mode == WITH_FACTS else ()
        self.strategy = cases(decl, schema, relevant, mode == WITH_FACTS, days, sizes)
        self.tried = self.reached = 0
        self.first_failure: int | None = None

    def search(self, examples: int, seed: int | None, derandomize: bool) -> Outcome:
        options = settings(max_examples=examples, deadline=None, database=None,
                           derandomize=derandomize, verbosity=Verbosity.quiet,
                           report_multiple_bugs=False, suppress_health_check=list(HealthCheck))
        run = options(given(self.strategy)(self.test))
        if seed is not None:
            run = seeded(seed)(run)
        try:
            run()
        except _Broken as broken:
            return Outcome(self.decl, self.mode, self.first_failure or self.tried, self.reached,
                           broken.violation, self.evaluator.day)
        return Outcome(self.decl, self.mode, self.tried, self.reached, None, self.evaluator.day)

    def test(self, case: Case) -> None:
        if self.first_failure is None:
            self.tried += 1
        reached = False

        def evaluate(facts):
            nonlocal reached
            answers = self.evaluator.relations(facts, self.keys, case.as_of)
            reached = reached or any(answers[k] for k in self.about)
            return answers

        found = find_violation(self.decl, case, evaluate, self.known)
        if self.first_failure is None:
            self.reached += reached
        if found is not None:
            self.first_failure = self.first_failure or self.tried
            raise _Broken(found)


def _relevant(checked: CheckedProgram, keys, schema: Schema) -> list[str]:
    """The base predicates a case may state that `keys` depend on, through rules."""
    return sorted(k for k in checked.dependencies(keys) if k in schema.kinds)
