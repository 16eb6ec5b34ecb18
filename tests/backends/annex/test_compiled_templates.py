"""The annex templates shipped compiled (templates/annex/compiled.marshal) are the current templates'
code, are what the environments load, and give the same text as templates compiled from source."""
from __future__ import annotations

import importlib.util
import marshal
from pathlib import Path

import jinja2
import pytest
from conftest import PROGRAM_IDS, program

from policy_lang.backends.annex import render
from policy_lang.backends.annex.view import build_view

KINDS = ("md", "html", "xml")


def _built_by_this_jinja_and_python() -> bool:
    """The artifact is made with the pinned Jinja (constraints/pins.txt); under another one (the
    lower-bounds run) it must be ignored and every template compiled from its source instead."""
    data = marshal.loads(render.COMPILED.read_bytes())
    return bool(data["jinja2"] == jinja2.__version__ and data["magic"] == importlib.util.MAGIC_NUMBER)


def test_artifact_was_built_from_the_current_templates() -> None:
    """Fails after an edit of a template under templates/annex: run `python -m policy_lang.backends.annex.render`."""
    data = marshal.loads(render.COMPILED.read_bytes())
    if not _built_by_this_jinja_and_python():
        assert render._load_compiled() == {}  # another Jinja or Python: the shipped code is not used
        return
    assert set(data["templates"]) == set(render.SHIPPED)
    for kind in KINDS:  # every environment generates the very code shipped
        env = render._environment(kind, compiled=False)
        assert env.loader is not None
        for name in render.SHIPPED:
            source, _, _ = env.loader.get_source(env, name)
            text_sha, python_sha, code = data["templates"][name]
            assert text_sha == render._sha(source), name
            assert python_sha == render._sha(env.compile(source, name, name, raw=True)), (kind, name)
            assert code == compile(env.compile(source, name, name, raw=True), name, "exec"), (kind, name)


def test_every_annex_template_is_shipped() -> None:
    env = render._environment("md", compiled=False)
    names = env.list_templates(filter_func=lambda n: n.endswith((".j2", ".css")))
    assert sorted(render.SHIPPED) == sorted(names)


def test_the_environments_load_the_shipped_code(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_compile(*args: object, **kwargs: object) -> object:
        raise AssertionError("a shipped template was compiled again")

    if not _built_by_this_jinja_and_python():
        assert render._load_compiled() == {}  # compiled from source instead, as the render tests show
        return
    for kind, name in (("md", "md/annex.md.j2"), ("html", "html/annex.html.j2"), ("xml", "docx/annex.xml.j2")):
        env = render._environment(kind)
        monkeypatch.setattr(env, "compile", no_compile)
        env.get_template(name)


def test_an_edited_template_is_compiled_from_its_text(tmp_path: Path) -> None:
    stale = {name: ("0" * 64, code[1], code[2]) for name, code in render._load_compiled().items()}
    env = render._environment("md")
    env.loader = render._Precompiled(stale)
    compiled: list[str] = []
    original = env.compile

    def spy(source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return original(source, name, *args, **kwargs)  # type: ignore[arg-type]

    env.compile = spy  # type: ignore[method-assign]
    env.get_template("md/annex.md.j2").render(v=build_view(program(PROGRAM_IDS[0]), render.AnnexConfig()))
    assert "md/annex.md.j2" in compiled and "_blocks.j2" in compiled


def test_an_artifact_of_another_version_is_ignored(tmp_path: Path) -> None:
    data = marshal.loads(render.COMPILED.read_bytes())
    other = tmp_path / "compiled.marshal"
    other.write_bytes(marshal.dumps({**data, "jinja2": "0.0"}))
    assert render._load_compiled(other) == {}
    other.write_bytes(b"not marshal")
    assert render._load_compiled(other) == {}
    assert render._load_compiled(tmp_path / "absent") == {}


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
def test_shipped_and_source_compiled_templates_render_the_same(program_id: str) -> None:
    view = build_view(program(program_id), render.AnnexConfig())
    for kind, name in (("md", "md/annex.md.j2"), ("html", "html/annex.html.j2"), ("xml", "docx/annex.xml.j2")):
        shipped = render._environment(kind).get_template(name).render(v=view)
        fresh = render._environment(kind, compiled=False).get_template(name).render(v=view)
        assert shipped == fresh, (kind, name)
