"""Running cells: in this process (`run_cell`) or each in a fresh one (`run_isolated`).

A cell is set up, run `warmup` times unreported, then `runs` times. To keep a full run near 20
minutes, the runs of a cell are cut to what fits in CELL_BUDGET seconds (one at least), judged
by the warm-up; a warm-up longer than LONG seconds is kept as the cell's only run. The default
run isolates every cell in its own process: the peak resident memory it reports (`ru_maxrss`,
its own or its children's, whichever is larger) is then the cell's alone, and a baseline that
hangs or runs too long is killed at the time limit without stopping the rest.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import traceback
from importlib import metadata

from .baselines import ROOT, clingo_available
from .cells import Skip, clock
from .workloads import SINGLE_RUN, workload

CELL_BUDGET = 30.0  # seconds of measured runs per cell, at most (but one run at least)
LONG = 15.0  # a warm-up longer than this is kept as the cell's only run


def run_cell(name: str, engine: str, size: int, warmup: int, runs: int) -> dict:
    """Measure one cell here and now; the result as a JSON-ready dict (see `summary`)."""
    result = {"workload": name, "engine": engine, "size": size, "status": "ok"}
    if engine == "clingo" and not clingo_available():
        return result | {"status": "skipped", "note": "clingo is not installed"}
    if engine in SINGLE_RUN:
        warmup, runs = 0, 1
    try:
        cell = workload(name).cells[engine](size, warmup + runs)
    except Skip as exc:
        return result | {"status": "skipped", "note": str(exc)}
    except Exception as exc:  # reported in the table, never hidden
        return result | {"status": "error", "note": _error(exc)}
    try:
        numbered = []  # (run number, sample): cells that cut their runs still compare run by run
        for run in range(warmup):
            start = clock()
            sample = cell.measure(run)
            took = clock() - start
            if took > LONG:  # the warm-up was the run: a second one would cost as much and say no more
                numbered, runs = [(run, sample)], 0
                break
            runs = max(1, min(runs, int(CELL_BUDGET // took)))
        numbered += [(warmup + run, cell.measure(warmup + run)) for run in range(runs)]
    except Exception as exc:
        return result | {"status": "error", "note": _error(exc)}
    finally:
        cell.close()
    return result | summary(numbered, warmup) | {"peak_mb": peak_mb()} | _pydatalog_engine(engine)


def _pydatalog_engine(engine: str) -> dict:
    """For the engines that run pyDatalog, which of its engines ran (see `engine_in_use`)."""
    if engine not in ("allegiance", "pydatalog"):
        return {}
    from .raw_pydatalog import engine_in_use

    return {"pydatalog_engine": engine_in_use()}


def summary(numbered, warmup: int) -> dict:
    """Durations, per-call durations, the digest of each run and the medians of the extras."""
    samples = [sample for _, sample in numbered]
    extra: dict[str, list] = {}
    for sample in samples:
        for key, value in sample.extra.items():
            if value is not None:
                extra.setdefault(key, []).append(value)
    return {"seconds": [s.seconds for s in samples], "calls": [c for s in samples for c in s.calls],
            "digests": {str(run): sample.digest for run, sample in numbered}, "runs": len(samples),
            "warmup": warmup, "extra": {k: sorted(v)[len(v) // 2] for k, v in extra.items()}}


def peak_mb() -> float:
    """The peak resident memory of this process or of its largest child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _error(exc: Exception) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {str(exc)[:200]} ({os.path.basename(where.filename)}:{where.lineno})"


def run_isolated(name: str, engine: str, size: int, warmup: int, runs: int, timeout: float) -> dict:
    """`run_cell` in a fresh Python process, killed after `timeout` seconds."""
    command = [sys.executable, "-m", "benchmarks", "--cell", name, engine, str(size),
               "--warmup", str(warmup), "--runs", str(runs)]
    base = {"workload": name, "engine": engine, "size": size}
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, text=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the cell's own process group, which we started
        process.communicate()
        return base | {"status": "timeout", "note": f"killed after {timeout:.0f} s"}
    lines = out.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return base | {"status": "error", "note": (err.strip().splitlines() or ["no output"])[-1][:200]}


def run_all(workloads, quick: bool, warmup: int, runs: int, timeout: float, isolate: bool = True,
            progress=None) -> list[dict]:
    """Every cell of `workloads`: sizes in order, engines of one size back to back."""
    cells = [(w, size, engine) for w in workloads for size in w.sizes_for(quick) for engine in w.cells]
    results = []
    for number, (w, size, engine) in enumerate(cells, 1):
        if not w.runs_at(engine, size):
            result = {"workload": w.name, "engine": engine, "size": size, "status": "capped",
                      "note": f"run up to {w.caps[engine]} only"}
        elif isolate:
            result = run_isolated(w.name, engine, size, warmup, runs, timeout)
        else:
            result = run_cell(w.name, engine, size, warmup, runs)
        results.append(result)
        if progress:
            progress(number, len(cells), result)
    return results


def machine() -> dict:
    """The machine and software the numbers were measured on."""
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "memory_gb": _memory_gb(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "pydatalog": _version("pyDatalog"),
            "clingo": _version("clingo") or "not installed", "commit": _commit(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str:
    """The commit measured (read-only git), with `+changes` when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}{' +changes' if dirty else ''}" if head else "unknown"
