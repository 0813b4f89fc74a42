"""A pytest plugin: a knowledge base's declared properties as tests, and `assert_properties`.

Registered through the `pytest11` entry point, so it is active wherever allegiance is
installed, and idle until asked: `pytest --allegiance-kb kb` (repeatable, like `--kb`) adds one
test per declared property; `--allegiance-examples N` sets the cases per property and mode.
Any test may also call `assert_properties(paths)`. A failing property fails its test with the
report `allegiance test` prints: the shrunk counterexample as `.dl` text and the `why` of the
conclusion that breaks it. When `CI` is set, the cases drawn are the same on every run.
Importing this module is cheap: the engine and Hypothesis are imported only when a check runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import pytest

CI_EXAMPLES, DEFAULT_EXAMPLES = 10, 25  # as `property_checks` (not imported: it is heavy)


class PropertiesFailed(AssertionError):
    """One or more declared properties fail; the message is the full report."""


def assert_properties(paths: Sequence[str], examples: int | None = None,
                      select: Callable | None = None, seed: int | None = None) -> int:
    """Check the declared properties (those `select` picks) of the knowledge base at `paths`;
    the number of cases when all hold, PropertiesFailed with every counterexample otherwise."""
    from allegiance.eval.kb import read_program
    from allegiance.testing.checks import check_properties, explain_violation, reproduction
    from allegiance.render.properties import failure_text, summary_line

    program = read_program(paths)
    in_ci = bool(os.environ.get("CI"))
    report = check_properties(program, examples or (CI_EXAMPLES if in_ci else DEFAULT_EXAMPLES),
                              seed, derandomize=in_ci and seed is None, select=select)
    if report.holds:
        return report.cases
    how = reproduction(paths, program)
    texts = [failure_text(o, explain_violation(o, program), how) for o in report.failures]
    raise PropertiesFailed("\n\n".join([*texts, summary_line(report)]))


def pytest_addoption(parser) -> None:
    group = parser.getgroup("allegiance", "allegiance knowledge-base properties")
    group.addoption("--allegiance-kb", action="append", default=[], metavar="PATH",
                    help="check the properties this knowledge base declares (file or folder; "
                         "repeatable)")
    group.addoption("--allegiance-examples", type=int, default=None, metavar="N",
                    help=f"cases per property and mode (default: {DEFAULT_EXAMPLES}; "
                         f"{CI_EXAMPLES} when CI is set)")


def pytest_collection_modifyitems(session, config, items) -> None:
    paths = config.getoption("allegiance_kb", default=None)
    if not paths:
        return
    from allegiance.lang.diagnostics import AllegianceError
    from allegiance.eval.kb import read_program
    from allegiance.testing.properties import CHECKED

    try:
        program = read_program(paths)
    except AllegianceError as exc:
        items.append(PropertyItem.from_parent(session, name="allegiance-kb", paths=paths,
                                              decl=None, problem=exc))
        return
    for decl in program.properties:
        if decl.kind in CHECKED:
            items.append(PropertyItem.from_parent(session, name=f"property {_label(decl)}",
                                                  paths=paths, decl=decl))


class PropertyItem(pytest.Item):
    """One declared property of the knowledge base at `paths`, as a test."""

    def __init__(self, *, paths, decl, problem=None, **kwargs):
        super().__init__(**kwargs)
        self.paths, self.decl, self.problem = list(paths), decl, problem

    def runtest(self) -> None:
        if self.problem is not None:
            raise self.problem
        examples = self.config.getoption("allegiance_examples", default=None)
        assert_properties(self.paths, examples, select=lambda d: d == self.decl)

    def repr_failure(self, excinfo, style=None):
        from allegiance.lang.diagnostics import AllegianceError, render_all

        if isinstance(excinfo.value, PropertiesFailed):
            return str(excinfo.value)
        if isinstance(excinfo.value, AllegianceError):
            return render_all(excinfo.value.diagnostics)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.paths[0], None, self.name


def _label(decl) -> str:
    from allegiance.render.properties import property_label

    return property_label(decl)
