"""The Markdown report: the machine, one table of medians and ratios, targets, growth exponents.

Reads the results of `runner` (dicts) and makes text only. A time is the median of the runs; a
latency workload shows the p50 and p95 of its calls. A baseline's column shows its own time and,
in brackets, allegiance's time divided by it (×2.0: allegiance took twice as long). A growth
exponent is the least-squares slope of log time against log size.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from .workloads import ENGINES

TITLES = {"allegiance": "allegiance", "pydatalog": "raw pyDatalog", "oracle": "oracle",
          "clingo": "clingo", "seminaive": "semi-naive Python"}
START, END = "<!-- results:start -->", "<!-- results:end -->"


# -- numbers -------------------------------------------------------------------------------------
def percentile(values, fraction: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def value(result: dict | None) -> float | None:
    """The headline duration of a result: p50 of the calls, or the median run."""
    if not result or result.get("status") != "ok":
        return None
    if result.get("calls"):
        return percentile(result["calls"], 0.5)
    return percentile(result["seconds"], 0.5) if len(result["seconds"]) % 2 else _median(result["seconds"])


def p95(result: dict | None) -> float | None:
    if not result or result.get("status") != "ok" or not result.get("calls"):
        return None
    return percentile(result["calls"], 0.95)


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def slope(points) -> float | None:
    """The least-squares slope of log y against log x, over points with both positive."""
    points = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def ratio(a: float | None, b: float | None) -> str:
    return f"×{a / b:.2g}" if a and b else "—"


# -- tables --------------------------------------------------------------------------------------
def index(results) -> dict:
    return {(r["workload"], r["engine"], r["size"]): r for r in results}


def cell_text(result: dict | None, reference: float | None = None) -> str:
    if result is None:
        return ""
    status = result.get("status")
    if status != "ok":
        return status
    shown = duration(value(result))
    if result.get("calls"):
        shown += f" / {duration(p95(result))}"
    if reference is not None:
        shown += f" ({ratio(reference, value(result))})"
    if result.get("runs", 0) < 3 and result["engine"] != "oracle":
        shown += f" [{result['runs']}]"
    return shown


def agreement(results: list[dict]) -> str:
    """✓ when the engines gave the same answers, run for run (or in every run, when each engine's
    answers did not change from run to run); ✗ and the engines that differ from allegiance."""
    answers = {r["engine"]: r["digests"] for r in results
               if r.get("status") == "ok" and r.get("digests") and None not in r["digests"].values()}
    if len(answers) < 2:
        return ""
    if all(len(set(d.values())) == 1 for d in answers.values()):
        compared = {e: set(d.values()) for e, d in answers.items()}
    else:
        common = set.intersection(*(set(d) for d in answers.values()))
        if not common:
            return ""
        compared = {e: {run: d[run] for run in common} for e, d in answers.items()}
    if len({repr(v) for v in compared.values()}) == 1:
        return "✓"
    first = compared.get("allegiance", next(iter(compared.values())))
    return "✗ " + ", ".join(e for e, v in compared.items() if v != first)


def results_table(results, workloads) -> str:
    found = index(results)
    engines = [e for e in ENGINES if any(r["engine"] == e for r in results)]
    head = ["workload", "size"] + [TITLES[e] for e in engines] + ["peak MB", "agree"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in workloads:
        for size in sorted({r["size"] for r in results if r["workload"] == w.name}):
            row = [found.get((w.name, e, size)) for e in engines]
            mine = value(found.get((w.name, "allegiance", size)))
            cells = [cell_text(r, None if e == "allegiance" else mine) for e, r in zip(engines, row)]
            peaks = [f"{r['peak_mb']:.0f}" for r in row if r and r.get("status") == "ok" and "peak_mb" in r]
            label = f"{size:,} {w.unit}" if w.unit else "article"
            lines.append("| " + " | ".join([w.name, label] + cells + [" / ".join(peaks[:2]),
                                                                       agreement([r for r in row if r])]) + " |")
    return "\n".join(lines)


def exponents_table(results, workloads) -> str:
    found = index(results)
    engines = [e for e in ENGINES if any(r["engine"] == e for r in results)]
    head = ["workload", "sizes"] + [TITLES[e] for e in engines] + ["allegiance at 10× the largest size"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in workloads:
        sizes = sorted({r["size"] for r in results if r["workload"] == w.name})
        if len(sizes) < 2:
            continue
        row, prediction = [], "—"
        for engine in engines:
            points = [(s, value(found.get((w.name, engine, s)))) for s in sizes]
            k = slope(points)
            row.append("" if k is None else f"{k:.2f}")
            measured = [(s, v) for s, v in points if v]
            if engine == "allegiance" and k is not None and measured:
                s, v = measured[-1]
                prediction = f"{duration(v * 10 ** k)} at {10 * s:,} {w.unit}"
        lines.append("| " + " | ".join([w.name, ", ".join(f"{s:,}" for s in sizes)] + row + [prediction]) + " |")
    return "\n".join(lines)


def machine_text(info: dict, mode: str) -> str:
    cores = f"{info['cores']} cores" + (f" ({info['usable_cores']} usable)" if info["usable_cores"] != info["cores"] else "")
    return (f"Measured {info['date']} on {info['cpu']}, {cores}, {info['memory_gb']} GB, {info['system']}; "
            f"Python {info['python']}, pyDatalog {info['pydatalog']}, clingo {info['clingo']}; "
            f"commit {info['commit']}. Load average at the start {info['load_average'][0]}, "
            f"at the end {info.get('load_average_end', ['?'])[0]}. {mode}")


def engines_text(results) -> str:
    """Which pyDatalog engine each column ran on, counted over the cells that ran."""
    parts = []
    for engine in ("pydatalog", "allegiance"):
        kinds = sorted({r["pydatalog_engine"] for r in results if r.get("engine") == engine and "pydatalog_engine" in r})
        if kinds:
            parts.append(f"{TITLES[engine]} ran on pyDatalog's {' and '.join(kinds)} engine")
    return ("; ".join(parts) + ".") if parts else ""


def report(results, workloads, info: dict, mode: str, targets_text: str) -> str:
    """The whole Markdown report."""
    return "\n\n".join([
        machine_text(info, mode) + (" " + engines_text(results) if engines_text(results) else ""),
        "### Results\n\n" + results_table(results, workloads),
        "### Targets\n\n" + targets_text,
        "### Growth exponents\n\n" + exponents_table(results, workloads),
    ]) + "\n"


def update_readme(path: Path, text: str) -> None:
    """Replace what lies between the results markers of `path` with `text`."""
    readme = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise ValueError(f"{path} has no {START} … {END} markers")
    path.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", readme), encoding="utf-8")

