"""allegiance's benchmarks: `python -m benchmarks` (or `./dev bench`); see benchmarks/README.md.

Modules, in the order a run uses them:
  generate       synthetic knowledge bases in kb/'s vocabulary, graphs, a LUBM-like university
  workloads      what is measured, at which sizes, on which engines
  cells          the protocol of one measurement cell; kb_cells and program_cells implement it
  baselines      the oracle, clingo and a semi-naive loop; raw_pydatalog, the program on pyDatalog
  runner         cells run in fresh processes, with warm-up, run budget, time limit, peak memory
  report         the Markdown tables and growth exponents; targets, issue 9's targets checked
"""
