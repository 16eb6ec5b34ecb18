"""`policyc build`: outputs written atomically and reproducibly; `--check` names stale files."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.build.output import write_atomic
from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the policies with two programs, built once into a scratch `generated/`."""
    root = tmp_path_factory.mktemp("build")
    policies = root / "policies"
    shutil.copytree(REPO / "policies" / "shared", policies / "shared")
    for name in ("juniper_care_core.policy", "landesk_tam.policy", "annex.toml"):
        shutil.copy(REPO / "policies" / name, policies / name)
    out = root / "generated"
    res = CliRunner().invoke(main, ["build", str(policies), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return policies, out


def test_build_writes_every_output(built: tuple[Path, Path]) -> None:
    _, out = built
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == sorted(
        [".manifest.json"] + [f"python/{p}.py" for p in ("juniper_care_core", "landesk_tam")]
        + [f"annex/{p}.{ext}" for p in ("juniper_care_core", "landesk_tam") for ext in ("md", "html", "docx", "pdf")])
    assert not list(out.rglob("*.tmp")), "no temporary files left behind"


def test_check_is_clean_right_after_a_build(built: tuple[Path, Path]) -> None:
    policies, out = built
    res = CliRunner().invoke(main, ["build", "--check", str(policies), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "up to date: 10 generated files" in res.output


def test_check_names_stale_and_missing_files_and_writes_nothing(built: tuple[Path, Path], tmp_path: Path) -> None:
    policies, out = built
    scratch = tmp_path / "generated"
    shutil.copytree(out, scratch)
    md = scratch / "annex" / "landesk_tam.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nhand edit\n", encoding="utf-8")
    (scratch / "python" / "juniper_care_core.py").unlink()
    res = CliRunner().invoke(main, ["build", "--check", str(policies), "--out", str(scratch)])
    assert res.exit_code == 1
    assert str(md) in res.output and str(scratch / "python" / "juniper_care_core.py") in res.output
    assert str(scratch / "annex" / "landesk_tam.pdf") not in res.output
    assert md.read_text(encoding="utf-8").endswith("hand edit\n")  # --check writes nothing


def test_check_names_a_manifest_from_other_inputs(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Every output right, but the manifest records other inputs (the compiler changed, its outputs
    did not): the next `make build` would rewrite it, so `--check` says so before it is committed."""
    policies, out = built
    scratch = tmp_path / "generated"
    shutil.copytree(out, scratch)
    manifest = scratch / ".manifest.json"
    text = manifest.read_text(encoding="utf-8")
    inputs = text.split('"inputs": "', 1)[1][:64]
    manifest.write_text(text.replace(inputs, "0" * 64), encoding="utf-8")
    res = CliRunner().invoke(main, ["build", "--check", str(policies), "--out", str(scratch)])
    assert res.exit_code == 1 and str(manifest) in res.output, res.output
    res = CliRunner().invoke(main, ["build", str(policies), "--out", str(scratch)])
    assert res.exit_code == 0 and manifest.read_text(encoding="utf-8") == text
    res = CliRunner().invoke(main, ["build", "--check", str(policies), "--out", str(scratch)])
    assert res.exit_code == 0, res.output


def test_rebuild_is_byte_identical(built: tuple[Path, Path], tmp_path: Path) -> None:
    policies, out = built
    again = tmp_path / "again"
    res = CliRunner().invoke(main, ["build", str(policies), "--out", str(again)])
    assert res.exit_code == 0, res.output
    for first in out.rglob("*"):
        if first.is_file():
            assert (again / first.relative_to(out)).read_bytes() == first.read_bytes(), first.name


def test_committed_outputs_are_up_to_date() -> None:
    res = CliRunner().invoke(main, ["build", "--check", str(REPO / "policies"), "--out", str(REPO / "generated")])
    assert res.exit_code == 0, res.output


def test_committed_example_outputs_are_up_to_date() -> None:
    """The examples corpus is built too (make build): its evaluators and annexes are committed."""
    res = CliRunner().invoke(main, ["build", "--check", str(REPO / "policies" / "examples"),
                                    "--out", str(REPO / "generated" / "examples")])
    assert res.exit_code == 0, res.output


def test_policy_errors_stop_the_build_with_status_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.policy"
    bad.write_text('program bad {\n  title "a"\n}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(bad), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1 and "error[P0102]" in res.output
    assert not (tmp_path / "out").exists()


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "annex.md"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):  # the write itself fails half-way: not bytes
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["annex.md"]
