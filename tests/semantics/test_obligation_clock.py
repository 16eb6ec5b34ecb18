"""An obligation's clock rules (issue 19): `pause while` statuses and `stop on` events, parsed, checked
like a target's clock fields and lowered into model.Obligation.clock."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.frontend import compile_file
from policy_lang.semantics import model

HEAD = '''program duties {
    title  "Обязательства"
    vendor "Vendor"
}
calendar office "рабочие дни" {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}
parties {
    vendor "ПРОИЗВОДИТЕЛЬ" "предоставляет оборудование для замены"
}
status access_refused    "отказ в удаленном доступе"
status access_impossible "невозможность удаленного доступа"
event part_received "получение неисправного оборудования на склад"
event part_shipped  "отгрузка исправного оборудования"
'''


def _compile(tmp_path: Path, body: str):
    (tmp_path / "duties.policy").write_text(HEAD + body, encoding="utf-8")
    return compile_file(tmp_path / "duties.policy", root=tmp_path)


CASES = [
    ("pause while access_refused, access_impossible\n    stop on part_shipped",
     model.ClockRules(pauses=("access_refused", "access_impossible"), stops=("part_shipped",))),
    ("stop on part_shipped\n    pause while access_refused",  # in any order
     model.ClockRules(pauses=("access_refused",), stops=("part_shipped",))),
    ("pause while access_refused", model.ClockRules(pauses=("access_refused",))),
    ("", model.ClockRules()),
]


@pytest.mark.parametrize(("fields", "clock"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_lowered(tmp_path: Path, fields: str, clock: model.ClockRules) -> None:
    c = _compile(tmp_path, f'''obligation shipment "Отгрузка" {{
    by     vendor
    from   part_received
    within 20 business days on office
    {fields}
}}
''')
    assert c.program is not None, c.diagnostics
    (ob,) = c.program.obligations
    assert ob.clock == clock
    assert ob.clock.stated == bool(fields)


BAD = [
    # a field twice
    ("pause while access_refused\n    pause while access_impossible", "P0101"),
    # restart and recurrence are not an obligation's
    ("restart on part_shipped", "P0001"),
    ("repeats after update", "P0001"),
    # an event where a status is expected, a status where an event is
    ("pause while part_shipped", "P0203"),
    ("stop on access_refused", "P0203"),
    # the event it is counted from cannot fulfil it
    ("stop on part_received", "P1202"),
    ("stop on part_shipped, part_shipped", "P1202"),
    ("pause while access_refusd", "P0201"),
]


@pytest.mark.parametrize(("fields", "code"), BAD, ids=[b[1] + ":" + b[0].split()[0] for b in BAD])
def test_checked(tmp_path: Path, fields: str, code: str) -> None:
    c = _compile(tmp_path, f'''obligation shipment "Отгрузка" {{
    by     vendor
    from   part_received
    within 20 business days on office
    {fields}
}}
''')
    assert c.program is None
    assert code in [d.code for d in c.diagnostics], c.diagnostics
