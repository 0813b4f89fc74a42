"""The Python API shared by the REPL, the CLI and users: a knowledge base you can query and edit.

Sits on top of the pipeline: it parses and checks files (every problem reported at once, as a
`LoadError`), keeps the stated facts in a `FactStore`, evaluates through a `Model`, and turns
answers back into values. Queries may name entities by alias. One lock serialises every call,
so a knowledge base may be shared between threads; two knowledge bases never share state.
A query may be bounded in time and in answers (`limits`): an answer cut short says so in
`partial`. Only regular files are read (never a device or a pipe, which could block).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from pathlib import Path

from attrs import evolve, frozen

from allegiance.check.checks import CheckedProgram, check, check_fact, check_query
from allegiance.lang.diagnostics import AllegianceError, LoadError, QueryError, error, sort_diagnostics
from allegiance.lang.folders import case_files, expand_paths, unsourced_warnings
from allegiance.eval.limits import Deadline, Interrupted, answer_limit, check_count
from allegiance.eval.model import Model
from allegiance.lang.parse import parse_fact, parse_program, parse_query
from allegiance.lang.fact_lines import paused_gc
from allegiance.eval.plan import plan_query
from allegiance.eval.store import FactStore
from allegiance.lang.syntax import (Aggregate, Arithmetic, Atom, Comparison, Constant, Fact, Minus, Negation,
                                    Program, Query, Variable)
from allegiance.lang.values import String, Symbol, Value, sort_key, sorted_values


@frozen
class Answer:
    """The answers to a query: one row of values per solution, in a stable order."""

    query: Query
    variables: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    as_of: datetime.date
    resolutions: tuple[tuple[str, Value], ...] = ()
    partial: str | None = None  # why only some of the answers are listed (a limit was reached)

    @property
    def holds(self) -> bool:
        return bool(self.rows)

    def bindings(self) -> list[dict[str, Value]]:
        """Each solution as a mapping from variable name to value."""
        return [dict(zip(self.variables, row)) for row in self.rows]


ANSWER_CACHE = 4096  # answers kept before the cache starts again


class KnowledgeBase:
    """A checked program, its facts and its model, behind one lock."""

    def __init__(self, checked: CheckedProgram, *, as_of: datetime.date | None = None):
        self.checked = checked
        self.store = FactStore(as_of or datetime.date.today())
        for fact in checked.program.facts:
            self.store.add(fact)
        self.model = Model(checked, self.store)
        self._lock = threading.RLock()
        self._alias_table: tuple[int, dict] | None = None
        self._answers: dict = {}  # (query, day, generation) → Answer: a repeated question is free
        self._queries: dict[str, Query] = {}  # text → parsed query (errors are not kept)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_program(cls, program: Program, **options) -> KnowledgeBase:
        """A knowledge base of an already parsed program; raises LoadError if it fails checks."""
        try:
            with paused_gc():  # checking and storing make many objects, none of them garbage
                return cls(check(program), **options)
        except AllegianceError as exc:
            raise LoadError(exc.diagnostics) from None

    @classmethod
    def from_text(cls, text: str, file: str = "<text>", **options) -> KnowledgeBase:
        """A knowledge base of one text; raises LoadError with every problem found."""
        with paused_gc():
            try:
                program = parse_program(text, file)
            except AllegianceError as exc:
                raise LoadError(exc.diagnostics) from None
            return cls.from_program(program, **options)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], **options) -> KnowledgeBase:
        """A knowledge base of files and folders (their `.dl` files, in name order; a folder with a
        `kb.toml` or `case.toml` what its manifest names). A fact of a case that cites no source
        is a warning (`unsourced`)."""
        paths = list(paths)
        kb = cls.from_program(read_program(paths), **options)
        extra = unsourced_warnings(kb.checked.program, case_files(paths))
        if extra:
            kb.checked = evolve(kb.checked, warnings=sort_diagnostics((*kb.checked.warnings, *extra)))
        return kb

    # -- asking ----------------------------------------------------------------------------
    @property
    def as_of(self) -> datetime.date:
        return self.store.day

    def set_as_of(self, day: datetime.date) -> None:
        """Evaluate from now on as of `day`."""
        with self._lock:
            self.store.set_day(day)

    def ask(self, query: str | Query, as_of: datetime.date | None = None, timeout=None,
            limit: int | None = None) -> Answer:
        """The answers to `query` (text or Query), as of `as_of` or the current day.

        `limit` keeps the first answers only (`partial` says so); after `timeout` seconds the
        evaluation stops with `Interrupted`, and the knowledge base keeps working as before."""
        if limit is not None:
            check_count(limit, "answers")
        deadline = Deadline.after(timeout)
        with self._lock:
            if as_of is not None:
                self.store.set_day(as_of)
            answer = self._answers.get((query, self.store.day, self.store.generation))
            if answer is None:
                answer = self._evaluate(query, deadline)
            if limit is not None and len(answer.rows) > limit:
                reason = answer_limit(limit, len(answer.rows))
                answer = evolve(answer, rows=answer.rows[:limit], partial=reason)
            return answer

    def _evaluate(self, text: str | Query, deadline: Deadline) -> Answer:
        query = self._parsed(text) if isinstance(text, str) else text
        query, resolutions = resolve_aliases(query, self.aliases())
        check_query(query, self.checked, self.store.keys())
        try:
            answer = self._answer(query, resolutions, deadline.remaining())
        except Interrupted as exc:
            if deadline.expired:
                raise Interrupted(deadline.reached()) from exc
            raise
        if len(self._answers) >= ANSWER_CACHE:
            self._answers.clear()
        self._answers[(text, self.store.day, self.store.generation)] = answer
        return answer

    def _parsed(self, text: str) -> Query:
        """The query of `text`, parsed once (asked again after an edit, it is the same)."""
        query = self._queries.get(text)
        if query is None:
            if len(self._queries) >= ANSWER_CACHE:
                self._queries.clear()
            query = self._queries[text] = parse_query(text)
        return query

    def _answer(self, query: Query, resolutions, timeout) -> Answer:
        planned = plan_query(query.body)
        names = tuple(v.name for v in query.variables())
        if planned is None:
            return Answer(query, names, (), self.as_of, resolutions)
        body, mapping = planned
        free = tuple(sorted({t for t in mapping.values() if isinstance(t, str)}))
        rows = self.model.ask(body, free, timeout)
        column = {v: i for i, v in enumerate(free)}
        if tuple(mapping[n] for n in names) != free:  # not each name its own column, in order
            rows = {tuple(row[column[mapping[n]]] if isinstance(mapping[n], str) else mapping[n]
                          for n in names) for row in rows}
        return Answer(query, names, sorted_values(rows), self.as_of, resolutions)

    def holds(self, query: str | Query, as_of: datetime.date | None = None) -> bool:
        """True when the query has at least one answer."""
        return self.ask(query, as_of).holds

    def relation(self, key: str, as_of: datetime.date | None = None) -> frozenset[tuple[Value, ...]]:
        """Every tuple of predicate `key` (`name/arity`) that holds."""
        name, arity = key.rsplit("/", 1)
        args = tuple(Variable(f"V{i}") for i in range(int(arity)))
        return frozenset(self.ask(Query((Atom(name, args),)), as_of).rows)

    # -- editing ---------------------------------------------------------------------------
    def tell(self, fact: str | Fact) -> bool:
        """Assert a fact; True when it was not already stated."""
        with self._lock:
            fact = self._checked_fact(fact)
            return self.store.add(fact)

    def retract(self, fact: str | Fact) -> bool:
        """Withdraw a stated fact (all its statements when written without sources or dates)."""
        with self._lock:
            fact = self._checked_fact(fact)
            exact = self.store.remove(fact)
            if exact or fact.sources or fact.valid_from or fact.valid_to:
                return exact
            stated = self.store.statements(fact.atom.key, _row(fact))
            for other in stated:
                self.store.remove(other)
            return bool(stated)

    def _checked_fact(self, fact: str | Fact) -> Fact:
        if isinstance(fact, str):
            fact = parse_fact(fact)
        check_fact(fact, self.checked, self.store.keys())
        self.model.ensure_served(fact.atom.key)
        return fact

    def facts(self, key: str | None = None) -> list[Fact]:
        """The stated facts (of one predicate, or all), whether or not they hold today."""
        return self.store.all_statements() if key is None else self.store.statements_of(key)

    def aliases(self) -> dict[str, tuple[Value, ...]]:
        """Lower-cased alias name → the entities it names (from `alias/2` facts)."""
        revision = self.store.revisions.get("alias/2", 0)
        if self._alias_table is not None and self._alias_table[0] == revision:
            return self._alias_table[1]
        table: dict[str, set[Value]] = {}
        for fact in self.facts("alias/2"):
            entity, name = (a.value for a in fact.atom.args)
            if isinstance(name, String):
                table.setdefault(name.text.lower(), set()).add(entity)
        result = {k: tuple(sorted(v)) for k, v in table.items()}
        self._alias_table = (revision, result)
        return result

    def close(self) -> None:
        """Release the evaluator's thread."""
        self.model.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_program(paths: Iterable[str | Path]) -> Program:
    """The program of every file (folders: their `.dl` files); LoadError lists every problem."""
    program, diagnostics = Program(), []
    for path in expand_paths(paths, diagnostics):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(error(f"cannot read `{path}`: {_reason(exc)}", None, "io"))
            continue
        try:
            program = program + parse_program(text, str(path))
        except AllegianceError as exc:
            diagnostics.extend(exc.diagnostics)
    if diagnostics:
        raise LoadError(diagnostics)
    return program


def resolve_aliases(query: Query, aliases: dict[str, tuple[Value, ...]]):
    """The query with every bare name that is an alias replaced by its entity, and the list."""
    resolutions: dict[str, Value] = {}

    def term(t):
        name = t.name if isinstance(t, Variable) else None
        if isinstance(t, Constant) and isinstance(t.value, Symbol):
            name = t.value.name
        if name is None or name.startswith("_") or name.lower() not in aliases:
            return t
        entities = aliases[name.lower()]
        if isinstance(t, Constant) and t.value in entities:
            return t
        if len(entities) > 1:
            listed = ", ".join(f"`{e}`" for e in entities)
            raise QueryError([error(f"`{name}` is an alias of several entities: {listed}", t.span,
                                    "alias", hint="name the entity itself")])
        resolutions[name] = entities[0]
        return Constant(entities[0], t.span)

    def atom(a: Atom) -> Atom:
        return Atom(a.predicate, tuple(term(t) for t in a.args), a.span)

    def expression(e):
        if isinstance(e, Arithmetic):
            return Arithmetic(e.op, expression(e.left), expression(e.right), e.span)
        return Minus(expression(e.operand), e.span) if isinstance(e, Minus) else term(e)

    def literal(lit):
        if isinstance(lit, Atom):
            return atom(lit)
        if isinstance(lit, Negation):
            return Negation(atom(lit.atom), lit.span)
        if isinstance(lit, Aggregate):
            target = None if lit.target is None else term(lit.target)
            return Aggregate(term(lit.result), lit.function, target,
                             tuple(map(literal, lit.body)), lit.span)
        return Comparison(lit.op, expression(lit.left), expression(lit.right), lit.span)

    body = tuple(map(literal, query.body))
    return Query(body, query.span), tuple(resolutions.items())


def _row(fact: Fact) -> tuple:
    return tuple(sort_key(a.value) for a in fact.atom.args)


def _reason(exc: Exception) -> str:
    return exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else str(exc)
