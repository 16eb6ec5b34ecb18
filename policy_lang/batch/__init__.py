"""Compliance over a ticket history: every target of every ticket at once (the `[batch]` extra).

`policy_lang.batch.kernel` computes, vectorised in numpy over the calendars a generated evaluator
bakes (UTC working intervals and their cumulative working seconds), what the stdlib runtime's
`ticket()` answers one ticket at a time: registration -> due for every reading, pauses subtracted,
met and breached, provisional flags; `replay()` takes and returns Arrow tables (pandas and Polars
reach it through Arrow). `policy_lang.batch.replay` runs it over event logs with DuckDB
(`policyc replay`). The stdlib runtime does not need this package; it needs numpy and pyarrow:
``pip install 'policy_lang[batch]'``.
"""

from __future__ import annotations

try:
    import numpy  # noqa: F401
    import pyarrow  # noqa: F401  (no stubs)
except ImportError as e:  # pragma: no cover - the extra is installed where the tests run
    raise ImportError(f"policy_lang.batch needs numpy and pyarrow ({e.name} is missing): "
                      "pip install 'policy_lang[batch]'") from None

__all__: list[str] = []
