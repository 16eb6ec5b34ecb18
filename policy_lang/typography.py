"""Russian typography for every text the annex prints: no-break spaces, dashes, quotes, 24×7.

Stdlib only, pure and deterministic; `typeset` is idempotent (typeset(typeset(x)) == typeset(x)),
so a text already typeset (or typed correctly by hand) passes through unchanged.

Rules, in the order they run:

* quotes: straight "…" and English “…” become «ёлочки»; quotes nested inside «…» become „лапки“;
* `24x7`, `24 Х 7` (Latin or Cyrillic x, any spaces) become `24×7`;
* a doubled full stop (`г..`) becomes one; an ellipsis (`...`, `…`) stays;
* number ranges: `8 – 17`, `8 - 17` become `8–17` (en dash, no spaces); `8-17` and dates stay;
* a spaced hyphen or dash between words becomes an em dash: `слово\\u00a0— слово`;
* no-break spaces: after one-letter words (`в`, `к`, `и`...), `№` and `§`, after `п.`, `ст.`,
  `раздел`... before a number, and between a number and the next word or unit
  (`5\\u00a0дней`, `2026\\u00a0г.`, `100\\u00a0%`).

URLs (`http(s)://…`, `www.…`) and e-mail addresses are never changed, nor is any character
inside them. Hyphenated words (`кто-то`) are not touched.
"""
from __future__ import annotations

import re

NBSP = "\u00a0"

__all__ = [
    "NBSP",
    "fix_lookalikes",
    "is_cyrillic",
    "is_latin",
    "mixed_script_words",
    "protected_spans",
    "typeset",
]

# --------------------------------------------------------------------------- protected text

#: A URL ends before trailing punctuation: `см. http://x.ru/a/.` keeps the full stop outside.
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>«»\"“”„]*[^\s<>«»\"“”„.,;:!?)\]}'’]"
    r"|\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    re.I,
)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL and e-mail address in the text: typesetting leaves them alone."""
    return [m.span() for m in _URL.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does [start, end) touch a protected span (an empty match touches it if it lies inside)?"""
    for a, b in spans:
        if start < b and end > a:
            return True
        if start == end and a < start < b:
            return True
    return False


#: URLs and e-mail addresses stand in for one private-use character each while the rules run:
#: no rule can change them, and to the rules they read as one word.
_HOLE = 0xF0000
_HOLES = re.compile("[\U000F0000-\U000FFFFD]")


def _hide(text: str) -> tuple[str, list[str]]:
    hidden: list[str] = []

    def one(m: re.Match[str]) -> str:
        hidden.append(m.group())
        return chr(_HOLE + len(hidden) - 1)

    if _HOLES.search(text):  # the text has such characters itself: URLs are not protected then
        return text, hidden
    return _URL.sub(one, text), hidden


def _unhide(text: str, hidden: list[str]) -> str:
    if not hidden:
        return text
    return _HOLES.sub(lambda m: hidden[ord(m.group()) - _HOLE], text)


# --------------------------------------------------------------------------- quotes

#: After these a straight quote opens (or at the start of the text).
_OPEN_CONTEXT = set("([{«„<—–-/\u2212") | {NBSP}


def _quotes(text: str) -> str:
    """Straight and English quotes -> «…», nested ones -> „…“, by a stack of open quotes."""
    if not any(c in text for c in "\"“”«»„"):
        return text
    out: list[str] = []
    stack: list[str] = []  # the character each open quote was written with
    last_quote_at = -2
    last_role = ""
    for i, ch in enumerate(text):
        if ch not in "\"“”«»„":
            out.append(ch)
            continue
        prev = text[i - 1] if i else ""
        if prev and ord(prev) >= _HOLE:
            prev = "a"  # a hidden URL ends like a word
        after_quote = last_quote_at == i - 1
        if ch in "«„":
            role = "open"
        elif ch in "»”":
            role = "close"
        elif ch == "“":
            # Russian „…“ closes with “; English “…” opens with it. Only the stack decides
            # (not the neighbours), so that the output reads back the same: idempotence.
            role = "close" if stack and (stack[-1] == "„" or len(stack) >= 2) else "open"
        else:  # a straight quote: its neighbours say which
            if after_quote:  # `""`: a pair of closers or of openers, but `»«` between two quotes
                role = "open" if last_role == "close" and not stack else last_role
            elif not prev or prev.isspace() or prev in _OPEN_CONTEXT:
                role = "open"
            else:
                role = "close" if stack else "open"
        if role == "open":
            out.append("«" if not stack else "„")
            stack.append(ch)  # as written: a top-level „ is closed by “
        else:
            if stack:
                stack.pop()
            out.append("»" if not stack else "“")
        last_quote_at, last_role = i, role
    return "".join(out)


# --------------------------------------------------------------------------- the other rules

_TIMES = re.compile(r"(?<![\w.,])\d+(?:[ \t\u00a0]*[xXхХ×][ \t\u00a0]*\d+)+(?![\w])")
_TIMES_SIGN = re.compile(r"[ \t\u00a0]*[xXхХ×][ \t\u00a0]*")
#: `..` right before a URL stays: `a@b.ru..www.x.ru` would read back as one longer address.
_DOUBLE_DOT = re.compile("(?<![.…])\\.\\.(?![.…\U000F0000-\U000FFFFD])")
_RANGE = re.compile(r"(?<=\d)(?:[ \u00a0]*–[ \u00a0]*|[ \u00a0]+-[ \u00a0]+)(?=\d)")
_DASH = re.compile(r"(?<=[^\s])[ \t\u00a0]+(?:--?|–|—)[ \t\u00a0]+(?=\S)")
_ONE_LETTER = re.compile(r"(?<![\w\-.])([вксоуиаяВКСОУИАЯ])[ \t]+(?=\S)")
_SIGN = re.compile(r"([№§])[ \t]+(?=\S)")
_ABBREV = re.compile(
    r"(?<![\w\-])((?:п|пп|ч|ст|гл|разд|подп|абз|прил|рис|табл|стр|см|т|тт)\."
    r"|(?:[Пп]ункт|[Рр]аздел|[Пп]одпункт|[Сс]тать|[Гг]лав|[Пп]риложени|[Сс]носк|[Аа]бзац)[а-яё]{0,3})"
    r"[ \t]+(?=\d)"
)
_NUMBER_WORD = re.compile(r"(?<=\d)[ \t]+(?=[^\W\d_]|[%‰°₽$€])")


def typeset(text: str) -> str:
    """The text with Russian typography applied (see the module docstring); idempotent."""
    if not text:
        return text
    text, hidden = _hide(text)
    text = _quotes(text)
    text = _TIMES.sub(lambda m: _TIMES_SIGN.sub("×", m.group()), text)
    text = _DOUBLE_DOT.sub(".", text)
    text = _RANGE.sub("–", text)
    text = _DASH.sub(NBSP + "— ", text)
    text = _SIGN.sub(r"\1" + NBSP, text)
    text = _ABBREV.sub(r"\1" + NBSP, text)
    text = _ONE_LETTER.sub(r"\1" + NBSP, text)
    text = _NUMBER_WORD.sub(NBSP, text)
    text = _unhide(text, hidden)
    return text


# --------------------------------------------------------------------------- mixed scripts

#: Cyrillic letters that look like Latin ones, and back.
_CYR_TO_LAT = dict(zip("АВЕКМНОРСТУХаеорсухІіЈјЅѕ", "ABEKMHOPCTYXaeopcyxIiJjSs"))
_LAT_TO_CYR = {v: k for k, v in _CYR_TO_LAT.items()}
_WORD = re.compile(r"[^\W_]+")


#: In a rendered document (markup around the text), bind one-letter words and `№`, `§` only:
#: the rules that template wording needs too, and that cannot break markup.
_BIND_ONE_LETTER = re.compile(r"(?<![\w\-./=&#])([вксоуиаяВКСОУИАЯ№§]) (?=[\w«(\d])")


def bind_short_words(document: str) -> str:
    """A no-break space after one-letter words (and №, §) over a whole rendered document: the
    template's own wording («с 1 декабря», «в течение») as well as the policy's texts."""
    return _BIND_ONE_LETTER.sub(r"\1" + NBSP, document)


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def is_latin(ch: str) -> bool:
    return ("a" <= ch.lower() <= "z") or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


def _suspicious(word: str) -> bool:
    cyr = [c for c in word if is_cyrillic(c)]
    lat = [c for c in word if is_latin(c)]
    if cyr and lat:
        return True
    # «Р1», «Т2»: a code of Cyrillic look-alikes and digits, written where a Latin code is meant.
    # «1С» (a brand) and «24х7» (typeset fixes it) start with a digit and are left alone.
    if cyr and not lat and word[0].isalpha() and any(c.isdigit() for c in word):
        return all(c in _CYR_TO_LAT for c in cyr)
    return False


#: A cheap first look: a Latin letter touching a Cyrillic one, or a Cyrillic look-alike before a
#: digit. A text without either has no suspicious word (most texts: `check` stays fast).
_CANDIDATE = re.compile(r"[A-Za-z\u00c0-\u024f][\u0400-\u052f]|[\u0400-\u052f][A-Za-z\u00c0-\u024f]"
                        r"|[АВЕКМНОРСТУХаеорсухІіЈјЅѕ]\w*\d")


def mixed_script_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word mixing Latin and Cyrillic letters (`ТAM` with a Latin A),
    or a Latin-looking code typed in Cyrillic (`Р1` with a Cyrillic Р). URLs are skipped."""
    if not _CANDIDATE.search(text):
        return []
    spans = protected_spans(text)
    found = []
    for m in _WORD.finditer(text):
        if _suspicious(m.group()) and not _inside(spans, m.start(), m.end()):
            found.append((m.start(), m.end(), m.group()))
    return found


def fix_lookalikes(word: str) -> str | None:
    """The word in one script, replacing look-alike letters; None when no replacement works.

    The script of most letters wins (a tie goes to Cyrillic); a code of look-alikes and digits
    (`Р1`) becomes Latin.
    """
    cyr = sum(is_cyrillic(c) for c in word)
    lat = sum(is_latin(c) for c in word)
    if cyr and not lat:
        if not _suspicious(word):
            return word
        to_latin = True
    elif lat and not cyr:
        return word
    else:
        to_latin = lat > cyr
    table = _CYR_TO_LAT if to_latin else _LAT_TO_CYR
    wrong = is_cyrillic if to_latin else is_latin
    out = []
    for c in word:
        if wrong(c):
            if c not in table:
                return None
            c = table[c]
        out.append(c)
    return "".join(out)
