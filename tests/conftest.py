"""Suite-wide settings: the Hypothesis profiles.

`ci` (the default) is derandomised: every run draws the same examples, so a failure in CI is the same
failure on a developer's machine, and a run's time does not depend on luck. `dev` is Hypothesis's own
default (random examples, the example database, a deadline), for hunting new counter-examples:

    HYPOTHESIS_PROFILE=dev .venv/bin/python -m pytest tests/runtime

The profile is loaded here, before any test module is imported, because `@settings(...)` on a test
copies the profile in force when the decorator runs: a test's own max_examples or deadline win, and
everything it does not set (derandomize, print_blob, the database) comes from the profile.
`--hypothesis-profile NAME` (Hypothesis's pytest option) overrides the variable.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile(
    "ci",
    derandomize=True,  # the examples are a function of the test, not of the run
    max_examples=100,  # Hypothesis's default, fixed here so a change of default does not change CI
    deadline=None,  # a shared 2-core machine is slow now and then; a deadline would make that a failure
    print_blob=True,  # a failure prints the @reproduce_failure blob
    database=None,  # derandomised runs neither need nor leave an example database
)
settings.register_profile("dev", settings.get_profile("default"))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "ci"
if PROFILE not in ("ci", "dev"):
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={PROFILE!r}: the profiles are 'ci' (the default) and 'dev'")
settings.load_profile(PROFILE)
