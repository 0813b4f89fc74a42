"""The benchmarks run: every generator, and every workload once at its smallest size, on every
engine, with the engines agreeing. Nothing here looks at a time (timing belongs in benchmarks/)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import generate as gen  # noqa: E402
from benchmarks.runner import run_cell  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402
from allegiance.lang.parse import parse_program  # noqa: E402

MAY_SKIP = {("cli_why", "allegiance"), ("all_alliance", "clingo"), ("all_credible", "clingo"),
            ("tc_chain", "clingo"), ("tc_cycle", "clingo"), ("university", "clingo")}


@pytest.mark.parametrize("groups", [10, 20, 40])
def test_expert_case_parses_and_grows_linearly(groups):
    text = gen.expert_case(groups)
    program = parse_program(text)
    assert len(program.facts) == gen.fact_count(text)
    assert 7 * groups <= len(program.facts) <= 12 * groups


def test_graphs_and_university_have_the_sizes_announced():
    assert len(gen.chain_edges(10)) == 9
    assert len(gen.cyclic_edges(10)) == 20
    program = parse_program(gen.university(1))
    assert len(program.rules) >= 50
    assert len(program.facts) > 2000
    assert len(set(gen.alliance_pairs(20, 30))) == 30


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_runs_once_and_engines_agree(workload):
    size = workload.quick_sizes[0]
    results = [run_cell(workload.name, engine, size, warmup=0, runs=1) for engine in workload.cells]
    for result in results:
        if result["status"] == "skipped":
            assert (workload.name, result["engine"]) in MAY_SKIP, result
            continue
        assert result["status"] == "ok", result
        assert result["seconds"] and result["peak_mb"] > 0
        if workload.latency:
            assert result["calls"]
    answers = {r["engine"]: r["digests"]["0"] for r in results if r["status"] == "ok" and r["digests"]["0"]}
    assert len(set(answers.values())) <= 1, answers


def test_raw_pydatalog_runs_on_its_compiled_engine_in_a_process_of_its_own():
    """The baseline must be what a pyDatalog user gets: allegiance's backend, which loads
    pyDatalog's pure-Python engine so that questions can be stopped, is never imported there."""
    from benchmarks.runner import run_isolated

    raw = run_isolated("point", "pydatalog", 20, 0, 1, timeout=120)
    ours = run_isolated("point", "allegiance", 20, 0, 1, timeout=120)
    assert (raw["status"], raw["pydatalog_engine"]) == ("ok", "compiled"), raw
    assert (ours["status"], ours["pydatalog_engine"]) == ("ok", "pure Python"), ours
