""".ci/system-deps in two sets: `make build` installs what building needs, never LibreOffice; `make test`
installs LibreOffice too and runs the whole suite. Run with a `dpkg` that finds nothing and an `apt-get`
that records what it is asked for (both on PATH, in tmp_path): the script's real decisions."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def requested(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    log = tmp_path / "apt.log"
    (fake / "dpkg").write_text("#!/bin/sh\nexit 1\n")  # nothing installed
    (fake / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    (fake / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    for name in ("dpkg", "apt-get", "sudo"):
        (fake / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    res = subprocess.run(["bash", str(REPO / ".ci" / "system-deps"), *args], env=env, capture_output=True,
                         text=True, timeout=60, check=False)
    installs = [line for line in (log.read_text().splitlines() if log.exists() else []) if line.startswith("install")]
    packages = [w for line in installs for w in line.split() if not w.startswith("-") and w != "install"]
    return res.returncode, packages, res.stderr


def test_the_build_set_has_no_libreoffice(tmp_path: Path) -> None:
    for args in ((), ("build",)):
        code, packages, _ = requested(tmp_path, *args)
        assert code == 0
        assert "libpango-1.0-0" in packages and "fonts-liberation2" in packages and "fonts-dejavu-core" in packages
        assert not any(p.startswith("libreoffice") for p in packages) and "poppler-utils" not in packages


def test_the_test_set_adds_libreoffice(tmp_path: Path) -> None:
    code, packages, _ = requested(tmp_path, "test")
    assert code == 0
    assert "libreoffice-writer-nogui" in packages and "poppler-utils" in packages and "libpango-1.0-0" in packages


def test_an_unknown_set_is_a_usage_error(tmp_path: Path) -> None:
    code, packages, err = requested(tmp_path, "everything")
    assert code == 2 and packages == [] and "usage:" in err


@pytest.mark.skipif(shutil.which("make") is None, reason="no make here")
def test_make_build_does_not_install_test_deps_and_make_test_does(tmp_path: Path) -> None:
    def plan(target: str) -> list[str]:
        res = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, timeout=60,
                             check=False)
        assert res.returncode == 0, res.stderr
        return res.stdout.splitlines()

    build = plan("build")
    assert "bash .ci/system-deps build" in build and not any("system-deps test" in line for line in build)
    test = plan("test")
    assert "bash .ci/system-deps test" in test and any(line.endswith("-m pytest") or " -m pytest" in line
                                                       for line in test)
