"""Tab completion: dot commands, predicates (with arity), entities and aliases, file paths.

A prompt_toolkit `Completer` over the session (read at each call, so it follows `.load`).
What it offers depends on where the cursor is: a command name after a leading `.`; the
argument a command takes (from the command table: a path after `.load`, a predicate after
`.facts`, a format after `.format`...); in a statement, a predicate where an atom starts and
an entity or an alias inside the parentheses (the constants already seen in that argument
position first). Nothing is offered inside a string or a comment.
"""

from __future__ import annotations

import re

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from allegiance.lang.lexer import tokenize_lenient
from allegiance.lang.values import Symbol

from .commands import COMMANDS, commands
from .session import Session
from .statements import split

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_STARTERS = ("why", "why not", "retract")
AGGREGATES = ("count : { ", "sum ", "min ", "max ")  # after `=`: an aggregate starts


class AllegianceCompleter(Completer):
    """Completions for what is typed at the prompt."""

    def __init__(self, session: Session):
        self.session = session
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        before = document.text_before_cursor
        statements = split(before)
        current = statements[-1] if statements else None
        if current is not None and current.kind == "command":
            yield from self._command(before.split("\n")[-1].lstrip(), complete_event)
        elif current is not None and current.kind == "unfinished":
            if not _in_string_or_comment(current.text):
                yield from self._statement(current.text)
        else:
            yield from self._statement("")

    # -- dot commands ---------------------------------------------------------------------
    def _command(self, line: str, event: CompleteEvent):
        name, space, arg = line[1:].partition(" ")
        if not space:
            for entry in commands():
                for key in (entry.name, *entry.aliases):
                    if key.startswith(name.lower()):
                        yield Completion("." + key, -len(line), display_meta=entry.help)
            return
        entry = COMMANDS.get(name.lower())
        if entry is not None:
            yield from self._argument(entry.complete, arg.lstrip(), event)

    def _argument(self, kind: str, arg: str, event: CompleteEvent):
        if kind == "path":
            yield from self.paths.get_completions(Document(arg, len(arg)), event)
        elif kind == "predicate":
            for key, meta in self._predicates():
                if key.startswith(arg):
                    yield Completion(key, -len(arg), display_meta=meta)
        elif kind == "command":
            for entry in commands():
                if entry.name.startswith(arg.lstrip(".")):
                    yield Completion(entry.name, -len(arg), display_meta=entry.help)
        elif kind == "collapsed":
            for number in sorted(self.session.collapsed):
                if str(number).startswith(arg):
                    yield Completion(str(number), -len(arg))
        elif kind == "goal":
            yield from self._statement(arg)
        elif kind:
            for choice in kind.split("|"):
                if choice.startswith(arg):
                    yield Completion(choice, -len(arg))

    # -- statements -------------------------------------------------------------------------
    def _statement(self, text: str):
        match = _WORD.search(text)
        word = match.group() if match else ""
        place = _place(text[: len(text) - len(word)])
        if place is None:
            return
        if place == "start":
            for starter in _STARTERS:
                if starter.startswith(word) and word:
                    yield Completion(starter + " ", -len(word), display=starter, display_meta="keyword")
        if place == "value":
            for starter in AGGREGATES:
                if word and starter.startswith(word):
                    yield Completion(starter, -len(word), display=starter.split()[0], display_meta="aggregate")
            return
        if place in ("start", "literal"):
            for key, meta in self._predicates():
                name = key.rsplit("/", 1)[0]
                if name.startswith(word):
                    yield Completion(name + "(", -len(word), display=key, display_meta=meta)
        else:
            yield from self._constants(word, *place)

    def _constants(self, word: str, predicate: str, position: int):
        seen = set()
        for value, meta in self._values(predicate, position):
            if value.startswith(word) and value not in seen:
                seen.add(value)
                yield Completion(value, -len(word), display_meta=meta)
        for alias, entity in sorted(self.session.kb.aliases().items()):
            for name in self._alias_spellings(alias):
                if name.lower().startswith(word.lower()) and word and name not in seen:
                    seen.add(name)
                    yield Completion(name, -len(word), display_meta=f"alias of {entity[0]}")

    def _values(self, predicate: str, position: int):
        """Symbols seen at this argument position of the predicate first, then every entity."""
        facts = self.session.kb.facts()
        here = [f.atom.args[position].value for f in facts if f.atom.predicate == predicate
                and position < len(f.atom.args)]
        everywhere = [a.value for f in facts for a in f.atom.args]
        for value in sorted({v for v in here if isinstance(v, Symbol)}):
            yield value.name, f"{predicate} argument {position + 1}"
        for value in sorted({v for v in everywhere if isinstance(v, Symbol)}):
            yield value.name, "entity"

    def _alias_spellings(self, alias: str):
        """How an alias can be typed in a query: as written in the facts, if it is a name."""
        for fact in self.session.kb.facts("alias/2"):
            text = getattr(fact.atom.args[1].value, "text", "")
            if text.lower() == alias and _NAME.match(text):
                yield text

    def _predicates(self):
        """(name/arity, glossary line) of every predicate a query may use."""
        for key, info in sorted(self.session.kb.checked.predicates.items()):
            if info.is_defined:
                doc = info.decl.get("doc") if info.decl else None
                yield key, (doc.text if doc else ("derived" if info.is_derived else "base"))


def _place(text: str):
    """Where the next word goes: `start` of a statement, a `literal`, an argument
    `(predicate, index)`, or None (after a value, inside a string...)."""
    words = [t for t in tokenize_lenient(text) if t.kind not in ("comment", "eof")]
    depth, predicate, index = 0, "", 0
    for i, token in enumerate(words):
        if token.text == "(" and i and words[i - 1].kind in ("ident", "keyword"):
            depth, predicate, index = 1, words[i - 1].text, 0
        elif token.text == ")":
            depth = 0
        elif token.text == "," and depth:
            index += 1
    last = words[-1] if words else None
    if depth:
        return (predicate, index) if last.text in ("(", ",") else None
    if last is None or (last.kind == "ident" and last.text in ("why", "not", "retract")):
        return "start" if last is None else "literal"
    if last.kind == "keyword" and last.text in ("count", "sum", "min", "max"):
        return None
    if last.kind == "keyword" or last.text in (",", ":-", "{"):
        return "literal"
    return "value" if last.kind == "punct" and last.text == "=" else None


def _in_string_or_comment(text: str) -> bool:
    tokens = [t for t in tokenize_lenient(text) if t.kind != "eof"]
    if not tokens:
        return False
    last = tokens[-1]
    open_string = last.kind == "error" and last.text.startswith('"')
    ends_here = last.span.end_col - 1 == len(text.split("\n")[-1])
    return ends_here and (last.kind == "comment" or open_string)
