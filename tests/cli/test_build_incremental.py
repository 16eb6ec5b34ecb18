"""`policyc build` renders only the programs whose own inputs changed (their file, includes, annex.toml
section, contract); `--check` still renders everything, names exactly the stale files, `--diff` shows
what changed, and PDFs made with other fonts than here are said to be so, not just "stale"."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policy_lang.backends.annex.pdf import problems as pdf_problems
from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]
FAST = "python,md"  # the incremental logic is the same for every kind; PDF only where fonts matter
INCLUDERS = ["landesk_support", "shavlik_support", "wavelink_support", "landesk_support--romashka_landesk"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def build_json(*args: str) -> dict[str, object]:
    res = invoke("build", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    data: dict[str, object] = json.loads(res.stdout)
    return data


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The repository's six programs, their includes, annex.toml and both contracts, in tmp_path."""
    shutil.copytree(REPO / "policies", tmp_path / "policies", ignore=shutil.ignore_patterns("examples"))
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    return tmp_path


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`project` after one `--only python,md` build into gen/, made once for the module: the starting
    point of the tests below that edit something after a first build (the first build itself is
    test_editing_one_program_renders_that_program_only's). Tests get copies (`built`), never this."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(REPO / "policies", root / "policies", ignore=shutil.ignore_patterns("examples"))
    shutil.copytree(REPO / "contracts", root / "contracts")
    build_json(str(root / "policies"), "--out", str(root / "gen"), "--only", FAST)
    return root


@pytest.fixture()
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of `built_once` for one test to edit: sources, outputs and manifest, every mtime kept
    (copy2), so the copy's next build finds it up to date, as the build that made it would."""
    root = tmp_path / "built"
    shutil.copytree(built_once, root, symlinks=True)
    return root


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(n for n in after if before.get(n) != after[n] and n != ".manifest.json")


TAM_TITLE = 'title   "Аккаунт менеджер по техническим вопросам (ТАМ) LANDESK"'
TAM_EDITED = 'title   "Аккаунт менеджер по техническим вопросам (ТАМ) LANDESK, правка"'


def test_editing_one_program_renders_that_program_only(project: Path) -> None:
    out = project / "gen"
    first = build_json(str(project / "policies"), "--out", str(out), "--only", FAST)
    assert first["rendered"] == ["juniper_care_core", "landesk_cloud_appliance", "landesk_support", "landesk_tam",
                                 "shavlik_support", "wavelink_support", "landesk_support--romashka_landesk",
                                 "landesk_tam--vektor_tam"]
    before = mtimes(out)
    edit(project / "policies" / "landesk_tam.policy", TAM_TITLE, TAM_EDITED)
    again = build_json(str(project / "policies"), "--out", str(out), "--only", FAST)
    # the instance of landesk_tam (its contract binds the program) is made from it too
    assert again["rendered"] == ["landesk_tam", "landesk_tam--vektor_tam"]
    assert changed(before, mtimes(out)) == ["annex/landesk_tam--vektor_tam.md", "annex/landesk_tam.md",
                                            "python/landesk_tam.py"]
    assert again["written"] == 3 and again["unchanged"] == 11
    noop = build_json(str(project / "policies"), "--out", str(out), "--only", FAST)
    assert noop["rendered"] == [] and noop["written"] == 0 and noop.get("up_to_date") is True
    res = invoke("build", str(project / "policies"), "--out", str(out), "--only", FAST)
    assert res.exit_code == 0 and "nothing changed" in res.output, res.output


def test_text_report_names_what_was_rendered(built: Path) -> None:
    out = built / "gen"
    edit(built / "policies" / "juniper_care_core.policy", '"Juniper Care Core"', '"Juniper Care Core+"')
    res = invoke("build", str(built / "policies"), "--out", str(out), "--only", FAST)
    assert res.exit_code == 0, res.output
    assert "2 file(s) written, 12 unchanged (rendered juniper_care_core; 7 up to date)" in res.output, res.output


def test_editing_a_shared_include_renders_its_includers_only(built: Path) -> None:
    out = built / "gen"
    before = mtimes(out)
    shared = built / "policies" / "shared" / "landesk_terms.policy"
    shared.write_text(shared.read_text(encoding="utf-8") + "\n# an edit of the shared terms\n", encoding="utf-8")
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert again["rendered"] == INCLUDERS
    assert changed(before, mtimes(out)) == sorted(
        [f"annex/{i}.md" for i in INCLUDERS] + [f"python/{i}.py" for i in INCLUDERS if "--" not in i])


def test_editing_a_contract_renders_its_instance_only(built: Path) -> None:
    out = built / "gen"
    before = mtimes(out)
    edit(built / "contracts" / "romashka_landesk.toml", 'name = "И. И. Иванов"', 'name = "И. И. Сидоров"')
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert again["rendered"] == ["landesk_support--romashka_landesk"]
    assert changed(before, mtimes(out)) == ["annex/landesk_support--romashka_landesk.md"]
    assert "Сидоров" in (out / "annex" / "landesk_support--romashka_landesk.md").read_text(encoding="utf-8")


def test_editing_one_section_of_annex_toml_renders_that_program_only(built: Path) -> None:
    out = built / "gen"
    before = mtimes(out)
    cfg = built / "policies" / "annex.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[programs.shavlik_support]\nannex_number = "7"\n',
                   encoding="utf-8")
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert again["rendered"] == ["shavlik_support"]
    assert changed(before, mtimes(out)) == ["annex/shavlik_support.md"]  # the evaluator's bytes are the same


def test_other_kinds_of_a_program_built_earlier_are_not_taken_as_up_to_date(built: Path) -> None:
    """`--only python` after an edit renders the evaluator; the Markdown made before the edit is not
    listed as made from the new inputs, so the next full-kind build renders it."""
    out = built / "gen"
    edit(built / "policies" / "landesk_tam.policy", TAM_TITLE, TAM_EDITED)
    assert build_json(str(built / "policies"), "--out", str(out), "--only", "python")["rendered"] == ["landesk_tam"]
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert "landesk_tam" in again["rendered"]  # type: ignore[operator]
    assert "правка" in (out / "annex" / "landesk_tam.md").read_text(encoding="utf-8")


def test_an_output_edited_by_hand_is_rendered_again(built: Path) -> None:
    out = built / "gen"
    (out / "annex" / "wavelink_support.md").write_text("hand edit", encoding="utf-8")
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert again["rendered"] == ["wavelink_support"] and again["written"] == 1
    assert (out / "annex" / "wavelink_support.md").read_text(encoding="utf-8") != "hand edit"


def test_check_after_an_edit_names_exactly_the_stale_files(built: Path) -> None:
    out = built / "gen"
    edit(built / "contracts" / "vektor_tam.toml", "[customer]", "[customer]\n# edited")
    edit(built / "policies" / "juniper_care_core.policy", '"Juniper Care Core"', '"Juniper Care Core+"')
    res = invoke("build", "--check", str(built / "policies"), "--out", str(out), "--only", FAST, "--format", "json")
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    # a comment in a contract changes its hash but not its annex: --check compares bytes, not hashes
    assert data["stale"] == ["annex/juniper_care_core.md", "python/juniper_care_core.py"]
    assert data["missing"] == [] and data["extra"] == [] and data["stray"] == []
    res = invoke("build", "--check", str(built / "policies"), "--out", str(out), "--only", FAST)
    assert res.exit_code == 1
    stale = res.output.split("stale:\n", 1)[1].split("fix:", 1)[0].split()
    assert stale == [str(out / "annex/juniper_care_core.md"), str(out / "python/juniper_care_core.py")]


def test_check_diff_shows_the_changed_lines(project: Path) -> None:
    out = project / "gen"
    build_json(str(project / "policies"), "--out", str(out), "--only", "python,md,html")
    edit(project / "policies" / "landesk_tam.policy", TAM_TITLE, TAM_EDITED)
    res = invoke("build", "--check", "--diff", str(project / "policies"), "--out", str(out), "--only", "python,md,html")
    assert res.exit_code == 1, res.output
    lines = res.stdout.splitlines()
    assert f"--- {out / 'annex/landesk_tam.md'} (on disk)" in lines
    assert f"+++ {out / 'python/landesk_tam.py'} (fresh)" in lines
    assert any(line.startswith("+") and "правка" in line and "title=" in line for line in lines)  # the evaluator
    assert any(line.startswith("-") and "правка" not in line and "title=" in line for line in lines)
    assert any(line.startswith("+#") and "правка" in line for line in lines)  # the Markdown heading
    html = [line for line in lines if line.startswith(str(out / "annex/landesk_tam.html"))]
    assert len(html) == 1 and " differs: on disk " in html[0] and "sha256" in html[0]
    res = invoke("build", "--check", "--diff", str(project / "policies"), "--out", str(out), "--only", "python,md",
                 "--format", "json")
    data = json.loads(res.stdout)
    assert sorted(data["diff"]) == ["annex/landesk_tam--vektor_tam.md", "annex/landesk_tam.md",
                                    "python/landesk_tam.py"]
    assert "правка" in data["diff"]["python/landesk_tam.py"]


def test_diff_goes_with_check(project: Path) -> None:
    res = invoke("build", "--diff", str(project / "policies"), "--out", str(project / "gen"))
    assert res.exit_code == 2 and "--diff goes with --check" in res.output and "Traceback" not in res.output


@pytest.fixture()
def one_program(tmp_path: Path) -> Path:
    """One program with every kind, PDF included (the fonts are about PDFs), no contracts."""
    if pdf_problems():
        pytest.skip("; ".join(pdf_problems()))
    root = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", root / "shared")
    for name in ("juniper_care_core.policy", "annex.toml"):
        shutil.copy(REPO / "policies" / name, root / name)
    return root


def test_fonts_are_recorded_and_a_difference_is_said_as_such(one_program: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert build_json(str(one_program), "--out", str(out))["rendered"] == ["juniper_care_core"]
    manifest_path = out / ".manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    fonts = manifest["fonts"]
    assert fonts and all(set(f) == {"family", "style", "file", "version", "sha256"} for f in fonts)
    assert any(f["family"] == "Liberation Serif" for f in fonts), fonts
    assert invoke("build", "--check", str(one_program), "--out", str(out)).exit_code == 0

    # the machine that built these had another Liberation Serif Regular
    regular = next(f for f in fonts if f["family"] == "Liberation Serif" and f["style"] == "Regular")
    other = dict(regular, version="100000", sha256="0" * 64)
    manifest["fonts"] = [other if f == regular else f for f in fonts]
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    res = invoke("build", "--check", str(one_program), "--out", str(out))
    assert res.exit_code == 1, res.output
    assert "fonts differ: recorded Liberation Serif Regular (LiberationSerif-Regular.ttf, version 100000, " \
           "sha256 000000000000), here Liberation Serif Regular (LiberationSerif-Regular.ttf, version " \
           f"{regular['version']}, sha256 {regular['sha256'][:12]})" in res.output, res.output
    assert "stale:" not in res.output  # the PDF bytes are the same: the manifest records the other fonts

    pdf = out / "annex" / "juniper_care_core.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%made elsewhere\n")  # and its bytes differ, as they would
    saved = manifest_path.read_text(encoding="utf-8")
    res = invoke("build", "--check", str(one_program), "--out", str(out))
    assert res.exit_code == 1 and "stale:" not in res.output, res.output
    listed = res.output.split("fonts differ:", 1)[1].split("fix:", 1)[0].splitlines()[1:]
    assert [line.strip() for line in listed] == [str(pdf)]
    res = invoke("build", "--check", str(one_program), "--out", str(out), "--format", "json")
    data = json.loads(res.stdout)
    assert data["stale"] == [] and data["fonts_differ"]["files"] == ["annex/juniper_care_core.pdf"]
    assert data["fonts_differ"]["message"].startswith("fonts differ: recorded Liberation Serif Regular")

    # another file stale for another reason is still called stale
    (out / "annex" / "juniper_care_core.md").write_text("hand edit", encoding="utf-8")
    res = invoke("build", "--check", str(one_program), "--out", str(out), "--format", "json")
    assert json.loads(res.stdout)["stale"] == ["annex/juniper_care_core.md"]

    # a build with the fonts here renders the PDF again and records them
    assert manifest_path.read_text(encoding="utf-8") == saved
    again = build_json(str(one_program), "--out", str(out))
    assert again["rendered"] == ["juniper_care_core"]
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["fonts"] == fonts
    assert invoke("build", "--check", str(one_program), "--out", str(out)).exit_code == 0


def test_a_manifest_from_before_per_program_hashes_renders_everything(built: Path) -> None:
    out = built / "gen"
    manifest_path = out / ".manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["programs"]
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    again = build_json(str(built / "policies"), "--out", str(out), "--only", FAST)
    assert len(again["rendered"]) == 8 and again["written"] == 0  # type: ignore[arg-type]
    assert "programs" in json.loads(manifest_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("programs", ['[]', '{"x": {"inputs": "nope", "outputs": []}}',
                                      '{"x": {"inputs": "' + "a" * 64 + '", "outputs": ["../x"]}}'])
def test_a_malformed_programs_record_is_not_our_manifest(built: Path, programs: str) -> None:
    out = built / "gen"
    manifest_path = out / ".manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["programs"] = json.loads(programs)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    res = invoke("build", str(built / "policies"), "--out", str(out), "--only", FAST)
    assert res.exit_code == 0 and "not a manifest written by policyc" in res.output, res.output
    assert "Traceback" not in res.output
