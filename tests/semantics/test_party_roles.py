"""A party's role in the annex is declared (`plays`), never inferred from its id."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.backends.annex.view import build_view
from policy_lang.frontend import compile_file
from policy_lang.semantics import model

HEAD = 'program p {\n    title "П"\n    vendor "V"\n}\n'


@pytest.mark.parametrize(("parties", "provider", "customer", "performance"), [
    # the seeds' ids, with their roles declared
    ('executor "ИСПОЛНИТЕЛЬ" "оказывает услуги" plays provider\n    customer "ЗАКАЗЧИК" "получает" plays customer',
     "ИСПОЛНИТЕЛЬ", "ЗАКАЗЧИК", "executor"),
    # any id plays any role: the label comes from the party that plays it
    ('acme "ПОСТАВЩИК" "оказывает услуги" plays provider\n    buyer "ПОКУПАТЕЛЬ" "получает" plays customer',
     "ПОСТАВЩИК", "ПОКУПАТЕЛЬ", "acme"),
    # an id alone plays nothing: the annex names the role by the Договор's designation
    ('executor "ОПЕРАТОР" "оказывает услуги"\n    customer "КЛИЕНТ" "получает"', "ИСПОЛНИТЕЛЬ", "ЗАКАЗЧИК", None),
])
def test_roles_are_declared(tmp_path: Path, parties: str, provider: str, customer: str, performance: str | None) -> None:
    f = tmp_path / "p.policy"
    f.write_text(HEAD + "parties {\n    " + parties + "\n}\n", encoding="utf-8")
    c = compile_file(f)
    assert c.program is not None and c.ok, c.diagnostics
    view = build_view(c.program, AnnexConfig())
    assert (view.labels.provider, view.labels.customer) == (provider, customer)
    assert c.program.performance.provider == performance
    assert model.party_playing(c.program.parties, "vendor") is None
