"""Hilbert Software C21 incident FAQ (policies/examples/hilbert_c21_incidents.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header:
«We will not charge for an incident — on initial installation or when installing an upgrade; upon
submission of a report showing conversion problems; when our analysis determines that the problem
is caused by a defect in the software». Any other incident is charged.
"""
from __future__ import annotations

import types

import pytest
from _example_module import example_module

PID = "hilbert_c21_incidents"


def module() -> types.ModuleType:
    return example_module(PID)


# (incidents paid in advance, incidents of the year, charged, free, left (< 0: to pay))
BALANCE_CASES = [
    # installing, then a usage question, then a defect found by the analysis: 1 charged, 2 free
    (3, ["installation", "question", "defect"], 1, 2, 2),
    # an upgrade install and a conversion report are free; two questions are charged: 2 of 2 used
    (2, ["installation", "conversion", "question", "question"], 2, 2, 0),
    # nothing paid in advance, three bookkeeping questions: 3 to pay
    (0, ["question", "question", "question"], 3, 0, -3),
    # one call on two problems is two incidents, both defects: nothing charged
    (1, ["defect", "defect"], 0, 2, 1),
]


@pytest.mark.parametrize(("paid", "incidents", "charged", "free", "left"), BALANCE_CASES,
                         ids=["+".join(c[1]) for c in BALANCE_CASES])
def test_incidents_charged(paid, incidents, charged, free, left) -> None:
    b = module().incident_balance(purchased=paid, incidents=incidents)
    assert (b.deducted, b.not_deducted, b.remaining, b.clause) == (charged, free, left, "FAQ")


def test_a_wrong_query_names_the_kinds() -> None:
    with pytest.raises(ValueError, match="installation"):
        module().incident_balance(purchased=1, incidents="defect")
