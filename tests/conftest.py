"""Hypothesis profiles: `ci` (reproducible), `dev` (the default) and `long` (a night's search).

`ci` is loaded when the environment variable CI is set; otherwise HYPOTHESIS_PROFILE names the
profile (`HYPOTHESIS_PROFILE=long pytest tests/test_oracle.py`), and `dev` is the default.
No deadline anywhere: timing belongs in `benchmarks/`, never in a test's verdict.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile(
    "ci", max_examples=75, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile("dev", deadline=None)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
