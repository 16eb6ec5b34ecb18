"""Nothing in the checked model is missing from the annex, and the Russian reads right."""
from __future__ import annotations

import io
import xml.dom.minidom
import zipfile
from pathlib import Path

import attrs
import pytest
from conftest import PROGRAM_IDS, program, rendered, searchable
from readback import docx_text, html_text, md_text, norm

from policy_lang import ru_format
from policy_lang.backends.annex.config import annex_config_from_mapping, load_annex_config
from policy_lang.backends.annex.render import AnnexConfig, render_annex
from policy_lang.backends.annex.view import referenced_marks
from policy_lang.semantics import model
from policy_lang.typography import bind_short_words, typeset


def model_values(p: model.Program) -> list[tuple[str, str]]:
    """Every human-readable value of the model, with where it comes from."""
    # compiler metadata (sha256, source paths) is in the document properties, not the body (issue 10)
    vals: list[tuple[str, str | None]] = [("title", p.title), ("edition", p.edition), ("source", p.source_title)]
    vals += [(f"party {x.id}", x.label) for x in p.parties] + [(f"party role {x.id}", x.role) for x in p.parties]
    for h in p.holiday_sets:
        vals += [(f"holidays {h.id}", h.title), (f"holidays source {h.id}", h.source)]
        vals += [(f"holidays date {h.id}", ru_format.date_ru(d)) for d, _ in h.explicit]
    for c in p.calendars:
        vals += [(f"calendar {c.id}", c.title), (f"calendar note {c.id}", c.note), (f"calendar clause {c.id}", c.clause)]
    for ch in p.channels:
        vals += [(f"channel {ch.id} {k}", getattr(ch, k)) for k in ("title", "contact", "language", "confirm_text", "note", "clause")]
    for pr in p.procedures:
        vals += [(f"procedure {pr.id}", pr.title)] + [(f"step {pr.id}", s) for s in pr.steps]
    if p.tier_metric:
        vals.append(("tier metric", p.tier_metric.title))
    for t in p.tiers:
        vals.append((f"tier {t.id}", t.title))
        vals += [(f"tier {t.id} low", ru_format.format_int(x)) for x in (t.low, t.high) if x is not None]
    for m in p.matrices:
        vals.append((f"matrix {m.id}", m.title))
        for row in m.rows:
            vals.append((f"service {row.service}", p.service(row.service).title))
            vals += [(f"cell {m.id}/{row.service}", c.text) for c in row.cells]
    for t in p.targets:
        vals += [(f"target {t.id} {c.tier}/{c.row}", c.text) for c in t.cells]
    for pr in p.priorities:
        vals += [(f"priority {pr.id}", pr.short), (f"priority title {pr.id}", pr.title), (f"priority def {pr.id}", pr.definition)]
    if p.reclassification:
        vals += [("reclassification", p.reclassification.text)]
    used_events = {o.start_event for o in p.obligations} | {x.start_event for x in p.periods}
    used_events |= {v.valid_from_event for v in p.vouchers} | {w.start_event for w in p.warranties}
    vals += [(f"event {e.id}", e.title) for e in p.events if e.id in used_events]
    vals += [(f"condition {c.id}", c.title) for c in p.conditions]
    for o in p.obligations:
        vals += [(f"obligation {o.id} {k}", getattr(o, k)) for k in ("title", "note", "text")]
    for pe in p.periods:
        vals += [(f"period {pe.id}", pe.title), (f"period text {pe.id}", pe.text)]
    for vo in p.vouchers:
        vals += [(f"vouchers {vo.id}", vo.title), (f"vouchers text {vo.id}", vo.text)]
    for ex in p.exclusions:
        vals += [(f"exclusions {ex.id}", ex.title)] + [(f"exclusion {m}", f"{m} {t}") for m, t in ex.items]
    for cl in p.clauses:
        vals += [(f"clause {cl.id}", cl.title), (f"clause text {cl.id}", cl.text)]
        vals += [(f"clause item {cl.id}", i) for i in cl.items]
        vals += [(f"clause tier {cl.id}", p.tier(t).title) for t in cl.applies_tiers] + [(f"clause prio {cl.id}", x) for x in cl.applies_priorities]
    # only footnotes something in the annex refers to are printed (issue 10)
    marks = referenced_marks(p)
    vals += [(f"footnote {f.mark}", f"{f.mark} {f.text}") for f in p.footnotes if f.mark in marks]
    vals += [(f"definition {d.id}", d.title) for d in p.definitions] + [(f"definition text {d.id}", d.text) for d in p.definitions]
    for w in p.warranties:
        vals += [(f"warranty {w.id}", w.title), (f"warranty text {w.id}", w.text)]
    for r in p.rmas:
        vals += [(f"rma {r.id}", r.title), (f"rma text {r.id}", r.text)]
    for r in p.rules:
        vals += [(f"rule {r.id}", r.title), (f"rule text {r.id}", r.text)]
    if p.incident_accounting:
        vals += [("incidents", p.incident_accounting.text), ("incidents nd", p.incident_accounting.not_deducted_text)]
    if p.reinstatement:
        vals.append(("reinstatement", p.reinstatement.text))
    vals += [(f"coverage {c.id}", c.text) for c in p.coverage]
    return [(where, norm(v)) for where, v in vals if v]


CASES = [(pid, where, value) for pid in PROGRAM_IDS for where, value in model_values(program(pid))]


@pytest.mark.parametrize(("pid", "where", "value"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_every_model_value_is_in_every_format(pid: str, where: str, value: str) -> None:
    # each annex is read back once per program (conftest.searchable), not once per case
    texts = searchable(pid)
    quotes = str.maketrans("„“", "«»")  # nested quotes are re-typeset by ru_format.quote
    # the annex applies Russian typography to every policy text (no-break spaces, dashes, 24×7)
    expected = norm(typeset(value)).casefold().translate(quotes)
    for fmt, text in texts.items():
        assert expected in text, f"{where} missing from {pid}.{fmt}: {value!r}"


def test_compiler_metadata_is_in_properties_not_in_the_body(program_id: str) -> None:
    """The signed text carries no hashes or file paths; the properties and a short footer id do."""
    import io

    import docx

    files = rendered(program_id)
    sha = program(program_id).sha256
    import re

    def body(text: str) -> str:  # what a reader sees: comments and <head> are not printed
        return norm(re.sub(r"<!--.*?-->", "", text, flags=re.S))

    assert sha not in body(md_text(files[f"{program_id}.md"])) and sha not in body(html_text(files[f"{program_id}.html"]))
    assert f'content="{program_id}, ред.' in files[f"{program_id}.html"].decode() and sha in files[f"{program_id}.html"].decode()
    props = docx.Document(io.BytesIO(files[f"{program_id}.docx"])).core_properties
    assert sha in (props.keywords or "") + (props.identifier or "") + (props.subject or "")
    assert sha[:16] in files[f"{program_id}.md"].decode()  # the short id in the footer
    assert "г.." not in files[f"{program_id}.html"].decode()


@pytest.mark.parametrize(("pid", "phrase"), [
    ("juniper_care_core", "в течение 1\u00a0часа"),
    ("juniper_care_core", "в течение 20\u00a0рабочих дней"),
    ("juniper_care_core", "в течение 21\u00a0рабочего дня"),
    ("landesk_tam", "не менее чем за шестьдесят\u00a0(60)\u00a0дней"),
    ("landesk_tam", "на один\u00a0(1)\u00a0год"),
    ("landesk_tam", "30\u00a0минут"),
    ("landesk_cloud_appliance", "девяносто\u00a0(90)\u00a0дней"),
    ("landesk_support", "200\u00a0000 и более"),
    ("landesk_support", "с 08:00 до 17:00 с\u00a0понедельника по пятницу, по московскому времени, кроме"),
    ("shavlik_support", "1\u00a0год, 2\u00a0года или 3\u00a0года"),
    ("landesk_support", "«Условия предоставления технической поддержки LANDESK, Wavelink и\u00a0Shavlik»"),
])
def test_russian_forms(pid: str, phrase: str) -> None:
    phrase = bind_short_words(phrase)  # «в течение», «с 08:00»: one-letter words keep to the next
    assert phrase in rendered(pid)[f"{pid}.html"].decode()
    assert phrase in rendered(pid)[f"{pid}.md"].decode()


def test_no_time_zone_ids_in_prose(program_id: str) -> None:
    """Zones are named in Russian («по московскому времени»), never as IANA ids."""
    md = rendered(program_id)[f"{program_id}.md"].decode()
    assert "Europe/" not in md and "Asia/" not in md


def test_sections_follow_source_numbering() -> None:
    text = rendered("landesk_support")["landesk_support.md"].decode()
    heads = [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("##")]
    numbers = [h.split(".")[0] + "." + h.split(".")[1] if h[0].isdigit() and h[1] == "." and h[2].isdigit() else h.split(" ")[0]
               for h in heads if h[0].isdigit()]
    assert numbers == ["1.", "1.1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"]
    jun = rendered("juniper_care_core")["juniper_care_core.md"].decode()
    order = ["Общие положения", "Уровень оказываемого сервиса", "## 1. Прием", "## 9. Доступ", "Примечания",
             "Процедура оказания услуг ЗАКАЗЧИКУ", "Подписи Сторон"]
    positions = [jun.index(o) for o in order]
    assert positions == sorted(positions)


def test_blanks_and_signature_block(program_id: str) -> None:
    text = rendered(program_id)[f"{program_id}.html"].decode()
    assert "Приложение №\u00a0____ к\u00a0Договору №\u00a0____ от «___»\u00a0__________ 20__\u00a0г." in text
    for s in ("ИСПОЛНИТЕЛЬ", "ЗАКАЗЧИК", "М.П.", "(должность)", "counter(pages)", program(program_id).sha256[:16]):
        assert s in text


def test_filled_config_renders_values(tmp_path: Path) -> None:
    cfg = tmp_path / "annex.toml"
    cfg.write_text('[defaults]\nannex_number = "2"\ncontract_number = "15/2026-ТП"\n'
                   'contract_date = 2026-01-01\n[programs.landesk_tam]\ncustomer_org = "ООО «Пример» <тест>"\n',
                   encoding="utf-8")
    config = load_annex_config(cfg, "landesk_tam")
    assert config.contract_date is not None and config.annex_number == "2"
    files = render_annex(program("landesk_tam"), config)
    html = files["landesk_tam.html"].decode()
    assert "Приложение №\u00a02 к\u00a0Договору №\u00a015/2026-ТП от 1\u00a0января 2026\u00a0г." in html
    assert "ООО «Пример» &lt;тест&gt;" in html
    assert "ООО «Пример» <тест>" in docx_text(files["landesk_tam.docx"])
    assert "ООО «Пример» \\<тест\\>" in files["landesk_tam.md"].decode()
    assert load_annex_config(cfg, "landesk_support").customer_org is None


def test_unknown_config_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown annex config key"):
        annex_config_from_mapping({"defaults": {"anex_number": "1"}}, "x")


def test_markup_in_policy_text_survives_every_format() -> None:
    p = program("wavelink_support")
    evil = "Если a < b && c > d, то «x» *не* [ссылка] | 5 * 3 </w:t> <script>"
    clauses = tuple(attrs.evolve(c, text=evil) if c.id == "scope" else c for c in p.clauses)
    files = render_annex(attrs.evolve(p, clauses=clauses), AnnexConfig())
    assert norm(evil) in md_text(files["wavelink_support.md"])
    assert norm(evil) in html_text(files["wavelink_support.html"])
    assert "<script>" not in files["wavelink_support.html"].decode()
    assert evil in docx_text(files["wavelink_support.docx"])
    with zipfile.ZipFile(io.BytesIO(files["wavelink_support.docx"])) as zf:
        for name in zf.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                xml.dom.minidom.parseString(zf.read(name))
