"""allegiance's engine: text → syntax → checks/strata → backend (pyDatalog) → model.

Stages, one module each, dependencies pointing one way:
  values       constants (symbols, strings, integers, dates) and their total order
  syntax       the abstract syntax tree (frozen values with spans)
  diagnostics  positioned errors and warnings, and their rendering
  parse        text → Program / Query (ParseError with every syntax error)
  printer      Program → text (parses back to an equal program)
  strata       predicate dependency graph, recursive components, stratification
  checks       Program → CheckedProgram (CheckError with every static error)
  backend      the only door to pyDatalog: one isolated evaluator per knowledge base
  limits       bounds on time and size (a result cut by one is marked partial)
  kb           the Python API: load, query, assert, retract, as-of dates
  files        atomic writes of knowledge-base files (the old text survives any failure)
"""
