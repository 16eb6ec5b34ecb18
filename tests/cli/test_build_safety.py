"""`policyc build` writes nothing outside `--out` and trusts nothing that can be edited (issue 16,
the reliability probe of 2026-12-04): refused output directories, symlinks and FIFOs at output paths,
a tampered output with its hash, malformed manifests, killed and concurrent builds, PDF workers that
die with the build, PDF prerequisites, no compiler run by WeasyPrint. Real processes, no mocks."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policy_lang.backends.annex import pdf
from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]
PY = [sys.executable, "-m", "policy_lang.cli"]
FAST = ("--only", "python,md")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PY, *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the policies (two programs) and the contracts beside them."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "policies" / "shared", root / "policies" / "shared")
    for name in ("juniper_care_core.policy", "landesk_tam.policy", "annex.toml"):
        shutil.copy(REPO / "policies" / name, root / "policies" / name)
    return root


@pytest.fixture()
def full(tmp_path: Path) -> Path:
    """A copy of all the seed policies and contracts."""
    root = tmp_path / "full"
    shutil.copytree(REPO / "policies", root / "policies", ignore=shutil.ignore_patterns("examples"))
    shutil.copytree(REPO / "contracts", root / "contracts")
    return root


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def no_staging(out: Path) -> bool:
    return not list(out.glob(".staging-*")) and not (out / ".journal.json").exists() \
        and not list(out.parent.glob(f".{out.name}.staging-*"))


# -- the output directory is the build's -------------------------------------------------------

def test_out_dot_or_the_current_directory_with_git_is_refused(project: Path) -> None:
    """`--out .` gave an OSError traceback; `--out "$PWD"` replaced the project with its .git."""
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = tree(project)
    for out in (".", str(project), f"{project}/"):
        res = run("build", "policies", "--out", out, *FAST, cwd=project)
        assert res.returncode == 2 and "current directory" in res.stderr and "Traceback" not in res.stderr, res.stderr
    res = run("build", "policies", "--out", ".", "--format", "json", cwd=project)
    assert res.returncode == 2 and json.loads(res.stdout)["error"]["kind"] == "usage"
    res = run("build", "project/policies", "--out", "project", "--force", *FAST, cwd=project.parent)
    assert res.returncode == 2 and "git repository" in res.stderr
    assert tree(project) == before and no_staging(project)


def test_a_repository_root_is_refused(project: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    res = invoke("build", str(project / "policies"), "--out", str(repo), *FAST)
    assert res.exit_code == 2 and "git repository" in res.output
    assert [p.name for p in repo.iterdir()] == [".git"]


def test_out_at_the_sources_is_refused_and_prune_deletes_no_source(project: Path) -> None:
    """C2: `--out policies` then `--prune` deleted every source, as the tool suggested."""
    policies = project / "policies"
    (project / "contracts").mkdir()
    before = tree(project)
    for out in (policies, project, project / "contracts"):
        for extra in ((), ("--prune",), ("--force", "--prune"), ("--check",)):
            res = invoke("build", str(policies), "--out", str(out), *FAST, *extra)
            assert res.exit_code == 2 and "Traceback" not in res.output, res.output
            assert ("the policies directory" in res.output or "the contracts directory" in res.output), res.output
            assert "--prune" not in res.output
    one = policies / "juniper_care_core.policy"
    res = invoke("build", str(one), "--out", str(one), *FAST)
    assert res.exit_code == 2 and "is a file" in res.output
    assert tree(project) == before


def test_a_directory_of_other_files_is_refused_unless_force(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    (project / "policies" / "landesk_tam.policy").unlink()  # one program: one PDF per whole build
    (out / "python").mkdir(parents=True)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "python" / "helper.py").write_text("mine", encoding="utf-8")
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 2 and "2 file(s) no build wrote" in res.output and "--force" in res.output
    assert sorted(tree(out)) == ["notes.txt", "python/helper.py"]
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST, "--format", "json")
    assert res.exit_code == 2 and "notes.txt" in json.loads(res.stdout)["error"]["message"]
    res = invoke("build", str(project / "policies"), "--out", str(out), "--force")
    assert res.exit_code == 0, res.output
    assert "no build wrote are left alone" in res.output
    res = invoke("build", "--check", str(project / "policies"), "--out", str(out))
    assert res.exit_code == 1 and "helper.py" in res.output and "remove them by hand" in res.output
    assert "--prune" not in res.output
    # prune never deletes what the build did not write
    res = invoke("build", str(project / "policies"), "--out", str(out), "--force", "--prune")
    assert res.exit_code == 0, res.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "python" / "helper.py").read_text(encoding="utf-8") == "mine"
    assert no_staging(out)


def test_out_that_is_a_symlink_is_refused(project: Path, tmp_path: Path) -> None:
    """M10: the link was replaced by a real directory and a staging link left behind."""
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "gen"
    link.symlink_to(real)
    for extra in ((), ("--check",)):
        res = invoke("build", str(project / "policies"), "--out", str(link), *FAST, *extra)
        assert res.exit_code == 2 and "symbolic link" in res.output and str(real) in res.output
    assert link.is_symlink() and not list(real.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen", "project", "real"]
    assert invoke("build", str(project / "policies"), "--out", str(real), *FAST).exit_code == 0


def test_a_symlink_at_an_output_path_is_replaced_not_written_through(project: Path, tmp_path: Path) -> None:
    """C1: the victim the link pointed at received annex Markdown, mode 0644."""
    out = tmp_path / "gen"
    assert invoke("build", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    victim = tmp_path / "victim"
    victim.write_text("SECRET\n", encoding="utf-8")
    victim.chmod(0o600)
    md = out / "annex" / "juniper_care_core.md"
    good = md.read_bytes()
    md.unlink()
    md.symlink_to(victim)
    res = invoke("build", "--check", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 1 and str(md) in res.output  # a link is not the output
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 0, res.output
    assert victim.read_text(encoding="utf-8") == "SECRET\n" and victim.stat().st_mode & 0o777 == 0o600
    assert not md.is_symlink() and md.read_bytes() == good and md.stat().st_mode & 0o777 == 0o644
    # a link to a directory where annex/ goes is refused, never written through
    shutil.rmtree(out / "annex")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "annex").symlink_to(elsewhere)
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST, "--force")
    assert res.exit_code == 2 and "in the way" in res.output
    assert not list(elsewhere.iterdir())


def test_fifos_directories_and_links_to_fifos_at_output_paths(project: Path, tmp_path: Path) -> None:
    """M11: shutil.Error, IsADirectoryError, FileExistsError or a hang."""
    out = tmp_path / "gen"
    assert invoke("build", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    good = tree(out)
    fifo = out / "annex" / "juniper_care_core.md"
    fifo.unlink()
    os.mkfifo(fifo)
    link = out / "python" / "landesk_tam.py"
    link.unlink()
    os.mkfifo(tmp_path / "elsewhere.fifo")
    link.symlink_to(tmp_path / "elsewhere.fifo")
    res = invoke("build", "--check", str(project / "policies"), "--out", str(out), *FAST, "--format", "json")
    assert res.exit_code == 1 and sorted(json.loads(res.stdout)["stale"]) == [
        "annex/juniper_care_core.md", "python/landesk_tam.py"]
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 0, res.output
    assert tree(out) == good and not fifo.is_fifo() and not link.is_symlink()
    # a directory where an output goes: refused (never deleted), the rest untouched
    md = out / "annex" / "landesk_tam.md"
    md.unlink()
    (md / "inner").mkdir(parents=True)
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST, "--force")
    assert res.exit_code == 2 and str(md) in res.output and "in the way" in res.output
    assert (md / "inner").is_dir() and no_staging(out)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1)")
def test_a_read_only_parent_does_not_matter(project: Path, tmp_path: Path) -> None:
    """M9: `--out ro/gen` with gen writable and ro not failed (staging was made beside gen). Made
    for real in a private mount namespace: ro is a read-only bind mount, gen a writable one on it."""
    ro, spare = tmp_path / "ro", tmp_path / "spare"
    (ro / "gen").mkdir(parents=True)
    (ro / "other").mkdir()
    spare.mkdir()
    script = (f'mount --bind "{ro}" "{ro}" && mount -o remount,bind,ro "{ro}" && '
              f'mount --bind "{spare}" "{ro}/gen" || exit 99; '
              f'for out in gen new/gen other; do {" ".join(PY)} build "{project / "policies"}" '
              f'--out "{ro}/$out" --only python,md; echo "rc=$?"; done')
    res = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300, check=False)
    if "rc=" not in res.stdout:
        pytest.skip(f"no private mount namespace here: {res.stderr.strip()[:200]}")
    assert res.stdout.split() == ["built", "2", "program(s):", "4", "file(s)", "written,", "0", "unchanged",
                                  "rc=0", "rc=2", "rc=2"], (res.stdout, res.stderr)
    assert "cannot create it" in res.stderr and "is not writable" in res.stderr and "Traceback" not in res.stderr
    assert sorted(tree(spare)) == [".manifest.json", "annex/juniper_care_core.md", "annex/landesk_tam.md",
                                   "python/juniper_care_core.py", "python/landesk_tam.py"]


# -- nothing trusted that can be edited ----------------------------------------------------------

def test_an_edited_output_with_its_hash_fails_check(project: Path, tmp_path: Path) -> None:
    """C4: edit a module and its hash in the manifest: `--check` said "up to date"."""
    out = tmp_path / "gen"
    assert invoke("build", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    module = out / "python" / "landesk_tam.py"
    text = module.read_text(encoding="utf-8")
    cell = "'working_time', 7200,"  # a response target cell: 2 working hours
    assert cell in text
    module.write_text("import os\n" + text.replace(cell, "'working_time', 720000,", 1), encoding="utf-8")
    manifest = out / ".manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"]["python/landesk_tam.py"] = hashlib.sha256(module.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    res = invoke("build", "--check", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 1 and str(module) in res.output and "stale" in res.output, res.output


def test_junk_beside_a_dummy_nested_manifest_is_reported(project: Path, tmp_path: Path) -> None:
    """m9: any subdirectory with a .manifest.json was skipped by the extra-file check. A real nested
    build (generated/examples) is left alone and not counted."""
    out = tmp_path / "gen"
    full = project
    (project / "policies" / "landesk_tam.policy").unlink()  # one program: one PDF per check
    assert invoke("build", str(full / "policies"), "--out", str(out)).exit_code == 0
    examples = REPO / "policies" / "examples"
    one = min(examples.glob("*.policy"))
    res = invoke("build", str(one), "--out", str(out / "examples"), "--only", "python")
    assert res.exit_code == 0, res.output
    assert invoke("build", "--check", str(full / "policies"), "--out", str(out)).exit_code == 0
    junk = out / "junk"
    junk.mkdir()
    (junk / "evil.py").write_text("import os\n", encoding="utf-8")
    for dummy in ("{}", json.dumps({"inputs": "x", "outputs": {"evil.py": hashlib.sha256(b"import os\n").hexdigest()}})):
        (junk / ".manifest.json").write_text(dummy, encoding="utf-8")
        res = invoke("build", "--check", str(full / "policies"), "--out", str(out), "--format", "json")
        assert res.exit_code == 1 and "junk/evil.py" in json.loads(res.stdout)["extra"], res.output
    shutil.rmtree(junk)
    # a file slipped into the nested build's python/ that its manifest does not list
    (out / "examples" / "python" / "evil.py").write_text("import os\n", encoding="utf-8")
    res = invoke("build", "--check", str(full / "policies"), "--out", str(out), "--format", "json")
    assert res.exit_code == 1 and json.loads(res.stdout)["extra"] == ["examples/python/evil.py"]


@pytest.mark.parametrize("manifest", [
    "[" * 100_000,                              # M13: RecursionError
    '{"inputs": "x", "outputs": [1]}',          # M14: AttributeError
    '{"inputs": "x", "outputs": {"../../etc/passwd": "00"}}',
    "\xff\xfe not json",
    "",
])
def test_a_malformed_manifest_is_ignored_with_a_note(project: Path, tmp_path: Path, manifest: str) -> None:
    """Treated as no manifest: the files at the names this build writes are its outputs (rebuilt,
    with a note); `--check` reports the manifest stale."""
    out = tmp_path / "gen"
    assert invoke("build", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    good = tree(out)
    (out / ".manifest.json").write_text(manifest, encoding="utf-8", errors="surrogateescape")
    res = invoke("build", "--check", str(project / "policies"), "--out", str(out), *FAST, "--format", "json")
    assert res.exit_code == 1 and json.loads(res.stdout)["stale"] == [".manifest.json"], res.output
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 0 and "not a manifest written by policyc" in res.output, res.output
    assert tree(out) == good
    assert invoke("build", "--check", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    # ...while a file the build does not write makes it refuse
    (out / ".manifest.json").write_text(manifest, encoding="utf-8", errors="surrogateescape")
    (out / "python" / "mine.py").write_text("x", encoding="utf-8")
    res = invoke("build", str(project / "policies"), "--out", str(out), *FAST)
    assert res.exit_code == 2 and "mine.py" in res.output


def test_a_leftover_staging_directory_or_journal_is_stray_then_cleaned(project: Path, tmp_path: Path) -> None:
    """m2: a killed build's staging stayed and `--check` did not report it. A journal names files
    already durable in staging: the next build finishes the publish (rolls forward)."""
    out = tmp_path / "gen"
    policies = project / "policies"
    assert invoke("build", str(policies), "--out", str(out), *FAST).exit_code == 0
    (out / ".staging-4242" / "annex").mkdir(parents=True)
    (out / ".staging-4242" / "annex" / "half.md").write_text("half", encoding="utf-8")
    res = invoke("build", "--check", str(policies), "--out", str(out), *FAST, "--format", "json")
    assert res.exit_code == 1 and json.loads(res.stdout)["stray"] == [".staging-4242/"]
    res = invoke("build", str(policies), "--out", str(out), *FAST)
    assert res.exit_code == 0 and no_staging(out) and "nothing changed" in res.output
    # a publish interrupted after its journal: an edited edition, staged and journaled, not moved yet
    edition = policies / "landesk_tam.policy"
    edition.write_text(edition.read_text(encoding="utf-8").replace('edition "', 'edition "r9-', 1), encoding="utf-8")
    scratch = tmp_path / "scratch"
    assert invoke("build", str(policies), "--out", str(scratch), *FAST).exit_code == 0
    staged = out / ".staging-4243"
    for name in ("python/landesk_tam.py", "annex/landesk_tam.md", ".manifest.json"):
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(scratch / name, staged / name)
    (out / ".journal.json").write_text(json.dumps({"staging": ".staging-4243", "remove": [], "files": [
        ".manifest.json", "annex/landesk_tam.md", "python/landesk_tam.py"]}), encoding="utf-8")
    res = invoke("build", "--check", str(policies), "--out", str(out), *FAST, "--format", "json")
    assert res.exit_code == 1 and sorted(json.loads(res.stdout)["stray"]) == [".journal.json", ".staging-4243/"]
    res = invoke("build", str(policies), "--out", str(out), *FAST)
    assert res.exit_code == 0 and "nothing changed" in res.output, res.output  # rolled forward, then up to date
    assert tree(out) == tree(scratch) and no_staging(out)


# -- killed and concurrent builds ------------------------------------------------------------------

def _editions(out: Path) -> set[str]:
    """The edition each program's outputs on disk were built from."""
    found = set()
    for name in ("python/landesk_tam.py", "annex/landesk_tam.md"):
        text = (out / name).read_text(encoding="utf-8")
        found.add(text.split("edition='", 1)[1].split("'", 1)[0] if name.endswith(".py")
                  else text.split("ред. ", 1)[1].split(" ", 1)[0])
    return found


def test_killed_builds_never_leave_a_mix_that_passes_check(project: Path, tmp_path: Path) -> None:
    """SIGKILL at random moments: `--check` is clean only for one complete set; otherwise it names
    stale or stray files; the next build finishes and leaves no staging."""
    out = tmp_path / "gen"
    policies = project / "policies"
    cmd = [*PY, "build", str(policies), "--out", str(out), *FAST]
    start = time.monotonic()
    assert subprocess.run(cmd, capture_output=True, timeout=300, check=False).returncode == 0
    took = time.monotonic() - start  # the kills are spread over a build's own length, however fast the machine
    edition = policies / "landesk_tam.policy"
    rng = random.Random(16)
    outcomes = set()
    # from early (start-up, compiling) to late (publishing) and past the end: the first kill, at a tenth
    # of a full build, always lands mid-build
    for i, share in enumerate((0.1, 0.9, 0.5, 1.2, 0.3, 0.7, 0.2, 1.0)):
        text = edition.read_text(encoding="utf-8")
        edition.write_text(text.replace('edition "', f'edition "r{i}-', 1), encoding="utf-8")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(share * took * rng.uniform(0.8, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        res = invoke("build", "--check", str(policies), "--out", str(out), *FAST, "--format", "json")
        report = json.loads(res.stdout)
        if res.exit_code == 0:
            outcomes.add("clean")
            assert _editions(out) == {f"r{i}-" + text.split('edition "', 1)[1].split('"', 1)[0]}
        else:
            assert res.exit_code == 1 and (report["stale"] or report["stray"] or report["missing"]), report
            outcomes.add("stray" if report["stray"] else "stale")
            if not report["stray"]:
                assert len(_editions(out)) == 1, (i, "a mixed set without a stray file")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0 and no_staging(out), res.stderr
    assert invoke("build", "--check", str(policies), "--out", str(out), *FAST).exit_code == 0
    assert outcomes - {"clean"}, outcomes  # at least one kill landed mid-build


def test_concurrent_builds_of_one_out_wait_for_each_other(full: Path, tmp_path: Path) -> None:
    """C3: each build's cleanup deleted the other's staging (FileNotFoundError, files gone)."""
    out = tmp_path / "gen"
    policies = full / "policies"
    edition = policies / "landesk_tam.policy"
    edition.write_text(edition.read_text(encoding="utf-8").replace('edition "', 'edition "c-', 1), encoding="utf-8")
    cmd = [*PY, "build", str(policies), "--out", str(out), *FAST]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for rc, stdout, stderr in results:
        assert rc == 0 or (rc == 2 and "another build of" in stderr), (rc, stdout, stderr)
        assert "Traceback" not in stderr
    assert any(rc == 0 for rc, _, _ in results)
    assert invoke("build", "--check", str(policies), "--out", str(out), *FAST).exit_code == 0
    assert no_staging(out)


def test_a_held_lock_makes_the_build_stop_cleanly(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert invoke("build", str(project / "policies"), "--out", str(out), *FAST).exit_code == 0
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        res = run("build", str(project / "policies"), "--out", str(out), *FAST, "--format", "json",
                  env={"POLICY_LANG_LOCK_TIMEOUT": "0.5"})
        assert res.returncode == 2 and "another build of" in json.loads(res.stdout)["error"]["message"]
    finally:
        os.close(fd)
    assert run("build", str(project / "policies"), "--out", str(out), *FAST).returncode == 0


# -- PDF --------------------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _quiet_workers(pid: int) -> list[int]:
    """The build's children whose stdout is no longer the build's pipe (their initializer ran)."""
    found = []
    for kid in _children(pid):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{kid}/fd/1") == "/dev/null":
                found.append(kid)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux") or pdf.problems(), reason="needs Linux and WeasyPrint")
def test_pdf_workers_die_with_a_killed_build(project: Path, tmp_path: Path) -> None:
    """M1: after SIGKILL of the build, ProcessPoolExecutor workers lived on holding the output pipe:
    `policyc build … | cat` never ended. The workers are stopped (SIGSTOP) before the build is
    killed, so none can finish its job and leave by itself: only the kernel's parent-death signal
    ends them, and only a worker that let go of the pipe lets it reach EOF."""
    out = tmp_path / "gen"
    proc = subprocess.Popen([*PY, "build", str(project / "policies"), "--out", str(out), "--only", "pdf"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _quiet_workers(proc.pid)
        time.sleep(0.005)
    assert workers, "the build rendered its PDFs without workers"
    for w in workers:
        os.kill(w, signal.SIGSTOP)
    proc.kill()
    try:
        try:
            proc.communicate(timeout=60)  # EOF on both pipes: no worker holds them
        except subprocess.TimeoutExpired:
            pytest.fail("a PDF worker kept the build's output pipe open after the build was killed")
        deadline = time.monotonic() + 60
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(_alive(w) for w in workers), "a stopped PDF worker outlived the build"
    finally:
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
    res = invoke("build", str(project / "policies"), "--out", str(out), "--only", "pdf")
    assert res.exit_code == 0 and no_staging(out), res.output


@pytest.mark.skipif(not sys.platform.startswith("linux") or pdf.problems(), reason="needs Linux and WeasyPrint")
def test_no_compiler_runs_for_a_pdf_build(project: Path, tmp_path: Path) -> None:
    """m10: WeasyPrint/cffi ran gcc/ld ~12 times through ctypes.util.find_library, outputs in /tmp."""
    fake, marks = tmp_path / "bin", tmp_path / "marks"
    fake.mkdir()
    marks.mkdir()
    for tool in ("gcc", "cc", "ld", "objdump"):
        (fake / tool).write_text(f'#!/bin/sh\ntouch "{marks}/{tool}"\nexit 1\n', encoding="utf-8")
        (fake / tool).chmod(0o755)
    env = {"PATH": f"{fake}:{os.environ.get('PATH', '')}"}
    probe = subprocess.run([sys.executable, "-c", "import ctypes.util; ctypes.util.find_library('no-such-lib-16')"],
                           env={**os.environ, **env}, timeout=60, check=False)
    assert probe.returncode == 0 and list(marks.iterdir()), "the fake compiler is not seen: the test proves nothing"
    for mark in marks.iterdir():
        mark.unlink()
    res = run("build", str(project / "policies" / "juniper_care_core.policy"), "--out", str(tmp_path / "gen"),
              "--only", "pdf", "--format", "json", env=env)
    assert res.returncode == 0 and json.loads(res.stdout)["ok"] is True, res.stderr
    assert not list(marks.iterdir()), f"ran {[m.name for m in marks.iterdir()]}"
    assert (tmp_path / "gen" / "annex" / "juniper_care_core.pdf").read_bytes().startswith(b"%PDF")


def test_a_library_that_cannot_load_is_named_with_its_package() -> None:
    message = " ".join(pdf.problems([("libpango-1.0.so.0", "libpango-1.0-0"),
                                     ("libno-such-policy-lang-16.so.9", "libno-such-policy-lang16")]))
    if sys.platform.startswith("linux"):
        assert "libno-such-policy-lang-16.so.9" in message and "libno-such-policy-lang16" in message
        assert "--only python,md,html,docx" in message


@pytest.mark.skipif(shutil.which("unshare") is None or not pdf.css_fonts(), reason="needs unshare(1)")
def test_build_without_pango_is_a_usage_error_in_json(project: Path, tmp_path: Path) -> None:
    """Without Pango: a traceback, and with --format json WeasyPrint's banner was all of stdout.
    Pango made unloadable for real: /dev/null bound over the library in a private mount namespace."""
    lib = pdf._linker_cache().get("libpango-1.0.so.0")
    if lib is None:
        pytest.skip("no Pango here")
    real = os.path.realpath(lib)
    args = " ".join([*PY, "build", str(project / "policies"), "--out", str(tmp_path / "gen"), "--format", "json"])
    res = subprocess.run(["unshare", "-m", "sh", "-c", f'mount --bind /dev/null "{real}" || exit 99; exec {args}'],
                         capture_output=True, text=True, timeout=300, check=False)
    if res.returncode == 99:
        pytest.skip(f"no private mount namespace here: {res.stderr.strip()[:200]}")
    assert res.returncode == 2, (res.stdout, res.stderr)
    message = json.loads(res.stdout)["error"]["message"]  # the whole of stdout is one JSON document
    assert "libpango-1.0-0" in message and "--only python,md,html,docx" in message
    assert "Traceback" not in res.stderr and not (tmp_path / "gen").exists()


def test_build_without_fonts_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    """With no fonts at all Pango crashed the process (SIGSEGV)."""
    if not sys.platform.startswith("linux") or pdf.missing_libraries():
        pytest.skip("needs WeasyPrint's libraries")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{tmp_path}/no-fonts</dir>'
                    f'<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>\n', encoding="utf-8")
    res = run("build", str(project / "policies"), "--out", str(tmp_path / "gen"), env={"FONTCONFIG_FILE": str(conf)})
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "Liberation Serif" in res.stderr and "fonts-liberation2" in res.stderr and "Traceback" not in res.stderr
    assert "--only python,md,html,docx" in res.stderr
    res = run("build", str(project / "policies"), "--out", str(tmp_path / "gen"), "--only", "python,md,html,docx",
              env={"FONTCONFIG_FILE": str(conf)})
    assert res.returncode == 0, res.stderr
