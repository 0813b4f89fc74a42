"""`python -m benchmarks` (or `./dev bench`): run the benchmarks, print and write the report.

    python -m benchmarks                  sizes of issue 9, 1 warm-up + 5 runs (about 20 minutes)
    python -m benchmarks --quick          small sizes, 1 warm-up + 3 runs (about 2 minutes)
    python -m benchmarks --only tc        only the workloads whose name starts with `tc`
    python -m benchmarks --out FILE       write the report to FILE (default benchmarks/results/latest.md)
    python -m benchmarks --update-readme  also put it in benchmarks/README.md, between the markers
    python -m benchmarks --list           list the workloads and exit
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .report import cell_text, report, update_readme
from .runner import machine, run_all, run_cell
from .targets import targets_table
from .workloads import WORKLOADS, select

HERE = Path(__file__).resolve().parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.split("\n")[2:]))
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 warm-up and 3 runs")
    parser.add_argument("--only", action="append", metavar="NAME", help="workloads named NAME or starting with it")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.md", help="the report's file")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the results section of the README")
    parser.add_argument("--runs", type=int, help="measured runs per cell (default 5, quick 3)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs per cell (default 1)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a cell is killed")
    parser.add_argument("--in-process", action="store_true", help="run cells here, not each in a fresh process")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--cell", nargs=3, metavar=("WORKLOAD", "ENGINE", "SIZE"), help=argparse.SUPPRESS)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    if args.cell:  # one cell, in this process: the runner's child
        name, engine, size = args.cell
        print(json.dumps(run_cell(name, engine, int(size), args.warmup, runs)))
        return 0
    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:15} {w.what}\n{'':15} engines: {', '.join(w.cells)}; sizes: "
                  f"{', '.join(map(str, w.sizes)) or '-'} (quick: {', '.join(map(str, w.quick_sizes))})")
        return 0
    try:
        workloads = select(args.only)
    except KeyError as exc:
        print(f"no workload matches {exc}; see --list", file=sys.stderr)
        return 2
    info = machine()
    results = run_all(workloads, args.quick, args.warmup, runs, args.timeout, not args.in_process, _progress)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    mode = (f"{'Quick' if args.quick else 'Default'} run: {args.warmup} warm-up + {runs} runs per cell "
            "(fewer where they would take over 30 s, and a warm-up over 15 s kept as the only run: [n] "
            "marks fewer than 3 runs), each cell in a fresh process.")
    text = report(results, workloads, info, mode, targets_table(results))
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"machine": info, "results": results}, indent=1),
                                             encoding="utf-8")
    if args.update_readme:
        update_readme(HERE / "README.md", text)
    return 0


def _progress(number: int, total: int, result: dict) -> None:
    shown = cell_text(result) if result.get("status") == "ok" else f"{result['status']}: {result.get('note', '')}"
    print(f"[{number}/{total}] {result['workload']} {result['size']} {result['engine']}: {shown}",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
