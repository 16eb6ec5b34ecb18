"""Regenerate `policy_lang/syntax/_lark_parser.py`, the parser of `grammar/policy.lark`, with Lark's
standalone generator (`lark.tools.standalone`, Lark's supported way to ship a parser without Lark).

    .venv/bin/python tools/gen_parser.py          # rewrite the module
    .venv/bin/python tools/gen_parser.py --check  # exit 1 if it is not current

Run it after editing the grammar or upgrading Lark; `tests/syntax/test_parser_artifact.py` fails until
you do. The module is the generator's output as is, after one first comment line of ours that names
the grammar (its SHA-256) it was generated from. Lark numbers its parser states differently from run
to run, so two generations of the same grammar differ in their tables' numbering only: `--check`
compares the code and the grammar's hash, the test compares the tables up to that numbering.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policy_lang.syntax import grammar  # noqa: E402  (the repository's package, not an installed one)


def generate(text: str) -> str:
    """The module's text for the grammar `text`, from the installed Lark."""
    import lark
    from lark.tools.standalone import gen_standalone

    out = io.StringIO()
    gen_standalone(lark.Lark(text, **grammar.OPTIONS), out=out)
    return grammar.header(text) + out.getvalue()


def code_of(module: str) -> str:
    """The module without its tables (`DATA`, `MEMO`): what must be equal between generations."""
    head, sep, _tables = module.partition("\nDATA = (\n")
    assert sep, "not a module written by Lark's standalone generator"
    return head


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write: exit 1 if the module is not current")
    args = ap.parse_args()
    text = grammar.grammar_path().read_text(encoding="utf-8")
    new = generate(text)
    path = grammar.PARSER_MODULE
    if args.check:
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if not old or code_of(old) != code_of(new):
            print(f"{path.relative_to(REPO)} is not current: run tools/gen_parser.py", file=sys.stderr)
            return 1
        print(f"{path.relative_to(REPO)} is current")
        return 0
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
