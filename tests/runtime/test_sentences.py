"""The one table of sentences (policy_lang/runtime/sentences.py): every template formats with exactly its
fields, the annex and the reasons take their words from it, and party labels decline."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from policy_lang.runtime import sentences
from policy_lang.runtime.sentences import FIELDS, GROUPS, TABLE, label_case, say
from policy_lang.semantics import reasons

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "policy_lang" / "templates" / "annex"


@pytest.mark.parametrize("key", sorted(TABLE))
def test_every_template_formats_with_its_declared_fields(key: str) -> None:
    values = {name: f"<{name}>" for name in FIELDS[key]}
    text = say(key, **values)
    for name in FIELDS[key]:
        assert f"<{name}>" in text
    assert "{" not in text and "}" not in text, text  # nothing left of the format syntax
    assert {n for _, n, _, _ in string.Formatter().parse(TABLE[key]) if n} == FIELDS[key]


@pytest.mark.parametrize("key", sorted(k for k in TABLE if FIELDS[k]))
def test_a_missing_or_unknown_field_is_an_error(key: str) -> None:
    values = dict.fromkeys(FIELDS[key], "x")
    missing = dict(values)
    missing.pop(sorted(values)[0])
    with pytest.raises(KeyError, match=re.escape(key)):
        say(key, **missing)
    with pytest.raises(KeyError, match=re.escape(key)):
        say(key, **values, not_a_field="x")


def test_a_sentence_that_takes_no_field_refuses_one() -> None:
    with pytest.raises(KeyError, match=r"signatures\.title"):
        say("signatures.title", title="x")
    assert say("signatures.title") == "Подписи Сторон"


def test_keys_are_group_dot_name_and_unique() -> None:
    assert len(TABLE) == sum(len(g) for g in GROUPS.values())
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", k) for k in TABLE)


def test_the_templates_say_only_sentences_of_the_table() -> None:
    """Every `say("…")` of the annex templates names a sentence of the table, and every sentence of
    the annex groups is used by some template (none is left behind when a template stops using it)."""
    said: set[str] = set()
    for path in TEMPLATES.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        called = set(re.findall(r'say\("([a-z_.]+)"', text))
        assert called <= set(TABLE), (path, called - set(TABLE))
        # a name chosen by a conditional expression (`say("a.b" if … else "a.c")`) is quoted, not called
        said |= {k for k in re.findall(r'"([a-z_]+\.[a-z_]+)"', text) if k.split(".")[0] in GROUPS}
    assert said <= set(TABLE), said - set(TABLE)
    annex_groups = set(GROUPS) - {"reasons", "reason_parts", "intake", "ticket", "cell"}  # used by Python code
    unused = {k for k in TABLE if k.split(".")[0] in annex_groups} - said
    assert unused == set()


def test_the_templates_print_no_party_label_as_a_literal() -> None:
    for path in TEMPLATES.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"ИСПОЛНИТЕЛ|ЗАКАЗЧИК|ПРОИЗВОДИТЕЛ", text), path


def test_reasons_are_the_tables() -> None:
    assert reasons.SENTENCES is sentences.REASONS
    assert reasons.INTAKE is sentences.INTAKE
    r = reasons.reason("channel_open_to_all", "2.6", channel="«Портал»")
    assert r.text == "Канал «Портал» доступен при любом уровне поддержки (п.\u00a02.6)."
    assert reasons.reason("channel_open_to_all", None, channel="«Портал»").text == \
        "Канал «Портал» доступен при любом уровне поддержки."


@pytest.mark.parametrize("label, case, expected", [
    ("ИСПОЛНИТЕЛЬ", "nom", "ИСПОЛНИТЕЛЬ"),
    ("ИСПОЛНИТЕЛЬ", "gen", "ИСПОЛНИТЕЛЯ"),
    ("ИСПОЛНИТЕЛЬ", "dat", "ИСПОЛНИТЕЛЮ"),
    ("ИСПОЛНИТЕЛЬ", "acc", "ИСПОЛНИТЕЛЯ"),
    ("ИСПОЛНИТЕЛЬ", "ins", "ИСПОЛНИТЕЛЕМ"),
    ("ЗАКАЗЧИК", "nom", "ЗАКАЗЧИК"),
    ("ЗАКАЗЧИК", "gen", "ЗАКАЗЧИКА"),
    ("ЗАКАЗЧИК", "dat", "ЗАКАЗЧИКУ"),
    ("ЗАКАЗЧИК", "acc", "ЗАКАЗЧИКА"),
    ("ЗАКАЗЧИК", "ins", "ЗАКАЗЧИКОМ"),
    ("ПРОИЗВОДИТЕЛЬ", "nom", "ПРОИЗВОДИТЕЛЬ"),
    ("ПРОИЗВОДИТЕЛЬ", "gen", "ПРОИЗВОДИТЕЛЯ"),
    ("ПРОИЗВОДИТЕЛЬ", "dat", "ПРОИЗВОДИТЕЛЮ"),
    ("ПРОИЗВОДИТЕЛЬ", "acc", "ПРОИЗВОДИТЕЛЯ"),
    ("ПРОИЗВОДИТЕЛЬ", "ins", "ПРОИЗВОДИТЕЛЕМ"),
    ("ПОСТАВЩИК", "ins", "ПОСТАВЩИКОМ"),
    ("ЛИЦЕНЗИАР", "dat", "ЛИЦЕНЗИАРУ"),
    ("ПРОДАВЕЦ", "gen", "ПРОДАВЦА"),
    ("ПРОДАВЕЦ", "ins", "ПРОДАВЦОМ"),
    ("ВРАЧ", "gen", "ВРАЧА"),
    ("ВРАЧ", "ins", "ВРАЧ"),  # -ОМ or -ЕМ by the stress: left as written
    ("Сторона", "gen", "Сторона"),  # not a capitalised label: as written
    ("ГЛАВНЫЙ ПОДРЯДЧИК", "dat", "ГЛАВНЫЙ ПОДРЯДЧИК"),
    ("", "gen", ""),
])
def test_party_labels_decline(label: str, case: str, expected: str) -> None:
    assert label_case(label, case) == expected


def test_an_unknown_case_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown case 'loc'"):
        label_case("ИСПОЛНИТЕЛЬ", "loc")


@pytest.mark.parametrize("role", sorted(sentences.ROLE_LABELS))
def test_every_role_has_a_declinable_default_label(role: str) -> None:
    label = sentences.ROLE_LABELS[role]
    assert len({label_case(label, c) for c in ("nom", "gen", "dat", "ins")}) == 4


def test_every_priority_change_rule_has_its_annex_sentence() -> None:
    """The annex states the program's `on change` rule (blocks/priorities.j2, _blocks.j2 change_rule):
    a rule the runtime knows and the annex cannot state would be printed as another."""
    from policy_lang.runtime.ticket import PRIORITY_CHANGE_RULES

    assert {f"changes.{r}" for r in PRIORITY_CHANGE_RULES} <= set(TABLE)
    blocks = (TEMPLATES / "_blocks.j2").read_text(encoding="utf-8")
    for rule in PRIORITY_CHANGE_RULES:
        assert f'"changes.{rule}"' in blocks, rule
        if rule != "recount":  # the template's fallback branch
            assert f'c.rule == "{rule}"' in blocks, rule
