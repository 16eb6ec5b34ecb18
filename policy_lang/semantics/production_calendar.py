"""The official Russian production calendar as cited data, and Labour Code art. 112 beyond it.

The data lives in `data/ru_production_calendar.toml`, one block per year whose transfer decree
is published. A year after the last block has no decree yet: it is computed from the Labour
Code (art. 112: fixed holidays, a holiday on a weekend moves to the next working day except the
January ones, which only a decree moves; art. 95: the working day before a holiday is one hour
shorter) and is *provisional*: answers and annex statements that depend on it say so.
Compile time only, stdlib only, no cache: loading the data takes well under a millisecond.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: a plain `check` start needs no diagnostics machinery here
    from policy_lang.diagnostics import Diagnostic, Span

__all__ = ["CONFIG_NAME", "DATA_CODE", "DEFAULT_PROVISIONAL_YEARS", "HOW_TO_ADD", "MAX_PROVISIONAL_YEARS",
           "TODAY_VARIABLE", "WARN_DAYS", "CalendarData", "CalendarDataError", "CalendarRequest", "YearCalendar",
           "active", "active_origin", "art112_year", "data_end", "data_ends_soon", "data_years", "find_config",
           "first_data_year", "last_decree_year", "official_years", "read_config", "read_request", "request_for",
           "requested", "requested_file", "today", "using"]

#: How many years after the last decree a policy may ask for (computed, provisional).
MAX_PROVISIONAL_YEARS = 10
#: Years after the last decree covered by a calendar that states no years of its own.
DEFAULT_PROVISIONAL_YEARS = 3
#: `policyc check` warns when the cited data ends within this many days.
WARN_DAYS = 120

#: Non-working holidays, Labour Code art. 112 part 1: (month, day).
HOLIDAYS = ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 23), (3, 8),
            (5, 1), (5, 9), (6, 12), (11, 4))

_DAY = timedelta(days=1)

#: The environment variable that stands in for today's date (tests, reproducible CI runs).
TODAY_VARIABLE = "POLICY_LANG_TODAY"


def today() -> date:
    """Today, or POLICY_LANG_TODAY when it is set: YYYY-MM-DD exactly; anything else raises ValueError
    naming the variable (a typo must not silently mean the real today). Empty counts as unset."""
    raw = os.environ.get(TODAY_VARIABLE)
    if not raw:
        return date.today()
    value = raw.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw[:40]) + ("..." if len(raw) > 40 else "")
        raise ValueError(f"{TODAY_VARIABLE}={shown!r} is not a date: expected the format YYYY-MM-DD, "
                         f"e.g. {TODAY_VARIABLE}=2026-12-01 (or unset it)") from None


class CalendarDataError(ValueError):
    """Calendar data contradicts itself. In the packaged file, a bug in the package; in a user's
    data file, a located P0706 (`key` and `value` say where: the block's key, the value at fault)."""

    def __init__(self, message: str, key: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.message, self.key, self.value = message, key, value


@dataclass(frozen=True)
class YearCalendar:
    """One year of the five-day-week production calendar."""

    year: int
    non_working: frozenset[date]  # Mon-Fri days off
    working_weekends: frozenset[date]  # Sat/Sun working days
    shortened: frozenset[date]  # pre-holiday days, one hour shorter
    working_days: int
    provisional: bool  # computed by art. 112: no decree yet
    decree: str | None  # "постановление Правительства ... от ... № ..."
    decree_number: str | None = None
    decree_date: date | None = None

    def is_working_day(self, d: date) -> bool:
        if d in self.working_weekends:
            return True
        return d.weekday() < 5 and d not in self.non_working


@dataclass(frozen=True)
class CalendarData:
    """The decree years one compilation uses: the packaged file's, and those a user's data file
    (`--calendar-data FILE`, or `calendar-data` in policyc.toml) adds or overrides."""

    years: Mapping[int, YearCalendar]
    #: the user's file as diagnostics name it, and the sha256 of its bytes; None: packaged data only
    path: str | None = None
    sha256: str | None = None
    overridden: tuple[int, ...] = ()  # packaged years the user's file replaces
    added: tuple[int, ...] = ()  # years only the user's file has

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_decree_year(self) -> int:
        return max(self.years)


def _count_working(year: int, off: frozenset[date], on: frozenset[date]) -> int:
    d, n = date(year, 1, 1), 0
    while d.year == year:
        n += (d in on) or (d.weekday() < 5 and d not in off)
        d += _DAY
    return n


#: The keys of a [[year]] block: required, then optional.
REQUIRED_KEYS = ("year", "decree", "working_days")
OPTIONAL_KEYS = ("decree_number", "decree_date", "non_working", "working_weekends", "shortened")
#: The years a data file may hold (the years a policy may name).
FIRST_YEAR, LAST_YEAR = 2000, 2100
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(block: Mapping[str, object], key: str, year: object, required: bool) -> str | None:
    v = block.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip():
        raise CalendarDataError(f"calendar data {year}: `{key}` must be a non-empty string", key)
    if _CONTROL.search(v):
        raise CalendarDataError(f"calendar data {year}: `{key}` contains a line break or a control character",
                                key)
    return v


def _dates(block: Mapping[str, object], key: str, year: int) -> frozenset[date]:
    v = block.get(key, [])
    if not isinstance(v, list):
        raise CalendarDataError(f"calendar data {year}: `{key}` must be a list of dates, "
                                f"e.g. {key} = [{year}-01-01]", key)
    for d in v:
        if not isinstance(d, date) or isinstance(d, datetime) or d.year != year:
            shown = d.isoformat() if isinstance(d, date) else repr(d)
            raise CalendarDataError(f"calendar data {year}: {shown} is not a date of {year}", key, d)
    return frozenset(v)


def _validate(block: object) -> YearCalendar:
    """One [[year]] block, checked: every key known and of its type, every date in its year,
    non-working days on Mon-Fri, transferred working days on Sat/Sun, shortened days on working
    days, and the lists giving the block's `working_days`."""
    if not isinstance(block, Mapping):
        raise CalendarDataError("calendar data: `year` must be an array of tables ([[year]] blocks)", "year")
    for key in block:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            raise CalendarDataError(f"calendar data: unknown key `{key}` in a [[year]] block "
                                    f"(keys: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})", key)
    for key in REQUIRED_KEYS:
        if key not in block:
            raise CalendarDataError(f"calendar data: a year block lacks '{key}'")
    year = block["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarDataError(f"calendar data: `year` must be a year {FIRST_YEAR}..{LAST_YEAR}, "
                                f"not {year!r}", "year")
    decree = _text(block, "decree", year, True)
    number = _text(block, "decree_number", year, False)
    signed = block.get("decree_date")
    if signed is not None and (not isinstance(signed, date) or isinstance(signed, datetime)
                               or signed.year > year):
        raise CalendarDataError(f"calendar data {year}: `decree_date` must be a date no later than {year}, "
                                f"e.g. decree_date = {year - 1}-09-17", "decree_date")
    off = _dates(block, "non_working", year)
    on = _dates(block, "working_weekends", year)
    short = _dates(block, "shortened", year)
    expected = block["working_days"]
    if not isinstance(expected, int) or isinstance(expected, bool):
        raise CalendarDataError(f"calendar data {year}: `working_days` must be a whole number", "working_days")
    weekend = next((d for d in sorted(off) if d.weekday() >= 5), None)
    if weekend is not None:
        raise CalendarDataError(f"calendar data {year}: non_working lists a weekend day ({weekend.isoformat()}): "
                                "list only Mon-Fri days off", "non_working", weekend)
    weekday = next((d for d in sorted(on) if d.weekday() < 5), None)
    if weekday is not None:
        raise CalendarDataError(f"calendar data {year}: working_weekends lists a weekday ({weekday.isoformat()})",
                                "working_weekends", weekday)
    cal = YearCalendar(year, off, on, short, expected, False, decree, number, signed)
    idle = next((d for d in sorted(short) if not cal.is_working_day(d)), None)
    if idle is not None:
        raise CalendarDataError(f"calendar data {year}: a shortened day is not a working day ({idle.isoformat()})",
                                "shortened", idle)
    counted = _count_working(year, off, on)
    if counted != expected:
        raise CalendarDataError(f"calendar data {year}: lists give {counted} working days, "
                                f"the block says {expected}", "working_days")
    return cal


def _blocks(table: Mapping[str, object]) -> list[object]:
    for key in table:
        if key != "year":
            raise CalendarDataError(f"calendar data: unknown key `{key}` (the file holds [[year]] blocks only)", key)
    blocks = table.get("year", [])
    if not isinstance(blocks, list):
        raise CalendarDataError("calendar data: `year` must be an array of tables ([[year]] blocks)", "year")
    return blocks


def _consecutive(years: Mapping[int, YearCalendar]) -> int | None:
    """The first missing year between the first and the last, or None."""
    return next((y for y in range(min(years), max(years) + 1) if y not in years), None) if years else None


@functools.cache
def _packaged() -> CalendarData:
    """Every decree year of the packaged data, validated."""
    # the package's own file (a plain path, like the parser tables: importlib.resources costs ~4 ms of start-up)
    raw = (Path(__file__).resolve().parents[1] / "data" / "ru_production_calendar.toml").read_bytes()
    years: dict[int, YearCalendar] = {}
    for block in _blocks(tomllib.loads(raw.decode("utf-8"))):
        cal = _validate(block)  # it checks that the block is a table
        if cal.year in years:
            raise CalendarDataError(f"calendar data: year {cal.year} appears twice")
        years[cal.year] = cal
    if not years or _consecutive(years) is not None:
        raise CalendarDataError("calendar data: years must be consecutive")
    return CalendarData(years)


#: The calendar data of the compilation under way (compiler.compile_file sets it); unset: packaged.
_ACTIVE: ContextVar[CalendarData | None] = ContextVar("policy_lang_calendar_data", default=None)
#: The data file asked for by a caller that compiles through `load()` (policyc query).
_REQUESTED: ContextVar[CalendarRequest | None] = ContextVar("policy_lang_calendar_data_file", default=None)


def active() -> CalendarData:
    """The calendar data in use: a compilation's (packaged + the user's file), else the packaged."""
    return _ACTIVE.get() or _packaged()


@contextlib.contextmanager
def _set(var: ContextVar[Any], value: Any) -> Iterator[None]:
    """`var` holds `value` inside the block, its previous value again after it."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def using(data: CalendarData | None) -> contextlib.AbstractContextManager[None]:
    """Check and lower with `data` (None: the packaged data)."""
    return _set(_ACTIVE, data)


def requested(request: CalendarRequest | None) -> contextlib.AbstractContextManager[None]:
    """Compilations started inside (compile_file without `calendar_data=`) read the data `request` names."""
    return _set(_REQUESTED, request)


def requested_file() -> CalendarRequest | None:
    return _REQUESTED.get()


def active_origin() -> str:
    """` (with FILE)` when a user's calendar data file is in use, for messages; else empty."""
    path = active().path
    return f" (with {path})" if path else ""


def data_years() -> Mapping[int, YearCalendar]:
    """Every decree year in use (packaged, or with the user's file), validated, by year."""
    return active().years


def first_data_year() -> int:
    return active().first_year


def last_decree_year() -> int:
    return active().last_decree_year


def data_end() -> date:
    """The last day covered by a published decree."""
    return date(last_decree_year(), 12, 31)


@functools.cache  # pure, and the result is immutable; check and lower ask for the same years per program
def art112_year(year: int) -> YearCalendar:
    """A year without a decree, by Labour Code art. 112 and 95 (provisional)."""
    holidays = {date(year, m, d) for m, d in HOLIDAYS}
    off = {d for d in holidays if d.weekday() < 5}
    # art. 112 part 2: a holiday on a weekend gives the next working day off, except the
    # January holidays (1-8), whose weekend days only a Government decree may transfer.
    for h in sorted(holidays):
        if h.weekday() >= 5 and h.month != 1:
            d = h + _DAY
            while d.weekday() >= 5 or d in off or d in holidays:
                d += _DAY
            if d.year == year:
                off.add(d)
    offs = frozenset(off)
    # art. 95: the working day immediately before a non-working holiday is one hour shorter
    # (the day before 1 January belongs to the previous year).
    short = frozenset(h - _DAY for h in holidays
                      if (h - _DAY).year == year and (h - _DAY).weekday() < 5
                      and h - _DAY not in offs and h - _DAY not in holidays)
    return YearCalendar(year, offs, frozenset(), short, _count_working(year, offs, frozenset()),
                        True, None)


def official_years(first: int, last: int) -> list[YearCalendar]:
    """Years `first`..`last`: the decree data, then art. 112 for the years after it."""
    data = data_years()
    return [data[y] if y in data else art112_year(y) for y in range(first, last + 1)]


def data_ends_soon(today: date, term_end: date | None = None) -> str | None:
    """Why a warning is due (the cited data ends within WARN_DAYS of `today`, or before
    `term_end`), else None."""
    end = data_end()
    if (end - today).days <= WARN_DAYS:
        left = (end - today).days
        when = "has ended" if left < 0 else f"ends in {left} days"
        return (f"the production calendar cited from Government decrees {when} "
                f"({end.isoformat()}); later years are computed by Labour Code art. 112 "
                "and provisional")
    if term_end is not None and term_end > end:
        return (f"the term ends {term_end.isoformat()}, after the last decree-cited year "
                f"({end.year}); days after {end.isoformat()} are provisional")
    return None


# -- a user's calendar data file (--calendar-data FILE, or `calendar-data` in policyc.toml) ------

#: The code of every error in a user's calendar data file or in the project setting naming it.
DATA_CODE = "P0706"
#: The project config file, looked for in the policies directory and upward (to the repository root).
CONFIG_NAME = "policyc.toml"
CONFIG_KEY = "calendar-data"
MAX_DATA_BYTES = 1024 * 1024
#: What W0701, P0703 and P0706 tell a user who cannot edit the packaged file (an installed wheel).
HOW_TO_ADD = (f"put the next year's decree in a calendar data file of your own and pass it with "
              f"`--calendar-data FILE` (check, build, query) or `{CONFIG_KEY} = \"FILE\"` in {CONFIG_NAME} "
              "beside the policies (see README, Updating the production calendar)")
FORMAT_NOTE = ("the file holds one [[year]] block per decree year, as the packaged "
               "policy_lang/data/ru_production_calendar.toml: year = 2028, decree = \"постановление "
               "Правительства Российской Федерации от ... № ... «О переносе выходных дней в 2028 году»\", "
               "decree_number = \"...\", decree_date = 2027-09-20, non_working = [2028-01-03, ...] (Mon-Fri days "
               "off), working_weekends = [...] (Sat/Sun worked), shortened = [...] (art. 95), working_days = 247; "
               "its years add to or override the packaged ones")


@dataclass(frozen=True)
class CalendarRequest:
    """Which calendar data file a compilation reads, and why: given on the command line, named in a
    project config, or none (the packaged data). `diagnostics` are the config file's own errors."""

    path: Path | None = None
    root: Path | None = None  # a symbolic link out of it is not followed (None: the file's own directory)
    origin: str = "--calendar-data"
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (display path, text) for rendering `diagnostics`


def _span_at(display: str, text: str, offset: int, length: int) -> Span:
    from policy_lang.diagnostics import Span

    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(display, line, col, line, col + max(length, 1))


def _error(display: str, text: str, offset: int, length: int, message: str, label: str,
           help: str | None = None, notes: tuple[str, ...] = ()) -> Diagnostic:
    from policy_lang.diagnostics import Diagnostic, Label

    return Diagnostic(DATA_CODE, message, Label(_span_at(display, text, offset, length), label),
                      help=help, notes=notes)


_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*year[ \t]*\]\]", re.MULTILINE)


def _where(text: str, block: int | None, key: str | None, value: object) -> tuple[int, int]:
    """(offset, length) of what a CalendarDataError is about: the value, else its key, else the
    block's [[year]] header (else the file's first line)."""
    heads = [m.start() for m in _HEADER.finditer(text)]
    if block is None:
        lo, hi = 0, heads[0] if heads else len(text)
    elif block < len(heads):
        lo, hi = heads[block], heads[block + 1] if block + 1 < len(heads) else len(text)
    else:
        return 0, 1
    if key is not None:
        m = re.compile(rf"^[ \t]*(\"?{re.escape(key)}\"?)[ \t]*=", re.MULTILINE).search(text, lo, hi)
        if m:
            if isinstance(value, date):
                v = text.find(value.isoformat(), m.end(), hi)
                if v >= 0:
                    return v, len(value.isoformat())
            return m.start(1), len(m.group(1))
    if block is not None:
        end = text.find("]]", lo, hi)
        return lo, (end + 2 - lo) if end >= 0 else 1
    return 0, 1


def _read_user(path: Path, root: Path, display: str) -> tuple[CalendarData | None, list[Diagnostic], str]:
    import hashlib

    from policy_lang.syntax.sources import read_inside

    got = read_inside(path, root, code=DATA_CODE, limit=MAX_DATA_BYTES)
    if not isinstance(got, bytes):
        return None, [got], ""
    try:
        text = got.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        shown = got[: e.start].decode("utf-8", errors="replace")
        return None, [_error(display, shown, len(shown), 1, f"calendar data is not UTF-8 text "
                             f"(byte 0x{got[e.start]:02x})", "not UTF-8")], shown
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        offset = starts[min(line, len(starts)) - 1] + col - 1
        return None, [_error(display, text, offset, 1, f"calendar data is not valid TOML: "
                             f"{re.sub(r' [(]at line .*', '', str(e))}", "here")], text
    except (RecursionError, MemoryError):
        return None, [_error(display, text, 0, 1, "calendar data: arrays or tables nested too deeply",
                             "cannot be read")], text
    packaged = _packaged().years
    years: dict[int, YearCalendar] = {}
    block: int | None = None
    try:
        blocks = _blocks(table)
        if not blocks:
            raise CalendarDataError("calendar data: the file has no [[year]] block")
        for i, raw in enumerate(blocks):
            block = i  # where an error is located
            cal = _validate(raw)  # it checks that the block is a table
            if cal.year in years:
                raise CalendarDataError(f"calendar data: year {cal.year} appears twice", "year")
            years[cal.year] = cal
    except CalendarDataError as e:
        at, length = _where(text, block, e.key, e.value)
        return None, [_error(display, text, at, length, e.message, "invalid calendar data",
                             notes=(FORMAT_NOTE,))], text
    merged = {**packaged, **years}
    gap = _consecutive(merged)
    if gap is not None:
        after = min(y for y in merged if y > gap)
        block = next(i for i, y in enumerate(years) if y == after) if after in years else 0
        at, length = _where(text, block, "year", None)
        return None, [_error(display, text, at, length,
                             f"calendar data: no block for {gap}, between {max(y for y in merged if y < gap)} "
                             f"and {after}", "the years must follow one another",
                             help=f"add the [[year]] block of {gap} (a year without a decree is computed "
                                  "only after the last decree year)")], text
    data = CalendarData(dict(sorted(merged.items())), display, hashlib.sha256(got).hexdigest(),
                        tuple(sorted(y for y in years if y in packaged)),
                        tuple(sorted(y for y in years if y not in packaged)))
    return data, [], text


@functools.cache
def _read_user_cached(path: str, root: str, display: str, stamp: tuple[int, int, int]
                      ) -> tuple[CalendarData | None, tuple[Diagnostic, ...], str]:
    data, diags, text = _read_user(Path(path), Path(root), display)
    return data, tuple(diags), text


def read_request(request: CalendarRequest | None) -> tuple[CalendarData | None, tuple[Diagnostic, ...],
                                                            dict[str, str]]:
    """The calendar data a request names (None: the packaged data), the diagnostics of the config
    and of the data file, and their texts by display path. The file is read once per process
    (again only when it changed on disk)."""
    from policy_lang.syntax.sources import display_path

    if request is None:
        return None, (), {}
    sources = dict(request.sources)
    if request.diagnostics or request.path is None:
        return None, request.diagnostics, sources
    path = request.path
    root = request.root if request.root is not None else path.absolute().parent
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        stamp = (0, 0, 0)
    display = display_path(path)
    data, diags, text = _read_user_cached(str(path.absolute()), str(root.absolute()), display, stamp)
    if text:
        sources[display] = text
    return data, diags, sources


def find_config(start: Path) -> Path | None:
    """policyc.toml in `start` (the policies directory) or a directory above it, up to the first
    one that holds `.git` (the repository root) or the file system's root."""
    try:
        here = start.absolute()
    except OSError:
        return None
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def request_for(given: str | Path | None, policies: Path) -> CalendarRequest | None:
    """The calendar data of a command: `--calendar-data FILE` when given, else `calendar-data` in the
    policyc.toml found from the policies directory `policies`, else None (the packaged data)."""
    if given is not None:
        return CalendarRequest(Path(given))
    config = find_config(policies if policies.is_dir() else policies.parent)
    return None if config is None else read_config(config)


def read_config(config: Path) -> CalendarRequest:
    """policyc.toml: `calendar-data = "FILE"` (relative to the config's directory, and inside it)."""
    from policy_lang.syntax.sources import display_path, read_inside

    display = display_path(config)
    got = read_inside(config, config.parent, code=DATA_CODE, limit=MAX_DATA_BYTES)
    if not isinstance(got, bytes):
        return CalendarRequest(origin=CONFIG_NAME, diagnostics=(got,))
    text = got.decode("utf-8", errors="replace").removeprefix("\ufeff")

    def fail(offset: int, length: int, message: str, label: str, help: str | None = None) -> CalendarRequest:
        return CalendarRequest(origin=CONFIG_NAME, diagnostics=(_error(display, text, offset, length, message,
                                                                       label, help),), sources=((display, text),))

    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        return fail(starts[min(line, len(starts)) - 1] + col - 1, 1,
                    f"{CONFIG_NAME} is not valid TOML: {re.sub(r' [(]at line .*', '', str(e))}", "here")
    except (RecursionError, MemoryError):
        return fail(0, 1, f"{CONFIG_NAME}: arrays or tables nested too deeply", "cannot be read")
    for key in table:
        if key != CONFIG_KEY:
            at, length = _where(text, None, key, None)
            return fail(at, length, f"{CONFIG_NAME}: unknown key `{key}`", "unknown key",
                        help=f"the project config knows `{CONFIG_KEY} = \"FILE\"` (a production calendar data file)")
    value = table.get(CONFIG_KEY)
    if value is None:
        return CalendarRequest(origin=CONFIG_NAME, sources=((display, text),))
    at, length = _where(text, None, CONFIG_KEY, None)
    if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
        return fail(at, length, f"{CONFIG_NAME}: `{CONFIG_KEY}` must be a file name (a string), "
                                "e.g. calendar-data = \"calendar/ru_2028.toml\"", "not a file name")
    path = Path(value) if Path(value).is_absolute() else config.parent / value
    if not path.is_file():
        return fail(at, length, f"{CONFIG_NAME}: calendar data file {value!r} not found "
                                f"(relative to {display_path(config.parent) or '.'})", "no such file",
                    help="name a TOML file of [[year]] blocks, relative to the directory of policyc.toml")
    return CalendarRequest(path, config.parent, CONFIG_NAME, (), ((display, text),))
