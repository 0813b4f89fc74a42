"""allegiance's engine: text → syntax → checks/strata → plan → backend | materialise → model.

Stages, one module each, dependencies pointing one way:
  values       constants (symbols, strings, integers, dates) and their total order
  syntax       the abstract syntax tree (frozen values with spans)
  diagnostics  positioned errors and warnings, and their rendering
  parse        text → Program / Query (ParseError with every syntax error)
  printer      Program → text (parses back to an equal program)
  strata       predicate dependency graph, recursive components, stratification
  checks       Program → CheckedProgram (CheckError with every static error)
  plan         rules and queries rewritten for evaluation (equalities unified, join order)
  backend      the only door to pyDatalog: one isolated evaluator per knowledge base
  fixpoint     semi-naive bottom-up evaluation, recording each tuple's rank
  materialise  what is evaluated in Python (recursive strata, whole relations), kept per predicate
  model        chooses pyDatalog or Python for each question; what holds as of a day
  limits       bounds on time and size (a result cut by one is marked partial)
  kb           the Python API: load, query, assert, retract, as-of dates
  files        atomic writes of knowledge-base files (the old text survives any failure)
  explain      why(kb, goal) → Explanation: proofs (refute: refutations of what fails)
  checker      an independent re-validation of every proof and refutation
  sentences    the holds/fails templates of predicates, filled by the engine's own scanner
  render_*     explanations and answers as text, prose, JSON, DOT; reports as HTML, Markdown
  whatif       scratch layers (flip, sensitivity, ach: what would change a verdict)
  properties   declared properties of a KB checked with Hypothesis (strategies, kinds)
"""
