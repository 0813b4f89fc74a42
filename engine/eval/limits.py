"""Bounds on work: how long a query or an explanation may run and how much it may return.

Sits beside `kb` and `explain`, which both read it. Two kinds of bound, two behaviours:
- a **size** bound (answers of a query; answers, proof nodes, depth, alternatives, candidates of
  an explanation) never raises: the result is cut there and marked partial, with the reason;
- a **time** bound on a query raises `Interrupted` with the reason (no answer is known before
  evaluation ends, and an empty answer would read as "no"); on an explanation it cuts the
  sub-proofs not built yet, and the explanation is marked partial (unless not even the goal's
  answers were found in time: then `why` raises `Interrupted` too).
Either way the knowledge base is left as it was and keeps working. `MAX_DEPTH` caps the depth of
any proof tree, so neither the explainer nor a renderer can exhaust the Python stack.

A time budget may also be set for a whole block (`with time_budget(2): ...`, as the command line's
`--timeout` does): every query and explanation started inside it gets at most that many seconds
(or less, if it asks for less), and the budget records whether one of them ran out.
"""

from __future__ import annotations

import contextvars
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from attrs import define, frozen

from allegiance.eval.backend import Interrupted

MAX_DEPTH = 200  # the deepest proof tree ever built: deeper sub-proofs are cut

__all__ = ["MAX_DEPTH", "Budget", "Deadline", "Interrupted", "OutOfTime", "TimeBudget",
           "answer_limit", "check_count", "check_seconds", "current_budget", "time_budget",
           "time_limit"]


class OutOfTime(Exception):
    """A time budget ran out; raised and caught inside the explainer, where a `Cut` can stand
    instead of what was not built."""


@frozen
class Deadline:
    """A moment on the monotonic clock after which work stops (`None`: never)."""

    at: float | None = None
    seconds: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """The deadline `seconds` from now, or sooner if the block's `time_budget` is smaller
        (`None` and no budget: no deadline)."""
        budget = _BUDGET.get()
        if budget is not None and (seconds is None or budget.seconds < seconds):
            seconds = budget.seconds
        if seconds is None:
            return cls()
        check_seconds(seconds)
        return cls(time.monotonic() + seconds, seconds)

    def reached(self) -> str:
        """The reason to give now that the deadline has passed (the block's budget notes it)."""
        budget = _BUDGET.get()
        if budget is not None and budget.seconds == self.seconds:
            budget.reached = True
        return self.reason

    @property
    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    @property
    def reason(self) -> str:
        return time_limit(self.seconds)


class Budget:
    """What an explanation being built may still spend (time, proof nodes) and every bound it
    has reached so far (`partial`)."""

    def __init__(self, seconds: float | None, nodes: int):
        self.deadline = Deadline.after(seconds)
        self.nodes, self.built = nodes, 0
        self.reasons: dict[str, None] = {}  # in the order they were reached

    def reached(self, reason: str) -> str:
        """Notes that a bound was reached; returns `reason`."""
        self.reasons[reason] = None
        return reason

    def partial(self) -> str | None:
        """Every bound reached, or None: the result is complete."""
        return "; ".join(self.reasons) or None

    def check(self) -> None:
        """OutOfTime once the time is out."""
        if self.deadline.expired:
            raise OutOfTime

    def spend(self) -> bool:
        """Counts one node; False when the node budget is spent."""
        self.built += 1
        return self.built <= self.nodes

    def within(self, ask, *args):
        """`ask(*args, timeout=<the time left>)`; OutOfTime when that runs out (a Ctrl-C still
        raises `Interrupted`: the whole explanation stops)."""
        try:
            return ask(*args, timeout=self.deadline.remaining())
        except Interrupted:
            if self.deadline.expired:
                raise OutOfTime from None
            raise


@define
class TimeBudget:
    """The time each evaluation of a block may take, and whether one of them ran out."""

    seconds: float
    reached: bool = False


_BUDGET: contextvars.ContextVar[TimeBudget | None] = contextvars.ContextVar("time_budget", default=None)


def current_budget() -> TimeBudget | None:
    """The time budget of the enclosing `time_budget` block, if any."""
    return _BUDGET.get()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[TimeBudget | None]:
    """Within the block, each query or explanation runs for at most `seconds` (None: no bound)."""
    if seconds is None:
        yield None
        return
    budget = TimeBudget(check_seconds(seconds))
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def check_seconds(seconds) -> float:
    """`seconds` as a time bound; ValueError unless it is a finite number, at least zero (a
    deadline of zero seconds has passed already)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"a time limit is a number of seconds, not {seconds!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a time limit must be a number of seconds of at least 0, not {seconds}")
    return float(seconds)


def check_count(count, what: str) -> int:
    """`count` as a size bound; ValueError unless it is a whole number of at least 1."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"a limit on {what} must be a whole number of at least 1, not {count!r}")
    return count


def time_limit(seconds: float | None) -> str:
    """The reason given when a time limit is reached: `time limit of 2 s reached`."""
    shown = "?" if seconds is None else f"{seconds:g}"
    return f"time limit of {shown} s reached"


def answer_limit(shown: int, total: int) -> str:
    """The reason given when a query has more answers than its limit allows."""
    return f"answer limit reached: only the first {shown} of {total} answers"
