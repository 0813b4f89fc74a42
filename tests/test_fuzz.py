"""Fuzzing every entry point for text: only the project's own errors come out, each positioned.

Random Unicode, near-language text, valid programs and queries with one token changed, huge
numbers, very long lines and deep nesting go to the parser and checker (`KnowledgeBase.from_text`),
the query parser, `ask`, `tell`, `retract`, `why`, and random argument lists and statement files
to the command line (`allegiance.repl.cli.main`, and through `-f -` the REPL's command layer). The property:
the call returns or raises an `AllegianceError` whose every diagnostic has a position inside the
text; the command line exits with 0 to 3 (or 5 for a time limit) and never prints a traceback.
What the shell runs on every keystroke (the live validator, the completer) gets the same text:
it only ever rejects with prompt_toolkit's `ValidationError`, at a place inside the text.

The number of examples comes from the Hypothesis profile: `ci` (75 each) in CI and in
`./dev test`, and thousands with the `long` profile, run as a separate command:

    ./dev test-long tests/test_fuzz.py      # HYPOTHESIS_PROFILE=long (CI must not be set)
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allegiance.lang.diagnostics import AllegianceError, ParseError, QueryError, render_all
from allegiance.explain.why import Limits, why
from allegiance.eval.kb import KnowledgeBase
from allegiance.lang.lexer import tokenize_lenient
from allegiance.lang.parse import parse_query
from allegiance.lang.printer import format_program, format_query
from allegiance.repl.cli import main
from strategies import programs as stratified_programs
from syntax_strategies import TRICKY_TEXTS, programs, queries

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much], deadline=None)
BOUNDS = Limits(seconds=5, nodes=500)  # an explanation of fuzzed text never runs away
KB_TEXT = """\
source s {title: "A report"}.
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies"}.
group(red) @s.
group(blue) from 2013 to 2015-06 @s.
alias(red, "RF") @s.
alias(blue, "BB") @s.
pledged(red, blue) @s.
label(red, "x\\u{1b}[0m", 2014-06-01, -42) @s.
ally(A, B) :- pledged(A, B), not hostile(A, B).
hostile(A, B) :- fights(A, B).
reach(X, Y) :- pledged(X, Y).
reach(X, Z) :- reach(X, Y), pledged(Y, Z).
lone(G) :- group(G), not reach(G, _), G != blue.
fights(blue, red) from 2015 @s.
"""
PIECES = ["(", ")", ",", ".", "?", ":-", "not", "from", "to", "@", "{", "}", ":", '"', "'", "\\",
          "%", "X", "_", "x", "2014", "2014-13", "-", "=", "!=", "<", "==", "<-", "\n", "\x00",
          "é", " ", "", "9" * 5000, "RF", "why", "source", "predicate", "property", "/",
          *TRICKY_TEXTS]


# -- inputs ----------------------------------------------------------------------------------
def texts() -> st.SearchStrategy[str]:
    """Random Unicode, text over the language's own characters, and pieces of it."""
    return st.one_of(
        st.text(max_size=200),
        st.text(alphabet="abXY_(),.:-?\"\\@{}%=!<> \n0123456789notfrmRFBB", max_size=160),
        st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    )


def extremes() -> st.SearchStrategy[str]:
    """Huge numbers, very long lines, deep nesting."""
    size = st.integers(1, 20_000)
    return st.one_of(
        st.builds(lambda n: "p(" + "9" * n + ").", st.integers(1, 10_000)),
        st.builds(lambda n: "p(-" + "1" * n + ")?", st.integers(4000, 5000)),
        st.builds(lambda n: "p(" + "a, " * n + "a).", size),
        st.builds(lambda n: "p(" * n + ")" * n + ".", size),
        st.builds(lambda n: "q(X) :- " + "not " * n + "p(X).", st.integers(1, 2000)),
        st.builds(lambda n: "q(X) :- " + ", ".join(f"p{i}(X)" for i in range(n)) + ".",
                  st.integers(1, 300)),
        st.builds(lambda n: '"' + "\\u{1F600}" * n + '"', st.integers(1, 5000)),
        st.builds(lambda n: "%" * n + "\n" + "." * n, size),
    )


@st.composite
def mutated(draw, source: str) -> str:
    """`source` with one token replaced, deleted, duplicated, or a piece inserted."""
    tokens = [t for t in tokenize_lenient(source) if t.kind != "eof"]
    if not tokens:
        return source + draw(st.sampled_from(PIECES))
    token = draw(st.sampled_from(tokens))
    lines = source.split("\n")
    start = sum(len(x) + 1 for x in lines[: token.span.line - 1]) + token.span.col - 1
    end = start + len(token.text)
    piece = draw(st.sampled_from(PIECES) | st.text(max_size=3))
    how = draw(st.sampled_from(("replace", "delete", "duplicate", "insert")))
    if how == "replace":
        return source[:start] + piece + source[end:]
    if how == "delete":
        return source[:start] + source[end:]
    if how == "duplicate":
        return source[:end] + source[start:end] + source[end:]
    return source[:start] + piece + source[start:]


def programs_text() -> st.SearchStrategy[str]:
    """Valid programs (any syntax; stratified and safe ones too) and those with one change."""
    valid = st.one_of(programs(max_size=5).map(format_program),
                      stratified_programs(dated=False).map(format_program))
    return st.one_of(valid, valid.flatmap(mutated), st.just(KB_TEXT).flatmap(mutated))


def queries_text() -> st.SearchStrategy[str]:
    """Random text, valid queries (over any predicate) and those with one change."""
    asked = st.sampled_from(["ally(X, Y)?", "reach(RF, Y)?", "lone(G)?", "label(X, S, D, N)?",
                             "ally(RF, BB)?", "group(X), not ally(X, _), X != red?",
                             'label(red, "x\\u{1b}[0m", D, N)?', "reach(X, X)?"])
    valid = st.one_of(queries().map(format_query), asked)
    return st.one_of(texts(), extremes(), valid, valid.flatmap(mutated))


# -- the properties ----------------------------------------------------------------------------
def assert_positioned(exc: AllegianceError, text: str, file: str | None = None) -> None:
    """Every diagnostic points inside `text`, and renders."""
    assert exc.diagnostics, "an error without a diagnostic"
    lines = text.split("\n")
    for d in exc.diagnostics:
        assert d.span is not None, f"no position: {d.message}"
        assert 1 <= d.span.line <= len(lines), d
        assert 1 <= d.span.col <= d.span.end_col <= len(d.span.text) + 2, d
        if file is not None:
            assert d.span.file == file
    rendered = render_all(exc.diagnostics)
    assert "\x1b" not in rendered and len(rendered) < 200 * len(exc.diagnostics) + 10_000


@pytest.fixture(scope="module")
def kb():
    with KnowledgeBase.from_text(KB_TEXT, "fuzz-kb.dl") as kb:
        yield kb


@FUZZ
@given(st.one_of(texts(), extremes(), programs_text()))
@example("p(x" * 5000)
@example("q(X) :- " + "not " * 3000 + "p(X).")
@example('predicate p(A) {holds: "{0.__class__}"}.\np(a).')
def test_loading_any_text_gives_a_kb_or_positioned_errors(text):
    try:
        with KnowledgeBase.from_text(text, "fuzz.dl") as loaded:
            defined = [k for k, i in loaded.checked.predicates.items() if i.is_defined]
            for key in defined[:3]:
                loaded.relation(key)  # a loaded program also evaluates
    except AllegianceError as exc:
        assert_positioned(exc, text, "fuzz.dl")


@FUZZ
@given(queries_text())
@example("ally(X, Y" + ", Z" * 20000 + ")?")
@example("X = " + "9" * 4300 + "?")
def test_a_query_of_any_text_answers_or_fails_with_positions(kb, text):
    try:
        parse_query(text)
    except ParseError as exc:
        assert_positioned(exc, text, "<query>")
    try:
        answer = kb.ask(text, timeout=10)
    except (ParseError, QueryError) as exc:
        assert_positioned(exc, text)
    else:
        assert all(len(row) == len(answer.variables) for row in answer.rows)


@FUZZ
@given(queries_text())
@example("lone(A)?")  # a negated `_` atom that holds: its proof was sought under other names
def test_why_on_any_text_explains_or_fails_with_positions(kb, text):
    try:
        expl = why(kb, text, BOUNDS)
    except (ParseError, QueryError) as exc:
        assert_positioned(exc, text)
    else:
        assert expl.holds == bool(expl.proofs)


@FUZZ
@given(st.one_of(texts(), extremes(), queries_text().map(lambda q: q.rstrip("?") + ".")))
def test_telling_then_retracting_any_text_leaves_the_answers_as_they_were(text):
    with KnowledgeBase.from_text(KB_TEXT) as fresh:
        before = {q: fresh.ask(q).rows for q in ("ally(X, Y)?", "lone(G)?", "reach(X, Y)?")}
        told = retracted = False
        try:
            told = fresh.tell(text)
        except AllegianceError as exc:
            assert_positioned(exc, text)
        if told:
            try:
                retracted = fresh.retract(text)
            except AllegianceError as exc:
                assert_positioned(exc, text)
        if told == retracted:  # nothing stated, or stated then withdrawn
            assert {q: fresh.ask(q).rows for q in before} == before


# -- the command line ------------------------------------------------------------------------
COMMANDS = ["query", "why", "check", "facts", "sources", "export", "repl", "nonsense"]
OPTIONS = ["--kb", "--as-of", "--format", "--color", "--limit", "--timeout", "-f", "--help",
           "--version", "-h", "--", "-", "--kb=", "--format=json"]
VALUES = ["{kb}", "{kb}", "kb", "2014-11", "2014", "13-13", "json", "text", "prose", "dot", "tree",
          "never", "always", "2", "0", "-1", "1e999", "nan", "0.5", "alliance(X, Y)?", "ally(RF, BB)?",
          "ally(X, Y)?", "reach(RF, Y)", "pledged", "ally", "group(X)", "../../../../etc/passwd",
          "/dev/null", "", " ", "\x00", "\x1b[2J", "é"]


@st.composite
def argvs(draw) -> list[str]:
    words = st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS), st.sampled_from(VALUES),
                      st.text(max_size=20), queries_text())
    return draw(st.lists(words, max_size=8))


def run(argv: list[str], folder, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder):  # `report`, `.save` or a stray path write only here
        code = main(argv, out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli")
    (path / "case.dl").write_text(KB_TEXT, encoding="utf-8")
    return path


def clean(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2, 3, 5), (code, err)
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert "\x1b" not in out + err


@FUZZ
@given(argvs())
@example(["query"])
@example(["--kb", "{kb}", "query", "ally(RF, X)", "--limit", "1"])
@example(["--kb", "{kb}", "why", "ally(X, Y)?", "--format", "dot", "--timeout", "0.5"])
@example(["--kb", "\x00", "check"])
@example(["--kb", "{kb}", "-f", "/dev/null"])
def test_the_command_line_on_any_arguments_exits_cleanly(folder, argv):
    argv = [a.replace("{kb}", str(folder / "case.dl")) for a in argv]
    if "--timeout" not in argv:
        argv += ["--timeout", "20"]  # a fuzzed goal may be slow; it must never hang the suite
    if not any(a.startswith("--kb") for a in argv):
        argv = ["--kb", str(folder / "case.dl")] + argv
    clean(*run(argv, folder))


@settings(FUZZ, max_examples=max(10, settings.default.max_examples // 5))  # each loads a KB
@given(st.lists(st.one_of(queries_text(), st.sampled_from(
    [".help", ".load case.dl", ".load ../../../../etc/passwd", ".facts pledged", ".limit 2",
     ".asof 2013", ".undo", ".redo", "retract pledged(red, blue).", "why ally(RF, BB)?",
     "why not lone(red)?", "fights(red, blue).", ".format json", ".nonsense", ". "])),
    max_size=6).map("\n".join))
def test_statements_piped_to_the_command_layer_fail_cleanly(folder, statements):
    argv = ["--kb", str(folder / "case.dl"), "--timeout", "20", "-f", "-"]
    clean(*run(argv, folder, statements))


# -- the shell's keystroke aids ------------------------------------------------------------------
@pytest.fixture(scope="module")
def session(folder):
    from allegiance.repl.session import Session

    s = Session.open([str(folder / "case.dl")])
    yield s
    s.close()


@FUZZ
@given(st.one_of(queries_text(), programs_text(), st.sampled_from(
    [".load ", ".facts ", ".help ", "why ", "why not ", "retract ", ".asof ", ".format "]).flatmap(
    lambda start: texts().map(lambda rest: start + rest))))
@example("why " + "p(" * 3000)
@example(".facts \x00\x1b[2J")
def test_the_validator_and_the_completer_take_any_text(session, text):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from prompt_toolkit.validation import ValidationError

    from allegiance.repl.completion import AllegianceCompleter
    from allegiance.repl.validation import AllegianceValidator

    document = Document(text, len(text))
    try:
        AllegianceValidator(session).validate(document)
    except ValidationError as exc:
        assert 0 <= exc.cursor_position <= len(text) and exc.message
    for completion in AllegianceCompleter(session).get_completions(document, CompleteEvent()):
        assert -len(text) <= completion.start_position <= 0
