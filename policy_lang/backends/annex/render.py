"""Render a checked program into its Russian contract annex: Markdown, HTML, DOCX and PDF."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup

from ... import model
from ...runtime import ru_text
from ...typography import bind_short_words, typeset
from .config import AnnexConfig, load_annex_config
from .filters import FILTERS, TEXT, well_formed
from .view import AnnexView, build_view

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


def _environment(kind: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("policy_lang", "templates/annex"),
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
    return env


_ENVS: dict[str, jinja2.Environment] = {}


def environment(kind: str) -> jinja2.Environment:
    if kind not in _ENVS:
        _ENVS[kind] = _environment(kind)
    return _ENVS[kind]


def render_markdown(view: AnnexView) -> str:
    text = bind_short_words(well_formed(environment("md").get_template("md/annex.md.j2").render(v=view)))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def render_html(view: AnnexView) -> str:
    text = bind_short_words(well_formed(environment("html").get_template("html/annex.html.j2").render(v=view)))
    return re.sub(r"\n{2,}", "\n", text).strip("\n") + "\n"


def render_annex(program: model.Program, config: AnnexConfig) -> dict[str, bytes]:
    """Every annex file of `program`, as deterministic bytes keyed by file name."""
    from .docx import render_docx
    from .pdf import render_pdf

    view = build_view(program, config)
    html = render_html(view)
    return {
        f"{program.id}.md": render_markdown(view).encode("utf-8"),
        f"{program.id}.html": html.encode("utf-8"),
        f"{program.id}.docx": render_docx(view, environment("xml")),
        f"{program.id}.pdf": render_pdf(html, program),
    }
