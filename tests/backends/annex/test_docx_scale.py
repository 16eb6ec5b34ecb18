"""A long annex in DOCX (probe M15): thousands of holiday dates and clauses render, every unit once, in
order, each list with its own numbering, rows and paragraphs styled as in a short annex. The writer is
linear in the document's size (see docx._Builder); the timings are in the report, not asserted here."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import AnnexConfig, environment
from policy_lang.backends.annex.view import build_view
from policy_lang.frontend import compile_file


def _program_source(n_dates: int, n_clauses: int) -> str:
    days: list[str] = []
    d = dt.date(2024, 1, 1)
    while len(days) < n_dates:
        if d.weekday() < 5:
            days.append(f'{d.isoformat()} "день {len(days):05d}"')
        d += dt.timedelta(days=1)
    clauses = "\n".join(
        f'clause c{i} "Раздел {i:05d}" § {i + 3} {{\n    text "Текст раздела {i:05d}."\n'
        f'    item "Пункт один {i:05d}"\n    item "Пункт два {i:05d}"\n}}' for i in range(n_clauses))
    dates = ",\n        ".join(days)
    return f"""
program big {{
    title   "Большое приложение"
    vendor  "V"
    edition "2026-11"
}}
parties {{
    executor  "ИСПОЛНИТЕЛЬ"  "оказывает услуги"
    customer  "ЗАКАЗЧИК"     "получает услуги"
}}
holidays hol "нерабочие дни" § 1 {{
    dates {dates}
}}
calendar office "рабочие часы" § 1 {{
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
    except hol
}}
channel portal "портал" § 2 {{
    contact   "https://support.example.com"
    available office
}}
{clauses}
tiers § 3 {{
    basic  "Базовый"  purchased
}}
priorities § 4 {{
    P1 "Критический" {{ definition "Отказ." }}
}}
response on office § 4 {{
    priority  basic
    P1        2h
}}
"""


@pytest.mark.parametrize("units", [1_000, 10_000])
def test_long_docx_has_every_unit_once_in_order(tmp_path: Path, units: int) -> None:
    n_clauses = units // 10
    path = tmp_path / "big.policy"
    path.write_text(_program_source(units, n_clauses), encoding="utf-8")
    compiled = compile_file(path)
    assert compiled.program is not None, [d.message for d in compiled.diagnostics][:3]
    data = render_docx(build_view(compiled.program, AnnexConfig()), environment("xml"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
    d = docx.Document(io.BytesIO(data))

    # every holiday date: once, in order (the table of the calendar's non-working days, or its text)
    body_text = "\n".join(
        "".join(t.text or "" for t in el.iter(qn("w:t"))) for el in d.element.body.iterchildren()
    ).replace("\u00a0", " ")
    labels = [f"день {i:05d}" for i in range(units)]
    at = [body_text.find(label) for label in labels]
    assert -1 not in at, f"missing: {labels[at.index(-1)]}"
    assert at == sorted(at)
    assert all(body_text.count(label) == 1 for label in labels[:: max(units // 100, 1)])

    # every clause: its heading, its text and its two items, in order, each list numbered on its own
    headings = [p for p in d.paragraphs if p.style.name.startswith("Heading") and "Раздел" in p.text]
    assert [p.text.replace("\u00a0", " ").rsplit(" ", 1)[-1] for p in headings] == [f"{i:05d}" for i in range(n_clauses)]
    items = [p for p in d.paragraphs if p.text.replace("\u00a0", " ").startswith("Пункт ")]
    assert len(items) == 2 * n_clauses
    num_ids = [p._p.pPr.numPr.numId.val for p in items]
    assert len(set(num_ids)) == n_clauses  # one numbering instance per clause's list
    assert num_ids[0::2] == num_ids[1::2]  # both items of a clause in the same list
    defined = {int(n) for n in d.part.numbering_part.element.xpath("./w:num/@w:numId")}
    assert set(num_ids) <= defined
    assert {p.style.name for p in items} <= {"List Bullet", "List Number"}

    # the body ends with the section properties, after every block (blocks went before it)
    assert d.element.body[-1].tag == qn("w:sectPr")
    assert d.sections[0].footer.paragraphs[0].style.name == "Footer"
