"""Render a checked program into its Russian contract annex: Markdown, HTML, DOCX and PDF."""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from markupsafe import Markup

from policy_lang.backends.annex.config import AnnexConfig, load_annex_config
from policy_lang.backends.annex.filters import FILTERS, GLOBALS, TEXT, well_formed
from policy_lang.backends.annex.view import AnnexView, build_view
from policy_lang.runtime import ru_text
from policy_lang.semantics import constructs, model
from policy_lang.typography import bind_short_words, typeset

__all__ = ["AnnexConfig", "load_annex_config", "render_annex", "render_html", "render_markdown"]


def _capfirst(text: Any) -> str:
    s = str(text)
    return s[:1].upper() + s[1:]


def _finalize(kind: str) -> Callable[[Any], Any]:
    """Escape text exactly once, for the format: every `{{ value }}` that is not already markup (the
    output of a macro, or of a filter that escaped it) goes through the format's text function, which
    also maps line and page breaks and drops characters the format cannot carry (see filters.clean).
    Jinja's own escaping (`autoescape`) then sees Markup and does nothing."""
    text = TEXT[kind][0]

    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return value
        if isinstance(value, str):
            value = typeset(value)  # Russian typography over every text from the policy, verbatim ones too
        return text(value)

    return finalize


#: The annex templates compiled ahead (`python -m policy_lang.backends.annex.render` writes it): each
#: template's code object as Jinja compiles it, with the sha256 of the template's text and of the
#: Python Jinja generates from it. Compiling the templates costs ~0.15 s per environment and process;
#: loading these ~1 ms. Used only for a template whose text is the recorded one, under the Jinja and
#: Python bytecode versions it was made with; anything else is compiled from the text as before.
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "annex"
COMPILED = TEMPLATES / "compiled.marshal"
#: The block kinds the annex prints, one template each: templates/annex/blocks/<kind>.j2 renders one
#: `view.Block` of that kind (its macro `block(v, s, b, f)`); `_blocks.j2` dispatches by kind.
BLOCK_KINDS = tuple(sorted(p.stem for p in (TEMPLATES / "blocks").glob("*.j2")))
#: The templates shipped compiled: every one the annex environments load.
SHIPPED = ("_blocks.j2", *(f"blocks/{k}.j2" for k in BLOCK_KINDS), "md/_fmt.md.j2", "md/annex.md.j2",
           "html/_fmt.html.j2", "html/annex.html.j2", "html/annex.css", "docx/_fmt.xml.j2", "docx/annex.xml.j2")

# every construct whose annex stage names a block kind has its template: else ConstructError at import
constructs.verify("annex", frozenset(BLOCK_KINDS))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _load_compiled(path: Path = COMPILED) -> dict[str, tuple[str, str, CodeType]]:
    """name -> (template sha256, generated Python sha256, code) when the artifact fits this Jinja and
    this Python; empty otherwise (never trusted beyond that: each template's text is checked on use)."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("jinja2") != jinja2.__version__ \
            or data.get("magic") != importlib.util.MAGIC_NUMBER or not isinstance(data.get("templates"), dict):
        return {}
    return {k: v for k, v in data["templates"].items()
            if isinstance(k, str) and isinstance(v, tuple) and len(v) == 3 and isinstance(v[2], CodeType)}


@functools.cache
def _shipped() -> dict[str, tuple[str, str, CodeType]]:
    return _load_compiled()


class _Precompiled(jinja2.PackageLoader):
    """The package's templates, taken from `COMPILED` when a template's text is the one it was
    compiled from (the same code Jinja would make of it), else compiled as usual."""

    def __init__(self, compiled: dict[str, tuple[str, str, CodeType]]) -> None:
        super().__init__("policy_lang", "templates/annex")
        self.compiled = compiled

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        shipped = self.compiled.get(name)
        if shipped is None:
            return super().load(environment, name, globals)
        source, _, uptodate = self.get_source(environment, name)
        if _sha(source) != shipped[0]:
            return super().load(environment, name, globals)  # edited since: compiled from its text
        return environment.template_class.from_code(environment, shipped[2], globals or {}, uptodate)


@jinja2.pass_environment
def block_template(env: jinja2.Environment, kind: str) -> Any:
    """The module of templates/annex/blocks/<kind>.j2, whose macro `block` prints one block of that
    kind. A kind with no template is a programming error, never an empty block: `ConstructError`."""
    try:
        return env.get_template(f"blocks/{kind}.j2").module
    except jinja2.TemplateNotFound:
        raise constructs.ConstructError(
            f"unknown annex block kind {kind!r}: there is no templates/annex/blocks/{kind}.j2") from None


def _environment(kind: str, compiled: bool = True) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_Precompiled(_shipped() if compiled else {}),
        autoescape=True,  # macros return Markup, so `finalize` can tell them from text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize(kind),
    )
    env.filters.update(FILTERS)
    env.filters["plain"] = TEXT[kind][1]  # text on one line: titles, attributes, document properties
    env.filters["capfirst"] = _capfirst
    env.filters["month_gen"] = lambda m: ru_text.month_ru(m, "gen")
    env.filters["cite"] = ru_text.cite  # the evaluator's own words for a clause ("раздел «…»")
    env.globals["NBSP"] = ru_text.NBSP
    env.globals["NL"] = Markup("\n")
    env.globals["block_template"] = block_template
    env.globals.update(GLOBALS)
    return env


_ENVS: dict[str, jinja2.Environment] = {}


def environment(kind: str) -> jinja2.Environment:
    if kind not in _ENVS:
        _ENVS[kind] = _environment(kind)
    return _ENVS[kind]


def compiled_bytes() -> bytes:
    """The `COMPILED` artifact for the current templates, Jinja and Python. The three environments
    generate the same Python from each template (their options are the same; `finalize` and the
    filters are looked up at render time), which tests/backends/annex/test_compiled_templates.py checks."""
    env = _environment("md", compiled=False)
    templates: dict[str, tuple[str, str, CodeType]] = {}
    assert env.loader is not None
    for name in SHIPPED:
        source, _, _ = env.loader.get_source(env, name)
        python = env.compile(source, name, name, raw=True)
        templates[name] = (_sha(source), _sha(python), compile(python, name, "exec"))
    return marshal.dumps({"jinja2": jinja2.__version__, "magic": importlib.util.MAGIC_NUMBER,
                          "templates": templates}, 4)


def regenerate(path: Path = COMPILED) -> Path:
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(compiled_bytes())
    tmp.replace(path)
    return path


def preload(kind: str) -> None:
    """Load the templates of a kind's environment now (in a process about to fork its workers)."""
    env = environment(kind)
    folder = {"md": "md/", "html": "html/", "xml": "docx/"}[kind]
    for name in SHIPPED:
        if name.startswith((folder, "blocks/")) or "/" not in name:
            env.get_template(name)


def render_markdown(view: AnnexView, env: jinja2.Environment | None = None) -> str:
    """`env`: another environment of kind "md" (a test renders from an edited template)."""
    env = env or environment("md")
    text = bind_short_words(well_formed(env.get_template("md/annex.md.j2").render(v=view)))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def render_html(view: AnnexView) -> str:
    text = bind_short_words(well_formed(environment("html").get_template("html/annex.html.j2").render(v=view)))
    return re.sub(r"\n{2,}", "\n", text).strip("\n") + "\n"


def render_annex(program: model.Program, config: AnnexConfig) -> dict[str, bytes]:
    """Every annex file of `program`, as deterministic bytes keyed by file name."""
    from policy_lang.backends.annex.docx import render_docx
    from policy_lang.backends.annex.pdf import render_pdf

    view = build_view(program, config)
    html = render_html(view)
    return {
        f"{program.id}.md": render_markdown(view).encode("utf-8"),
        f"{program.id}.html": html.encode("utf-8"),
        f"{program.id}.docx": render_docx(view, environment("xml")),
        f"{program.id}.pdf": render_pdf(html, program),
    }


if __name__ == "__main__":  # python -m policy_lang.backends.annex.render
    print(f"wrote {regenerate()}")
