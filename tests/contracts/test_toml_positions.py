"""Where a key of a contract or annex config is written: the position a diagnostic points at."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.toml_input import key_positions, locate

TEXT = '''program = "landesk_support"
note = """a multi-line string that mentions
tier = "not a key"
"""
options = [
  "a", "b]",  # a bracket inside a string
  "c",
]
tier = 'enterprise'   # the real key
"start" = 2027-01-01
[customer]
org = "ООО «Ромашка»"
[[products]]
name = "A"
[[products]]
name = "B"
quantity = 3
a.b = 1
'''


@pytest.mark.parametrize(("path", "where"), [
    (("program",), (1, 1)),
    (("note",), (2, 1)),
    (("options",), (5, 1)),
    (("tier",), (9, 1)),  # not line 3, inside the string
    (("start",), (10, 2)),  # a quoted key: its first letter
    (("customer",), (11, 2)),
    (("customer", "org"), (12, 1)),
    (("products", 0), (13, 3)),
    (("products", 0, "name"), (14, 1)),
    (("products", 1, "name"), (16, 1)),
    (("products", 1, "quantity"), (17, 1)),
    (("products", 1, "a", "b"), (18, 3)),
])
def test_every_key_is_found_where_it_is_written(path: tuple[str | int, ...], where: tuple[int, int]) -> None:
    assert key_positions(TEXT)[path] == where


def test_a_key_not_written_points_at_its_table() -> None:
    assert locate(TEXT, "products", 0, "quantity") == (13, 3)
    assert locate(TEXT, "nowhere") == (1, 1)


def test_a_contract_error_points_at_the_key_not_a_mention_of_it(tmp_path: Path) -> None:
    from policy_lang.semantics.contracts import read_contract

    c = tmp_path / "c.toml"
    c.write_text('program = "landesk_support"\nnote_for_lawyers = """\ntier = "x"\n"""\n'
                 'tier = "nonexistent"\nstart = 2027-01-01\nyears = 1\n', encoding="utf-8")
    import policy_lang.frontend as compiler

    root = Path(__file__).resolve().parents[2] / "policies"
    prog = compiler.compile_file(root / "landesk_support.policy", root).program
    assert prog is not None
    _, diags = read_contract(c, {prog.id: prog})
    by_message = {d.message.split("`")[1] if "`" in d.message else d.message: d.span.line for d in diags}
    assert by_message["note_for_lawyers"] == 2  # the unknown key, on its own line
    assert by_message["nonexistent"] == 5  # the tier, not line 3 inside the string
