"""The protocol of a measurement cell, and the set-up the cells share.

A cell is one engine on one workload at one size. Its constructor sets the task up (untimed:
loading a knowledge base, generating data) for `runs` runs, warm-up included; `measure(run)`
then times run number `run` and returns a `Sample`: one duration, or for latency workloads one
duration per call, with a digest of the answers so that the runner can check that the engines
agree. The run number picks fresh queries where an answer cache would otherwise answer them.
"""

from __future__ import annotations

import atexit
import datetime
import functools
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from typing import TYPE_CHECKING

from attrs import field, frozen


from allegiance.lang.parse import parse_program
from allegiance.lang.syntax import Program

from . import generate as gen
from .baselines import ROOT, text_of
from .raw_pydatalog import Worker

if TYPE_CHECKING:
    from allegiance.eval.kb import KnowledgeBase

RULES = ROOT / "kb" / "rules"
clock = time.perf_counter


@frozen
class Sample:
    """One measured run: its duration, or one duration per call, and a digest of its answers."""

    seconds: float
    calls: tuple[float, ...] = ()
    digest: str | None = None
    extra: dict = field(factory=dict)  # other durations measured in the same run, by name


class Cell:
    """An engine on a workload at one size; set up in __init__, measured by `measure`."""

    def __init__(self, size: int, runs: int):
        self.size, self.runs = size, runs

    def measure(self, run: int) -> Sample:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Skip(Exception):
    """A cell that cannot run here (a missing command or library); the reason is reported."""


class PyDatalogCell(Cell):
    """A cell whose pyDatalog logic lives in one worker thread for the whole cell."""

    def __init__(self, size: int, runs: int):
        super().__init__(size, runs)
        self.worker = Worker()

    def close(self) -> None:
        self.worker.close()


# -- shared set-up ---------------------------------------------------------------------------
_TEMP = Path(tempfile.mkdtemp(prefix="allegiance-bench-"))
atexit.register(shutil.rmtree, _TEMP, True)


@functools.cache
def case_file(groups: int) -> Path:
    """The synthetic case of `groups` groups, written once per process."""
    path = _TEMP / f"case{groups}.dl"
    path.write_text(gen.expert_case(groups), encoding="utf-8")
    return path


def knowledge_base() -> type[KnowledgeBase]:
    """allegiance's `KnowledgeBase`, imported on first use. Importing it installs allegiance's
    interruptible (pure-Python) pyDatalog engine, so a cell of raw pyDatalog, which never calls
    this, runs on pyDatalog's own compiled engine in its own process."""
    from allegiance.eval.kb import KnowledgeBase

    return KnowledgeBase


@functools.cache
def case_program(groups: int):
    """The shipped rules and the synthetic case, parsed (for the baselines) by the parser alone:
    the loader of `allegiance.eval.kb` would bring allegiance's pyDatalog engine with it."""
    files = [*sorted(p for p in RULES.rglob("*.dl") if p.is_file()), case_file(groups)]
    return sum((parse_program(f.read_text(encoding="utf-8"), str(f)) for f in files), Program())


def load_case(groups: int) -> KnowledgeBase:
    """The shipped rules and the synthetic case of `groups` groups, as of the benchmark day."""
    return knowledge_base().from_paths([RULES, case_file(groups)], as_of=gen.DAY)


def forget(kb: KnowledgeBase) -> None:
    """Drop every cached answer and materialised stratum (untimed): move the day and back."""
    kb.set_as_of(gen.DAY + datetime.timedelta(days=1))
    kb.set_as_of(gen.DAY)


def rows_text(rows) -> set[tuple]:
    """Answer rows of the engine as tuples of strings (see `baselines.text_of`)."""
    return {tuple(text_of(v) for v in row) for row in rows}


def timed(fn):
    """(seconds, result) of calling `fn()`."""
    start = clock()
    result = fn()
    return clock() - start, result


def chunk(items: list, run: int, per_run: int) -> list:
    """The items of run number `run`, `per_run` of them."""
    return items[run * per_run:(run + 1) * per_run]


def median(values):
    """The median, or None for no values."""
    return statistics.median(values) if values else None
