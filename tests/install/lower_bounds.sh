#!/usr/bin/env bash
# The dependency ranges' lower bounds work: install constraints/lower.txt into a fresh venv (with the
# runtime and the compiler, the [pdf] extra included) and run a representative part of the tests there:
# every policy compiled, python+md+html(+docx) built and imported, queries answered, the runtime's own tests.
#   bash tests/install/lower_bounds.sh            # a temporary venv, removed afterwards
#   LOWER_VENV=/tmp/lower bash tests/install/lower_bounds.sh   # keep (and reuse) the venv
# Needs network access to the package index (or PIP_FIND_LINKS/PIP_NO_INDEX set to a wheelhouse).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-python3}
if [ -n "${LOWER_VENV:-}" ]; then
  venv=$LOWER_VENV
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  venv=$tmp/venv
fi
[ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
# lark (a dev dependency: the parser is its standalone module) at its lower bound; the test tools are not
# constrained beyond the library bounds (they must accept them: hypothesis and
# jsonschema need attrs, for one)
"$venv/bin/python" -m pip install -q -c constraints/lower.txt -e ./runtime -e '.[pdf]' \
  lark pytest pytest-xdist syrupy hypothesis holidays pandas pypdf jsonschema hatchling mypy
"$venv/bin/python" -m pip check
# every bound of constraints/lower.txt is what got installed, not something newer
"$venv/bin/python" - <<'PYEOF'
import re, sys
from importlib.metadata import version
from pathlib import Path
bad = []
for line in Path("constraints/lower.txt").read_text().splitlines():
    line = line.split("#")[0].strip()
    if line:
        name, want = re.split(r"==", line)
        got = version(name)
        print(f"{name:12} {got}")
        if got != want:
            bad.append(f"{name}: {got} installed, {want} wanted")
sys.exit("\n".join(bad) or None)
PYEOF
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" \
  tests/semantics/test_programs.py tests/runtime tests/contracts tests/examples \
  tests/backends tests/annex tests/install tests/test_one_decision.py
