"""Jinja filters for the annex templates: Russian wording from runtime.ru_text and runtime.sentences,
escaping per format."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import jinja2
from markupsafe import Markup, escape

from policy_lang.runtime import ru_text, sentences
from policy_lang.semantics import model
from policy_lang.typography import protected_spans

#: model units that ru_text knows under another name; the template adds "рабочего времени".
_UNIT = {"business_minute": "minute"}


def qty(d: model.Duration, case: str = "nom") -> str:
    """'1 часа' (gen): digits, no-break space, the unit agreeing in `case`."""
    return ru_text.any_quantity(d.amount, _UNIT.get(d.unit, d.unit), case)


def legal(d: model.Duration, case: str = "nom") -> str:
    """'шестьдесят (60) дней': the legal double form."""
    return ru_text.legal_quantity(d.whole, _UNIT.get(d.unit, d.unit), case)  # notices, renewals: whole


@jinja2.pass_environment
def say(env: jinja2.Environment, key: str, **values: Any) -> Markup:
    """`{{ say("targets.via", channels=...) }}`: the sentence `key` of runtime.sentences, as markup of
    the environment's format. The sentence is the template's own text (as a literal in the template
    would be); each field is escaped as a `{{ value }}` would be (the environment's `finalize`), unless
    it is markup already (the output of a macro, a `{% set %}` block or another `say`)."""
    fin = env.finalize
    assert fin is not None
    return Markup(sentences.say(key, **{k: v if isinstance(v, Markup) else fin(v) for k, v in values.items()}))


def label_case(label: str, case: str = "gen") -> str:
    """A party label in `case` (`{{ label|case("dat") }}`): runtime.sentences.label_case."""
    return sentences.label_case(label, case)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --------------------------------------------------------------------------- text, escaped once per format
#
# Every piece of policy or annex-config text reaches the output through exactly one of the functions
# below (the environment's `finalize`, or an explicit filter where the context is not running text).
# `clean` first makes the text something every format can carry:
#   * line breaks (CR LF, CR, LF, U+000B "vertical tab" - what Word pastes for Shift+Enter -, NEL,
#     U+2028, U+2029) become "\n"; U+000C (what Word pastes for a page break) stays "\f";
#   * every other character XML 1.0 does not allow, or that is an invisible control (C0 but tab, DEL,
#     C1, lone surrogates, U+FFFE, U+FFFF), is dropped: it has no printed form, and Word refuses it.
# Each format then maps "\n" and "\f" to what it means by a line or page break.

_BREAKS = re.compile("\r\n|[\n\r\x0b\x85\u2028\u2029]")
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
#: any character `clean` changes (a tab and a line feed are kept as they are, but "\r\n" is not)
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def clean(text: Any) -> str:
    """`text` with line breaks as "\\n", page breaks as "\\f", tabs kept and every other control dropped."""
    s = str(text)
    if _UNCLEAN.search(s) is None:  # nearly every text: nothing to do
        return s
    return _DROP.sub("", _BREAKS.sub("\n", s))


def _breaks(text: str, br: str) -> str:
    """Cleaned text with its line and page breaks as `br`."""
    return text.replace("\n", br).replace("\f", br) if "\n" in text or "\f" in text else text


def _flat(text: str) -> str:
    """Cleaned text on one line: breaks and tabs become spaces (titles, attributes, CSS strings)."""
    return re.sub("[\n\f\t]", " ", text)


# --- Markdown (CommonMark + GitHub tables) ---------------------------------------------------------

#: ASCII punctuation that Markdown (or GitHub's extensions) would read as syntax: emphasis, code,
#: links, raw HTML, table cells, headings, entity references (&amp;), strikethrough, math.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&~$])")
#: a list item marker or a thematic break (---) at the start of the text (the text may start a line)
_MD_LEADING = re.compile(r"^(\s*)([-+](?=[\s-]|$)|\d{1,9}[.)](?=\s|$))")


#: a CommonMark e-mail autolink's address (spec 6.5); one the typesetter protects but CommonMark would
#: not link stays text
_MD_EMAIL = re.compile(r"[a-zA-Z0-9.!#$%&'*+/=?^_`{}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                       r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*")
#: what cannot stand inside an autolink (space, `<`, `>`, controls) or a GitHub table cell (`|`): none
#: of them is a character a URI may hold as it is (RFC 3986), so the percent-encoded form is the same URI
_MD_URL_UNSAFE = re.compile(r"[\x00-\x20<>|\x7f]")


def _md_escape(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", s)


def _md_url(url: str) -> str:
    """A URL or an e-mail address as Markdown that every CommonMark reader (and GitHub) links to exactly
    that address: an autolink `<URL>` with the URL verbatim - backslash escapes are not read inside an
    autolink, so escaping `_`, `&`, `#` there would put the backslashes into the link (GitHub linked
    `sw%5C_matrix.html`). A `www.` address has no scheme, which an autolink needs: it becomes a link
    whose text is the address as written and whose target is `http://` + the address."""
    safe = _MD_URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
    if "://" in url[:12]:
        return f"<{safe}>"
    if "@" in url and "/" not in url:
        return f"<{url}>" if _MD_EMAIL.fullmatch(url) and "|" not in url else _md_escape(url)
    return f"[{_md_escape(url)}](<http://{safe}>)"


def md(text: Any) -> Markup:
    """Markdown for `text`, read back as exactly `text`: specials backslash-escaped, a leading list
    marker escaped, line and page breaks as `<br>`, URLs and e-mail addresses (as the typesetter finds
    them) as autolinks (`_md_url`). A `<br>` (not a newline, not a space) is the only
    break GitHub renders the same in a paragraph, a list item, a heading and a table cell: a newline
    would end a table row or a heading, a blank line a list item, and a space would lose the break."""
    s = clean(text)
    spans = protected_spans(s) if ("/" in s or "@" in s or "www" in s.lower()) else []
    if spans:
        parts, at = [], 0
        for a, b in spans:
            parts += [_md_escape(s[at:a]), _md_url(s[a:b])]
            at = b
        parts.append(_md_escape(s[at:]))
        s = "".join(parts)
    else:
        s = _md_escape(s)
    if s[:1].isspace() or s[:1] in "-+0123456789":
        s = _MD_LEADING.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)
    return Markup(_breaks(s, "<br>"))


# --- HTML ------------------------------------------------------------------------------------------

def html(text: Any) -> Markup:
    """Running HTML text: escaped, line and page breaks as `<br>` (no page break exists inside a line)."""
    e = escape(clean(text))
    return Markup(_breaks(str(e), "<br>")) if "\n" in e or "\f" in e else e


def _html_to_text(value: Markup) -> str:
    """The text of HTML that `html` produced (entities and `<br>` only): `<br>` read as a break."""
    return Markup(str(value).replace("<br>", "\n")).unescape()


def html_plain(value: Any) -> Markup:
    """HTML text on one line: for `<title>`, attribute values and comments. Takes text or the Markup of
    a macro rendered with `html` (its `<br>` become spaces, its entities are decoded, then escaped once)."""
    text = _html_to_text(value) if isinstance(value, Markup) else str(value)
    return escape(_flat(clean(text)))


def css_string(value: Any) -> Markup:
    """The body of a CSS string literal in a `<style>` element (the PDF's page footer).

    `<style>` is raw text: HTML entities are NOT decoded there, so HTML-escaped Markup (the output of a
    macro) is turned back into text first, put on one line (a margin box shows one line), and escaped
    once, for CSS: backslash, quotes and `<`, `>`, `&` (so no `</style>` can end the element) as
    hexadecimal CSS escapes."""
    text = _flat(clean(_html_to_text(value) if isinstance(value, Markup) else str(value)))
    return Markup(re.sub(r'[\\"\'<>&]', lambda m: f"\\{ord(m.group()):X} ", text))


# --- WordprocessingML ------------------------------------------------------------------------------

#: text goes inside `<w:t xml:space="preserve">` of a run; a break closes the text and opens another
_W_OPEN = '<w:t xml:space="preserve">'
W_LINE = Markup(f"</w:t><w:br/>{_W_OPEN}")
W_PAGE = Markup(f'</w:t><w:br w:type="page"/>{_W_OPEN}')
_W_TAB = Markup(f"</w:t><w:tab/>{_W_OPEN}")
_W = {"\n": W_LINE, "\f": W_PAGE, "\t": _W_TAB}


def xml_run(text: Any) -> Markup:
    """Text inside a run's `<w:t>`: XML-escaped; a line break is `<w:br/>`, a page break (U+000C)
    `<w:br w:type="page"/>` (table cells and the footer turn it into a line break), a tab `<w:tab/>`."""
    e = escape(clean(text))
    if "\n" in e or "\f" in e or "\t" in e:
        return Markup(re.sub("[\n\f\t]", lambda m: _W[m.group()], str(e)))
    return e


def xml_plain(value: Any) -> Markup:
    """XML text outside a run (document properties): one line, escaped once."""
    return Markup(escape(_flat(clean(value))))


def xml_line_breaks(value: Any) -> Markup:
    """Run text where a page cannot break (a table cell, the footer): page breaks become line breaks.
    Takes text (escaped here) or the Markup of a macro (already escaped)."""
    value = value if isinstance(value, Markup) else xml_run(value)
    return Markup(str(value).replace(W_PAGE, W_LINE))


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def well_formed(text: str) -> str:
    """The last net over a whole rendered file: drop what XML 1.0 (or UTF-8) cannot carry. Text was cleaned
    when it was escaped; this only catches a character some future template puts out another way."""
    return _XML_INVALID.sub("", text)


#: the escaping of each environment: (text in running content, text on one line)
TEXT = {"md": (md, md), "html": (html, html_plain), "xml": (xml_run, xml_plain)}


FILTERS = {
    "qty": qty,
    "legal": legal,
    "hhmm": hhmm,
    "int": ru_text.format_int,
    "date_ru": ru_text.date_ru,
    "gen": label_case,
    "case": label_case,
    "zone_ru": ru_text.zone_ru,
    "prev_day": lambda d: d - _dt.timedelta(days=1),
    "quote": ru_text.quote,
    "join_ru": ru_text.join_ru,
    "weekday_range": lambda pair: ru_text.weekday_range_ru(*pair),
    "nbsp_numbers": ru_text.nbsp_numbers,
    "md": md,
    "css_string": css_string,
    "docx_cell": xml_line_breaks,
}

#: the globals every annex environment has
GLOBALS = {"say": say}
