"""Untrusted text is only ever read: injection payloads in every place text enters the engine.

Payloads (Python expressions, dunder access, format-string tricks, shell syntax, pyDatalog's own
text syntax, terminal escapes, bidirectional overrides) go into KB files, queries, asserted facts,
aliases, strings, source titles, sentence templates, command-line arguments and paths. Each one
is rejected with a positioned error or stored and printed inertly. Two canaries prove that
nothing ran: a file that any executed payload would create, and a guard that fails the test if
`eval`, `exec`, `compile` or pyDatalog's text interface is called at all while a payload is
handled. Output never carries a raw terminal escape or bidirectional override. A last group
scans the source for the calls that could execute text.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from allegiance.lang.diagnostics import AllegianceError, LoadError, ParseError, QueryError, render_all
from allegiance.explain.why import why
from allegiance.eval.kb import KnowledgeBase, expand_paths, read_program
from allegiance.render.answers import answer_json, answer_text, dumps
from allegiance.render.dot import explanation_dot
from allegiance.render.json import explanation_json
from allegiance.render.text import explanation_prose, explanation_tree
from allegiance.explain.sentences import Vocabulary
from allegiance.lang.values import String, quote
from allegiance.repl.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = [
    pytest.param("__import__('os').system('touch {canary}')", id="import-system"),
    pytest.param("open('{canary}', 'w').write('pwned')", id="open"),
    pytest.param("exec(\"open('{canary}','w')\")", id="exec"),
    pytest.param("eval(compile('open(\"{canary}\",\"w\")', 'x', 'exec'))", id="eval-compile"),
    pytest.param("().__class__.__base__.__subclasses__()", id="dunder-walk"),
    pytest.param("{0.__class__.__init__.__globals__}", id="format-globals"),
    pytest.param("{self.__dict__!r:>{width}}", id="format-nested"),
    pytest.param("%s%n%x%(password)s", id="percent-format"),
    pytest.param("$(touch {canary}) `touch {canary}` ${{IFS}}", id="shell"),
    pytest.param("+ p(1)\nq(X) <= p(X)\nprint(q(X))", id="pydatalog-text"),
    pytest.param("lambda: __import__('os').system('touch {canary}')", id="lambda"),
    pytest.param("\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1m", id="terminal-escapes"),
    pytest.param("\u202eld.exe\u2066\u2028next", id="bidi-override"),
    pytest.param("\\u{1b}[31m \\\" \\\\ {{A}} }}", id="escaped-escapes"),
]
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
BASE = """\
source s {title: "A report", author: "A. Writer"}.
predicate ally(A, B) {doc: "A and B are allies", holds: "{A} and {B} are allies"}.
group(red) @s.
group(blue) @s.
alias(red, "RF") @s.
pledged(red, blue) @s.
ally(A, B) :- pledged(A, B).
friend(A) :- ally(A, _).
"""


@pytest.fixture
def canary(tmp_path, monkeypatch) -> Path:
    """A file any executed payload would create; also an environment variable naming it."""
    path = tmp_path / "pwned"
    monkeypatch.setenv("ALLEGIANCE_CANARY", str(path))
    yield path
    assert not path.exists(), "a payload was executed"
    assert os.environ["ALLEGIANCE_CANARY"] == str(path)


@contextmanager
def nothing_executes():
    """Fails the test if, inside the block (on any thread), the project's code calls `eval`,
    `exec` or `compile`, anything executes text holding the canary's name, or pyDatalog's text
    interface is called at all. (Python's imports and the libraries' own generated code, such as
    `namedtuple`'s, still run: they execute no text of ours.)"""
    from allegiance.eval.backend import pyDatalog, pyParser

    called: list[str] = []
    project = (str(ROOT / "engine"), str(ROOT / "repl"))

    def forbid(name, real, always=False):
        def guard(*args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            text = args[0] if args and isinstance(args[0], (str, bytes)) else ""
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            if always or caller.startswith(project) or "pwned" in text:
                called.append(f"{name} from {caller}")
            return real(*args, **kwargs)
        return guard

    patched = [(builtins, "eval"), (builtins, "exec"), (builtins, "compile"),
               (pyDatalog, "load"), (pyDatalog, "ask"), (pyParser, "load")]
    saved = [(owner, name, getattr(owner, name)) for owner, name in patched if hasattr(owner, name)]
    for owner, name, real in saved:
        label = f"{getattr(owner, '__name__', owner)}.{name}"
        setattr(owner, name, forbid(label, real, always=owner is not builtins))
    try:
        yield
    finally:
        for owner, name, real in saved:
            setattr(owner, name, real)
    assert called == [], f"text was executed through {called}"


def inert(text: str) -> None:
    """Output shows no raw control character, escape sequence or bidirectional override."""
    assert not HIDDEN.search(text), repr(HIDDEN.search(text).group())


def assert_positioned(exc: AllegianceError, file: str | None = None) -> None:
    assert exc.diagnostics
    for d in exc.diagnostics:
        assert d.span is not None and d.span.line >= 1 and d.span.col >= 1, d
        if file is not None:
            assert d.span.file == file
    inert(render_all(exc.diagnostics))


def fill(payload: str, canary: Path) -> str:
    return payload.replace("{canary}", str(canary))


# -- KB files --------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_raw_kb_text_is_rejected_with_positions(payload, canary, tmp_path):
    path = tmp_path / "hostile.dl"
    path.write_text(BASE + fill(payload, canary) + ".\n", encoding="utf-8")
    with nothing_executes():
        try:
            KnowledgeBase.from_paths([path]).close()
        except LoadError as exc:
            assert_positioned(exc, str(path))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_every_string_of_a_kb_is_stored_and_printed_inertly(payload, canary):
    text = fill(payload, canary)
    literal = quote(text.replace("{", "{{").replace("}", "}}"))  # as a template: no placeholder
    kb_text = BASE + f"""
source evil {{title: {quote(text)}, author: {quote(text)}, url: {quote(text)}}}.
predicate said(G, T) {{doc: {literal}, holds: "{{G}} said “{{T}}”", fails: {literal}}}.
alias(blue, {quote(text)}) @evil.
said(red, {quote(text)}) @evil.
"""
    with nothing_executes(), KnowledgeBase.from_text(kb_text, "hostile.dl") as kb:
        answer = kb.ask("said(red, T)?")
        assert answer.rows == ((String(text),),)
        shown = answer_text(answer) + dumps(answer_json(answer))
        inert(shown)
        assert json.loads(dumps(answer_json(answer)))["answers"][0]["T"]["value"] == text
        vocab = Vocabulary.of(kb)
        for goal in ("said(red, T)", "said(blue, T)", "ally(red, B)", "ally(blue, red)"):
            expl = why(kb, goal)
            rendered = [explanation_tree(expl, vocab).text, explanation_prose(expl, vocab),
                        dumps(explanation_json(expl, vocab)), explanation_dot(expl, vocab)]
            for out in rendered:
                inert(out)


@pytest.mark.parametrize("template", [
    pytest.param("{0.__class__}", id="positional"),
    pytest.param("{A.__class__.__init__.__globals__}", id="attribute"),
    pytest.param("{A!r}", id="conversion"),
    pytest.param("{A:>{B}}", id="nested-spec"),
    pytest.param("{A[0]}", id="index"),
    pytest.param("{__builtins__}", id="builtins"),
    pytest.param("{A", id="unclosed"),
    pytest.param("A}", id="stray-close"),
])
def test_a_template_with_a_format_string_trick_is_a_positioned_error(template, canary):
    decl = f"predicate rel(A, B) {{holds: {quote(template)}}}.\nrel(a, b).\n"
    with nothing_executes(), pytest.raises(LoadError) as caught:
        KnowledgeBase.from_text(decl, "t.dl")
    assert_positioned(caught.value, "t.dl")
    assert any(d.code == "template" for d in caught.value.diagnostics)


def test_escaped_braces_and_values_that_look_like_placeholders_print_literally(canary):
    kb_text = ('predicate rel(A, B) {holds: "{{0.__class__}} {A} and {{B}} {B}"}.\n'
               'rel(a, "{0.__class__} {A} %s \\u{1b}[2J").\n')
    with nothing_executes(), KnowledgeBase.from_text(kb_text) as kb:
        text = explanation_tree(why(kb, "rel(a, X)"), Vocabulary.of(kb)).text
    assert "{0.__class__} a and {B} {0.__class__} {A} %s \\u{1b}[2J" in text
    inert(text)


# -- queries, asserted facts, aliases --------------------------------------------------------
@pytest.fixture(scope="module")
def kb():
    with KnowledgeBase.from_text(BASE, "base.dl") as kb:
        yield kb


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_as_a_query_or_a_fact_is_rejected_with_positions(payload, canary, kb):
    text = fill(payload, canary)
    with nothing_executes():
        for attempt in (kb.ask, kb.tell, kb.retract, lambda t: why(kb, t)):
            try:
                attempt(text)
            except (ParseError, QueryError) as exc:
                assert_positioned(exc)
        assert kb.ask("ally(X, Y)?").rows  # the knowledge base is unchanged and working


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_asserted_in_a_string_is_stored_inertly_and_can_be_withdrawn(payload, canary):
    text = fill(payload, canary)
    with nothing_executes(), KnowledgeBase.from_text(BASE) as kb:
        assert kb.tell(f"alias(blue, {quote(text)}) @s.")
        assert kb.tell(f"note(red, {quote(text)}).")
        assert kb.ask("note(red, T)?").rows == ((String(text),),)
        assert text.lower() in kb.aliases()
        assert kb.ask("ally(RF, X)?").holds  # the other aliases still resolve
        inert(answer_text(kb.ask("alias(X, N)?")))
        inert(explanation_tree(why(kb, "ally(red, blue)"), Vocabulary.of(kb)).text)
        assert kb.retract(f"note(red, {quote(text)}).")
        assert kb.facts("note/2") == []


def test_an_alias_is_matched_as_a_whole_name_only(canary):
    kb_text = BASE + 'alias(blue, "X) :- evil(X").\nalias(blue, "__class__").\n'
    with KnowledgeBase.from_text(kb_text) as kb:
        answer = kb.ask("pledged(red, __class__)?")  # `_` names are variables, never aliases
        assert answer.holds and answer.resolutions == () and answer.variables == ("__class__",)
        with pytest.raises(ParseError) as caught:
            kb.ask('pledged(red, X) :- evil(X)?')
        assert_positioned(caught.value)


# -- REPL lines ------------------------------------------------------------------------------
REPL_LINES = ["{p}?", "why {p}?", "why not {p}?", "{p}.", "retract {p}.", ".{p}", ".help {p}",
              ".load {p}", ".facts {p}", ".rules {p}", ".predicates {p}", ".sources {p}",
              ".asof {p}", ".format {p}", ".limit {p}", ".depth {p}", ".expand {p}",
              ".timer {p}", ".assume {p}.", ".flip {p}", ".critical {p}", ".sensitivity {p}"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_typed_at_the_repl_is_refused_or_shown_inertly(payload, canary, kb_file,
                                                                 monkeypatch):
    from allegiance.repl.commands import execute
    from allegiance.repl.session import Session

    monkeypatch.chdir(kb_file.parent)  # a stray write would land here, beside the canary
    text = fill(payload, canary)
    session = Session.open([str(kb_file)])
    try:
        with nothing_executes():
            for line in REPL_LINES:
                shown = execute(session, line.replace("{p}", text)).text
                inert(shown)
                assert "internal error" not in shown and "Traceback" not in shown, (line, shown)
            execute(session, ".drop")  # leave a what-if layer an `.assume` may have opened
            assert session.paths == [str(kb_file)]  # `.load` of a payload loaded nothing
            assert execute(session, "ally(RF, B)?").text.endswith("B = blue.\n1 answer.")
    finally:
        session.close()


@pytest.mark.parametrize("path", ["../../../../../../etc/passwd", "/dev/zero", "/etc", "~"])
def test_a_path_traversal_in_repl_load_is_refused_and_changes_nothing(path, kb_file, monkeypatch):
    from allegiance.repl.commands import execute
    from allegiance.repl.session import Session

    monkeypatch.chdir(kb_file.parent)
    with nothing_executes():
        session = Session.open([str(kb_file)])
        try:
            execute(session, "group(green).")
            before = (session.counts(), session.unsaved)
            result = execute(session, f".load {path}")
            assert result.failed and "error" in result.text and "Traceback" not in result.text
            inert(result.text)
            assert session.paths == [str(kb_file)] and (session.counts(), session.unsaved) == before
            assert execute(session, "group(green)?").text == "yes."
        finally:
            session.close()


def test_a_file_name_with_escapes_is_shown_inertly_by_the_repl(tmp_path):
    from allegiance.repl.commands import execute
    from allegiance.repl.session import Session
    from allegiance.repl.shell import banner, toolbar_text

    plain, hostile = tmp_path / "plain.dl", tmp_path / "evil\x1b]0;x\x07\u202e.dl"
    plain.write_text(BASE, encoding="utf-8")
    hostile.write_text("group(green).\n", encoding="utf-8")
    session = Session.open([str(plain)])
    try:
        replies = [execute(session, line).text for line in (
            f".load '{hostile}'", "group(black).", f".save '{hostile}'", ".reload")]
        assert "loaded" in replies[0] and "saved 1 asserted fact" in replies[2]
        for shown in [*replies, banner(session), toolbar_text(session)]:
            inert(shown)
    finally:
        session.close()


# -- diagnostics -----------------------------------------------------------------------------
def test_a_diagnostic_never_prints_raw_escapes_from_file_names_or_text(tmp_path):
    name = tmp_path / "evil\x1b[2J\u202e.dl"
    name.write_text("p(a) :- \x1b[31m q(a).\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_paths([name])
    assert_positioned(caught.value)
    with pytest.raises(LoadError) as missing:
        KnowledgeBase.from_paths([tmp_path / "gone\x1b[2J.dl"])
    inert(render_all(missing.value.diagnostics))


def test_a_very_long_line_is_shown_as_a_window_around_the_error():
    line = "p(" + "a, " * 50_000 + "X) :- q(a)."
    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_text(line)
    rendered = render_all(caught.value.diagnostics)
    assert max(len(row) for row in rendered.splitlines()) < 1_000
    excerpt, caret = rendered.splitlines()[1:3]
    assert excerpt.startswith("1 | …") and excerpt[caret.index("^")] == "X"


# -- paths -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    pytest.param("../../../../../../etc/passwd", id="traversal-to-passwd"),
    pytest.param("{tmp}", id="folder-without-dl"),
    pytest.param("/dev/null/../x", id="through-a-device"),
    pytest.param("does/not/exist.dl", id="missing"),
    pytest.param("a" * 5000 + ".dl", id="name-too-long"),
    pytest.param("nul\x00byte.dl", id="nul-byte"),
])
def test_loading_a_hostile_path_is_a_clean_load_error(path, canary, tmp_path):
    with nothing_executes(), pytest.raises(LoadError) as caught:
        read_program([path.replace("{tmp}", str(tmp_path))])
    rendered = render_all(caught.value.diagnostics)
    assert rendered and "Traceback" not in rendered
    inert(rendered)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_never_read(device):
    """Reading /dev/zero would never end: only regular files are read (checked before reading,
    so that a regression fails here rather than filling the memory)."""
    found: list = []
    assert expand_paths([device], found) == []
    assert [d.message for d in found] == [f"`{device}` is not a regular file"]


def test_loading_a_named_pipe_does_not_block(tmp_path):
    pipe = tmp_path / "pipe.dl"
    os.mkfifo(pipe)
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(_load_error(pipe)), daemon=True)
    thread.start()
    thread.join(60)
    assert outcome and "not a regular file" in outcome[0]


def _load_error(path) -> str:
    try:
        read_program([path])
    except LoadError as exc:
        return render_all(exc.diagnostics)
    return ""


def test_a_broken_file_leaves_nothing_loaded_and_names_every_problem(tmp_path):
    good, bad = tmp_path / "good.dl", tmp_path / "bad.dl"
    good.write_text(BASE, encoding="utf-8")
    bad.write_text("ally(X) :- .\n__import__('os').\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        KnowledgeBase.from_paths([good, bad])
    assert {d.span.line for d in caught.value.diagnostics} == {1, 2}


# -- the command line ------------------------------------------------------------------------
def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err, io.StringIO())
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def kb_file(tmp_path) -> Path:
    path = tmp_path / "case.dl"
    path.write_text(BASE, encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_any_argument_is_a_clean_usage_or_load_error(payload, canary, kb_file):
    text = fill(payload, canary)
    calls = [
        (("--kb", str(kb_file), "query", text), {2}),
        (("--kb", str(kb_file), "why", text), {2}),
        (("--kb", str(kb_file), "query", f"pledged(red, {quote(text)})?"), {1}),
        (("--kb", text, "query", "group(X)?"), {3}),
        (("--kb", str(kb_file), "--as-of", text, "query", "group(X)?"), {2}),
        (("--kb", str(kb_file), "--format", text, "query", "group(X)?"), {2}),
        (("--kb", str(kb_file), "--timeout", text, "query", "group(X)?"), {2}),
        (("--kb", str(kb_file), text), {2}),
        (("--kb", str(kb_file), "check", text), {3}),
    ]
    with nothing_executes():
        for argv, codes in calls:
            code, out, err = run_cli(*argv)
            assert code in codes, (argv, code, err)
            assert "Traceback" not in out + err and "internal error" not in err, err
            inert(out + err)


def test_a_path_traversal_on_the_command_line_is_a_load_error(canary):
    code, out, err = run_cli("--kb", "../../../../../../../../etc/passwd", "query", "p(X)?")
    assert code == 3 and "error" in err and "Traceback" not in err
    code, _, err = run_cli("check", "/dev/null")
    assert code == 3 and "not a regular file" in err


# -- the code itself ---------------------------------------------------------------------------
SOURCES = sorted(p for folder in ("engine", "repl") for p in (ROOT / folder).rglob("*.py"))
EXECUTES = {"eval", "exec", "compile", "__import__", "execfile", "runpy", "system", "popen",
            "spawnl", "spawnv", "Popen", "run_path", "run_module", "loads"}
TEXT_INTERFACE = {"load", "ask", "program", "create_terms", "create_atoms"}
DATALOG_MODULES = {"pyDatalog", "pyParser", "pyEngine", "Logic"}
FORMATTERS = {"format", "format_map"}


def _attribute_uses(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            yield owner, node.attr, node.lineno
        elif isinstance(node, ast.Name):
            yield None, node.id, node.lineno


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_reaches_eval_exec_or_the_pydatalog_text_interface(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for owner, name, line in _attribute_uses(tree):
        if name in EXECUTES and owner in (None, "builtins", "os", "subprocess", "runpy", "pickle", "marshal"):
            if not (name == "loads" and owner not in ("pickle", "marshal")):
                pytest.fail(f"{path.name}:{line} uses {owner or ''}{'.' if owner else ''}{name}")
        if owner in DATALOG_MODULES and name in TEXT_INTERFACE:
            pytest.fail(f"{path.name}:{line} uses {owner}.{name}, which executes text")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_constant_text_is_ever_a_format_string(path):
    """`str.format` on text from a KB would expose attributes (`{0.__class__}`): the template
    of every `.format` call is a literal or an upper-case module constant (templates from a KB
    are read by `declarations.scan_template`, never formatted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in FORMATTERS:
            receiver = node.func.value
            literal = isinstance(receiver, ast.Constant) and isinstance(receiver.value, str)
            constant = isinstance(receiver, ast.Name) and (receiver.id.isupper() or receiver.id in constants)
            reviewed = isinstance(receiver, ast.Name) and (path.name, receiver.id) in REVIEWED
            assert literal or constant or reviewed, f"{path.name}:{node.lineno} formats `{ast.unparse(receiver)}`"


# Format strings held in variables, each checked by hand: its text is always a literal of ours.
REVIEWED = {("commands.py", "done")}


def test_the_scanners_see_what_they_forbid():
    tree = ast.parse("import os\nos.system('x')\neval('1')\npyDatalog.load('+ p(1)')\nT.format(x)\n")
    uses = {(owner, name) for owner, name, _ in _attribute_uses(tree)}
    assert {("os", "system"), (None, "eval"), ("pyDatalog", "load")} <= uses
