"""Party labels in the annex come from the program's parties by their role (view._party_by_role),
declined by runtime.sentences.label_case; where no party plays a role, the Договор's own designation."""
from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from conftest import program

from policy_lang.backends.annex.render import AnnexConfig, render_html, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.frontend import compile_file
from policy_lang.runtime.sentences import ROLE_LABELS
from policy_lang.semantics import model

NBSP = "\u00a0"
RELABEL = {"executor": "ПОСТАВЩИК", "customer": "ЛИЦЕНЗИАТ", "manufacturer": "ЛИЦЕНЗИАР"}


def _relabelled(prog: model.Program) -> model.Program:
    return attrs.evolve(prog, parties=tuple(attrs.evolve(p, label=RELABEL.get(p.id, p.label)) for p in prog.parties))


def _md(prog: model.Program) -> str:
    return render_markdown(build_view(prog, AnnexConfig())).replace(NBSP, " ").replace("\n", " ")


def test_the_annex_names_and_declines_the_parties_it_declares() -> None:
    before = _md(program("landesk_support"))
    after = _md(_relabelled(program("landesk_support")))
    for text in ("ИСПОЛНИТЕЛЬ обеспечивает оказание ЗАКАЗЧИКУ услуг", "исполняет перед ЗАКАЗЧИКОМ как свои",
                 "(по усмотрению ПРОИЗВОДИТЕЛЯ — как", "возлагает на ПРОИЗВОДИТЕЛЯ, ИСПОЛНИТЕЛЬ исполняет",
                 "| ИСПОЛНИТЕЛЬ | ЗАКАЗЧИК |"):
        assert text in before, text
    for text in ("ПОСТАВЩИК обеспечивает оказание ЛИЦЕНЗИАТУ услуг", "исполняет перед ЛИЦЕНЗИАТОМ как свои",
                 "(по усмотрению ЛИЦЕНЗИАРА — как", "возлагает на ЛИЦЕНЗИАРА, ПОСТАВЩИК исполняет",
                 "| ПОСТАВЩИК | ЛИЦЕНЗИАТ |"):
        assert text in after, text
    assert "ИСПОЛНИТЕЛЬ обеспечивает" not in after and "(по усмотрению ПРОИЗВОДИТЕЛЯ" not in after


def test_the_signatures_of_every_format_use_the_labels() -> None:
    html = render_html(build_view(_relabelled(program("landesk_support")), AnnexConfig()))
    assert '<p class="party">ПОСТАВЩИК</p>' in html and '<p class="party">ЛИЦЕНЗИАТ</p>' in html
    assert '<p class="party">ИСПОЛНИТЕЛЬ</p>' not in html


@pytest.mark.parametrize("name", ["tyk_support", "github_premium_support"])
def test_a_role_no_party_plays_is_the_contracts_designation(name: str) -> None:
    """tyk declares no parties, github no executor: the annex, attached to a Договор between
    ИСПОЛНИТЕЛЬ and ЗАКАЗЧИК, says what it said before the labels came from the parties."""
    c = compile_file(Path(__file__).resolve().parents[3] / "policies" / "examples" / f"{name}.policy")
    assert c.program is not None
    view = build_view(c.program, AnnexConfig())
    assert view.executor is None and view.labels.provider == ROLE_LABELS["provider"] == "ИСПОЛНИТЕЛЬ"
    md = _md(c.program)
    assert f"| {ROLE_LABELS['provider']} | {view.labels.customer} |" in md
    assert "ИСПОЛНИТЕЛЬ прилагает коммерчески оправданные усилия" in md
