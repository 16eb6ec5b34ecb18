"""URLs in the Markdown annex stay links: an autolink `<URL>` holding the URL verbatim (probe M2).

Backslash escapes are not read inside a CommonMark autolink, so an escaped `_` put its backslash into
the link (GitHub linked `…/sw%5C_matrix.html`). markdown-it-py is not installed here: the tests check the
exact text against the CommonMark autolink grammar (spec 6.5) instead.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_lang.backends.annex import filters
from policy_lang.backends.annex.render import AnnexConfig, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.frontend import compile_file

#: a CommonMark URI autolink: scheme, `:`, then no space, control, `<` or `>`
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\x00-\x20<>]*)>")

SPECIAL = "https://example.com/a_b/c*d*/~e~/f&g=1&amp;h#frag"


@pytest.mark.parametrize("url", [
    "http://www.juniper.net/support/warranty/sw_matrix.html",
    SPECIAL,
    "https://example.com/path_with__double/[x](y)/`code`/$m$/\\back",
    "ftp://files.example.com/a_b",
    "http://пример.рф/путь_1",
])
def test_url_is_an_autolink_with_the_url_verbatim(url: str) -> None:
    out = str(filters.md(f"см. {url} и далее"))
    assert f"<{url}>" in out
    m = AUTOLINK.search(out)
    assert m is not None and m.group(1) == url, out
    assert out.startswith("см. ") and out.endswith(" и далее")


def test_trailing_punctuation_stays_outside_and_text_around_is_escaped() -> None:
    out = str(filters.md(f"(ссылка: {SPECIAL}). a_b *c*"))
    assert out == f"(ссылка: <{SPECIAL}>). a\\_b \\*c\\*"


def test_pipe_and_angle_brackets_are_percent_encoded() -> None:
    # `|` would end a GitHub table cell, even inside an autolink; it is no URI character (RFC 3986)
    out = str(filters.md("https://example.com/a|b_c"))
    assert out == "<https://example.com/a%7Cb_c>"
    assert "|" not in out
    assert str(filters.md("https://example.com/a<b")) == "<https://example.com/a>\\<b"


def test_email_and_www_addresses() -> None:
    assert str(filters.md("пишите на first_last@example.com.")) == "пишите на <first_last@example.com>."
    # no scheme: a link whose text is the address as written, the target http:// + the address
    assert str(filters.md("www.example.com/a_b|c")) == "[www.example.com/a\\_b\\|c](<http://www.example.com/a_b%7Cc>)"


def test_text_without_urls_is_escaped_as_before() -> None:
    assert str(filters.md("a_b/c@d")) == "a\\_b/c@d"
    assert str(filters.md("- http://x.ru/a_b")) == "\\- <http://x.ru/a_b>"


POLICY = """
program urls {
    title   "URLs"
    vendor  "V"
    edition "1"
}
parties {
    executor  "ИСПОЛНИТЕЛЬ"  "оказывает услуги"
    customer  "ЗАКАЗЧИК"     "получает услуги"
}
calendar office "рабочие часы" § 1 {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}
channel portal "портал" § 2 {
    contact   "@URL1@"
    available office
}
tiers § 3 {
    basic  "Базовый"  purchased
    pro    "Расширенный"  purchased
}
services § 3 {
    svc_text   "Документация"
}
matrix offer "Состав" § 3 {
    service    basic    pro
    svc_text   "@URL2@"   "нет"
}
priorities § 4 {
    P1 "Критический" { definition "Отказ." }
}
response on office § 4 {
    priority  basic  pro
    P1        2h     1h
}
"""

URL1 = "https://support.example.com/cm/index.jsp?a_b=1&c=*2*#x~y"
URL2 = "https://docs.example.com/sw_matrix.html?q=a|b&r=_s_"


def test_rendered_annex_links_urls_in_text_and_table_cells(tmp_path: Path) -> None:
    path = tmp_path / "urls.policy"
    path.write_text(POLICY.replace("@URL1@", URL1).replace("@URL2@", URL2), encoding="utf-8")
    compiled = compile_file(path)
    assert compiled.program is not None, compiled.diagnostics
    text = render_markdown(build_view(compiled.program, AnnexConfig()))
    assert f"<{URL1}>" in text
    assert "sw\\_matrix" not in text and "%5C" not in text
    encoded = URL2.replace("|", "%7C")
    row = next(line for line in text.split("\n") if line.startswith("|") and "docs.example.com" in line)
    assert f"<{encoded}>" in row
    header = next(line for line in text.split("\n") if line.startswith("|") and "Базовый" in line)
    assert row.count("|") == header.count("|"), (header, row)  # the URL did not split the cell
    links = [m.group(1) for m in AUTOLINK.finditer(text)]
    assert URL1 in links and encoded in links
