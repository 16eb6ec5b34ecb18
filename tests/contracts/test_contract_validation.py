"""Contract instances are read strictly: every doubtful value is a P1101 at its key's line (probe M13,
M16, m6), and no input, however odd, gives a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang import diagnostics
from policy_lang.backends.annex.config import read_annex_config
from policy_lang.frontend import compile_file
from policy_lang.semantics.contracts import read_contract
from policy_lang.toml_input import MAX_TOML_BYTES

REPO = Path(__file__).resolve().parents[2]


def _programs() -> dict:
    out = {}
    for f in sorted((REPO / "policies").glob("*.policy")):
        p = compile_file(f, REPO / "policies").program
        assert p is not None
        out[p.id] = p
    return out


PROGRAMS = _programs()

HEAD = 'program = "landesk_support"\ntier = "base"\nstart = 2026-12-01\nend = 2027-11-30\n'


def _read(tmp_path: Path, body: str | bytes):  # type: ignore[no-untyped-def]
    f = tmp_path / "c.toml"
    if isinstance(body, bytes):
        f.write_bytes(body)
    else:
        f.write_text(body, encoding="utf-8")
    return read_contract(f, PROGRAMS)


def _where(diags: list[diagnostics.Diagnostic]) -> list[tuple[str, str, int]]:
    return [(d.code, d.message, d.span.line) for d in diags]


@pytest.mark.parametrize("body, message, line", [
    # a line break (CR, LF) in a one-line field
    (HEAD + 'contract_number = "17/2026\\r-ТП"\n', "line break", 5),
    (HEAD + '[customer]\norg = "ООО\\r«Ромашка»"\n', "line break", 6),
    (HEAD + '[executor]\nname = "П. П.\\nПетров"\n', "line break", 6),
    (HEAD + 'options = ["первая", "вторая\\nстрока"]\n', "line break", 5),
    (HEAD + 'options = ["первая", "  "]\n', "empty", 5),
    # quantities: a number must be a positive, sane count
    (HEAD + '[[products]]\nname = "LDMS"\nquantity = -5\n', "quantity", 7),
    (HEAD + '[[products]]\nname = "LDMS"\nquantity = 9223372036854775807\n', "quantity", 7),
    (HEAD + '[[products]]\nname = "LDMS"\nquantity = 0\n', "quantity", 7),
    # the second product's error is on the second product's line
    (HEAD + '[[products]]\nname = "A"\nquantity = 5\n\n[[products]]\nname = "B"\nquantity = -1\n', "quantity", 11),
    # an empty product name is an error, not a product silently dropped
    (HEAD + '[[products]]\nname = ""\nquantity = "5"\n', "empty", 6),
    (HEAD + '[[products]]\nname = "   "\n', "empty", 6),
    (HEAD + '[[products]]\nname = "A"\ncolour = "red"\n', "unknown key", 7),
    # incidents only for an incident pack
    (HEAD + "incidents = 10\n", "not one", 5),
    # signed after the term started
    (HEAD + "contract_date = 2026-12-02\n", "after its term starts", 5),
    # outside the calendar horizon (landesk_support's calendars end with 2030)
    ('program = "landesk_support"\ntier = "base"\nstart = 2035-01-01\nyears = 3\n', "2030", 4),
    ('program = "landesk_support"\ntier = "base"\nstart = 2029-06-01\nend = 2031-05-31\n', "2030", 4),
    ('program = "landesk_support"\ntier = "base"\nstart = 2010-01-01\nend = 2010-12-31\n', "before the calendar", 3),
])
def test_lenient_values_are_located_diagnostics(tmp_path: Path, body: str, message: str, line: int) -> None:
    c, diags = _read(tmp_path, body)
    assert c is None and diags
    assert all(d.code == "P1101" for d in diags)
    assert any(message in d.message and d.span.line == line for d in diags), _where(diags)


def test_horizon_message_names_the_calendars_last_year(tmp_path: Path) -> None:
    _, diags = _read(tmp_path, 'program = "landesk_support"\ntier = "base"\nstart = 2035-01-01\nyears = 3\n')
    (d,) = diags
    assert "2037-12-31" in d.message and "ends with the year 2030" in d.message and d.span.line == 4


def test_good_values_still_pass(tmp_path: Path) -> None:
    body = (HEAD.replace('"base"', '"incident_pack"') + "incidents = 10\ncontract_date = 2026-12-01\n"
            'options = [" один "]\n[[products]]\nname = "LDMS"\nquantity = 1000\n'
            '[[products]]\nname = "LDSS"\nquantity = "1000 лицензий"\n')
    c, diags = _read(tmp_path, body)
    assert diags == [] and c is not None
    assert c.incidents == 10 and c.options == ("один",)
    assert c.products == (("LDMS", "1000"), ("LDSS", "1000 лицензий"))


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    c, diags = _read(tmp_path, "\ufeff".encode() + HEAD.encode())
    assert diags == [] and c is not None and c.program == "landesk_support"


@pytest.mark.parametrize("body", [
    "a = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "a = " + "[" * 50_000 + "\n",
    "a = " + "{b = " * 20_000 + "1" + "}" * 20_000 + "\n",
])
def test_deeply_nested_toml_is_a_diagnostic(tmp_path: Path, body: str) -> None:
    c, diags = _read(tmp_path, body)
    assert c is None
    (d,) = diags
    assert d.code == "P1101" and ("nested too deeply" in d.message or "not valid TOML" in d.message)
    assert d.span.line == 1
    # and the diagnostic renders (its source line is 100 KB long)
    diagnostics.render_text(d, {d.span.path: body})


def test_oversized_and_odd_files(tmp_path: Path) -> None:
    _, diags = _read(tmp_path, b"# " + b"x" * MAX_TOML_BYTES + b"\n")
    assert "too large" in diags[0].message
    _, diags = _read(tmp_path, b'program = "\xff"\n')
    assert "not UTF-8" in diags[0].message and diags[0].span.line == 1
    c, diags = read_contract(tmp_path / "absent.toml", PROGRAMS)
    assert c is None and "not found" in diags[0].message
    c, diags = read_contract(tmp_path, PROGRAMS)  # a directory
    assert c is None and "directory" in diags[0].message.lower()


def test_a_contract_or_annex_config_linked_out_of_its_directory_is_not_read(tmp_path: Path) -> None:
    """M8: like an include, a link out of the directory is refused, and what it points to is never
    quoted in the diagnostic."""
    secret = tmp_path / "secret.txt"
    secret.write_text('program = "TOP-SECRET-LINE"\n', encoding="utf-8")
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "c.toml").symlink_to(secret)
    c, diags = read_contract(contracts / "c.toml", PROGRAMS)
    assert c is None and diags[0].code == "P1101" and "outside" in diags[0].message
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "annex.toml").symlink_to(secret)
    configs, diags = read_annex_config(policies / "annex.toml", ["landesk_support"])
    assert configs == {} and diags[0].code == "P1001" and "outside" in diags[0].message
    for d in diags:
        text = diagnostics.render_text(d, {})
        assert "TOP-SECRET" not in text


def test_annex_config_deep_nesting_and_bom(tmp_path: Path) -> None:
    f = tmp_path / "annex.toml"
    f.write_text("[defaults]\nannex_number = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    configs, diags = read_annex_config(f, ["landesk_support"])
    assert configs == {} and len(diags) == 1
    assert diags[0].code == "P1001" and "nested too deeply" in diags[0].message
    f.write_bytes("\ufeff[defaults]\nannex_number = \"7\"\n".encode())
    configs, diags = read_annex_config(f, ["landesk_support"])
    assert diags == [] and configs["landesk_support"].annex_number == "7"


def test_annex_config_line_break_is_a_located_diagnostic(tmp_path: Path) -> None:
    f = tmp_path / "annex.toml"
    f.write_text('[defaults]\nannex_number = "7"\ncustomer_org = "ООО\\r\\n«Ромашка»"\n', encoding="utf-8")
    configs, diags = read_annex_config(f, ["landesk_support"])
    assert configs == {} and [(d.code, d.span.line) for d in diags] == [("P1001", 3)]
    assert "line break" in diags[0].message


def test_the_annex_and_the_evaluator_count_voucher_years_from_29_february_alike(tmp_path: Path) -> None:
    """C7 (Civil Code art. 192): a yearly re-issue from 29 Feb 2028 falls on 1 Mar 2029, in the
    instance annex's facts as in BoundEvaluator.vouchers(): one term rule for both."""
    import shutil

    import policy_lang
    from policy_lang.semantics.contracts import instantiate

    root = tmp_path / "project"
    shutil.copytree(REPO / "policies", root / "policies")
    (root / "contracts").mkdir()
    f = root / "contracts" / "leap.toml"
    f.write_text('program = "landesk_tam"\ntier = "premier"\nstart = 2028-02-29\nyears = 2\n', encoding="utf-8")
    c, diags = read_contract(f, PROGRAMS)
    assert c is not None and diags == []
    facts = instantiate(PROGRAMS["landesk_tam"], c).instance.vouchers
    grants = policy_lang.contract(f, root / "policies").vouchers()
    assert [g.valid_from for g in grants] == [fact.valid_from for fact in facts]
    assert [str(fact.valid_from) for fact in facts] == ["2028-02-29", "2029-03-01"]
