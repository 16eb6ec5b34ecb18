"""`policyc query`: ask a compiled program the evaluator's questions from the command line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import click

from policy_lang.diagnostics import Diagnostic, PolicyError, dumps, render_text
from policy_lang.runtime.errors import MAX_YEAR, MIN_YEAR, PolicyQueryError
from policy_lang.runtime.ru_text import cite, date_ru, datetime_ru

__all__ = ["query"]

KINDS = ("response", "entitlement", "deadline", "tier", "vouchers", "renewal", "ticket")
#: What `--events FILE` may hold: JSON lines (one event object a line) or CSV with a header row.
EVENTS_FORMATS = ("jsonl", "csv")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


class BadRows(PolicyQueryError):
    """Rows of --events that could not be read: each with its line number (none is dropped)."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        first = "; ".join(f"line {n}: {m}" for n, m in rows[:3]) + ("; …" if len(rows) > 3 else "")
        super().__init__(f"{len(rows)} bad row(s) in --events: {first}", kind="events", argument="events")
        self.rows = rows


def _program_path(program: str, policies: str) -> Path:
    """A path as given; an id as `<policies>/<id>.policy`, else `./<id>.policy` (a program of one's own
    beside no policies/ directory, as `policyc init` writes it)."""
    candidate = Path(program)
    if candidate.suffix == ".policy" or candidate.is_file():
        return candidate
    in_policies = Path(policies) / f"{program}.policy"
    here = Path(f"{program}.policy")
    if not in_policies.is_file() and "/" not in program and here.is_file():
        return here
    return in_policies


def _when(name: str, value: str | None) -> datetime:
    """An ISO 8601 instant with a UTC offset, in command-line terms when it is not one."""
    example = f"--{name} 2026-03-10T10:00+03:00"
    if value is None:
        raise PolicyQueryError(f"--{name} is required, e.g. {example}")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise PolicyQueryError(f"--{name} {value!r} is not an ISO 8601 date-time, e.g. {example}") from None
    if when.tzinfo is None:
        raise PolicyQueryError(f"--{name} {value!r} needs a UTC offset such as +03:00 (Moscow), "
                               f"e.g. {example}")
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise PolicyQueryError(f"--{name} {value!r} is outside the years {MIN_YEAR}..{MAX_YEAR} "
                               "the evaluator answers for")
    return when


def _day(name: str, value: str | None) -> date:
    if value is None:
        raise PolicyQueryError(f"--{name} is required, e.g. --{name} 2026-03-01")
    try:
        day = date.fromisoformat(value)  # the whole value: `2026-03-01garbage` is refused
    except ValueError:
        raise PolicyQueryError(f"--{name} {value!r} is not a date, e.g. --{name} 2026-03-01") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PolicyQueryError(f"--{name} {value!r} is outside the years {MIN_YEAR}..{MAX_YEAR} "
                               "the evaluator answers for")
    return day


def _need(name: str, value: Any) -> Any:
    if value is None:
        raise PolicyQueryError(f"--{name} is required for this question")
    return value


def _conditions(items: tuple[str, ...]) -> dict[str, bool]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or value.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise PolicyQueryError(f"--condition {item!r}: expected NAME=true or NAME=false")
        out[name] = value.lower() in ("true", "yes", "1")
    return out


_PYTHON_TERMS = (
    # (what the Python API says, what a command-line user types instead)
    (re.compile(r"pass (\w+)=True"), r"add --condition \1=true"),
    (re.compile(r"pass (\w+)=<date>"), r"the command line cannot give \1"),
    (re.compile(r"attach a zone, e\.g\. value\.replace\(tzinfo=ZoneInfo\('Europe/Moscow'\)\)"),
     "add a UTC offset such as +03:00"),
)
_ARGUMENTS = {"registered_at": "--at", "tier": "--tier", "channel": "--channel",
              "priority": "--priority", "service": "--service", "obligation": "--obligation",
              "request": "--request",
              "period_start": "--start", "start": "--start", "notice_on": "--notice-on",
              "points": "--points", "years": "--years"}


def cli_message(error: Exception) -> str:
    """An evaluator error in the terms of the command line: options, not Python arguments."""
    text = str(error)
    for pattern, repl in _PYTHON_TERMS:
        text = pattern.sub(repl, text)
    for arg, option in _ARGUMENTS.items():
        text = re.sub(rf"\b{arg} must\b", f"{option} must", text)
    return text


def _events_format(path: str | None, given: str | None) -> str:
    if path is None:
        raise PolicyQueryError("--events FILE is required for `ticket` (JSON lines or CSV; `-` reads stdin)",
                               kind="missing", argument="events")
    if given is not None:
        return given
    fmt = _EXTENSIONS.get(Path(path).suffix.lower()) if path != "-" else None
    if fmt is None:
        raise PolicyQueryError(f"--events {path!r}: say its format with --events-format "
                               f"({' or '.join(EVENTS_FORMATS)}); a file named *.jsonl or *.csv says it itself",
                               kind="missing", argument="events")
    return fmt


def read_events(path: str, fmt: str) -> tuple[list[Any], list[int]]:
    """The events of --events (JSON lines or CSV) and the line each came from; every row that cannot
    be read is reported with its line number (BadRows), none is dropped."""
    import sys

    from policy_lang.runtime.ticket import EVENT_FIELDS, TicketEvent, TicketEventError

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyQueryError(f"--events {path!r}: cannot read it ({e.__class__.__name__}: {e})",
                               kind="missing", argument="events") from None
    events: list[Any] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []

    def take(n: int, row: Any) -> None:
        try:
            events.append(TicketEvent.from_mapping(row))
            lines.append(n)
        except TicketEventError as e:
            bad.append((n, str(e)))

    if fmt == "jsonl":
        import json

        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                bad.append((n, f"not JSON: {e}"))
                continue
            if not isinstance(row, dict):
                bad.append((n, f"a JSON line is one event object, got {type(row).__name__}"))
                continue
            take(n, row)
    else:
        import csv
        import io

        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in reader.fieldnames or ()]
        unknown = [h for h in header if h not in EVENT_FIELDS]
        if not header or unknown or "at" not in header or "kind" not in header:
            why = (f"unknown column {unknown[0]!r}" if unknown else "no `at` and `kind` columns")
            raise BadRows([(1, f"the header row names the columns ({', '.join(EVENT_FIELDS)}; at and kind "
                               f"required): {why}")])
        reader.fieldnames = header
        start = 2
        for row in reader:
            n = start
            start = reader.line_num + 1
            if None in row:
                bad.append((n, f"more fields than the header's {len(header)}"))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue
            take(n, row)
    if bad:
        raise BadRows(bad)
    return events, lines


def _ticket(m: ModuleType, o: dict[str, Any], bound: Any) -> tuple[str, Any]:
    from policy_lang.runtime.ticket import TicketEventError

    path = o.get("events")
    fmt = _events_format(path, o.get("events_format"))
    at = _when("at", o["at"])
    assert path is not None
    events, lines = read_events(path, fmt)
    try:
        a = (bound.ticket(events=events, at=at) if bound is not None
             else m.ticket(tier=_need("tier", o["tier"]), events=events, at=at))
    except TicketEventError as e:
        index = e.details.get("event")
        if isinstance(index, int) and 0 <= index < len(lines):
            text = str(e).replace(f"event {index + 1}: ", "", 1)
            raise BadRows([(lines[index], text)]) from None
        raise
    return a.explanation, a.as_dict()


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):  # the evaluator's answers are named tuples
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _ask(m: ModuleType, kind: str, o: dict[str, Any], bound: Any = None) -> tuple[str, Any]:
    """(Russian text, JSON-able data) for one question; `bound`: a contract's BoundEvaluator."""
    if bound is not None and kind == "response":
        r = bound.response(channel=_need("channel", o["channel"]), priority=o["priority"],
                           registered_at=_when("at", o["at"]),
                           **({"request": o["request"]} if o.get("request") else {}),
                           **_conditions(o["condition"]))
        return r.explain(), r.as_dict()
    if kind == "response":
        r = m.response(tier=_need("tier", o["tier"]), channel=_need("channel", o["channel"]),
                       priority=o["priority"], registered_at=_when("at", o["at"]),
                       **({"request": o["request"]} if o.get("request") else {}),
                       **_conditions(o["condition"]))
        return r.explain(), r.as_dict()
    if kind == "entitlement":
        e = m.entitlement(tier=_need("tier", o["tier"]), service=_need("service", o["service"]))
        verdict = "предоставляется" if e.granted else "не предоставляется"
        text = f"{e.title}: {e.text} — {verdict} ({cite(e.clause)})."
        return text, _plain(e)
    if kind == "deadline":
        name = _need("obligation", o["obligation"])
        if name not in m.OBLIGATIONS:
            m.deadline(name, start=None)  # raises, listing the valid obligations
        ob = m.OBLIGATIONS[name]
        start = _day("start", o["start"]) if ob.before_period else _when("start", o["start"])
        due = m.due(name, start=start, **_conditions(o["condition"]))
        end = due.deadline
        when = datetime_ru(end) if isinstance(end, datetime) else date_ru(end)
        text = f"{ob.title}: не позднее {when} ({ob.term_text}; {cite(ob.clause)})."
        if due.note is not None:
            text += f" {due.note}"
        return text, {"obligation": name, "deadline": end.isoformat(), "clause": ob.clause,
                      "provisional": due.provisional, "provisional_years": list(due.provisional_years)}
    if kind == "tier":
        tier = m.tier_for_points(_need("points", o["points"]))
        return f"{o['points']} пунктов поддержки: уровень {tier}.", {"tier": tier}
    if kind == "vouchers":
        grants = m.vouchers(tier=_need("tier", o["tier"]), period_start=_day("start", o["start"]),
                            years=o["years"])
        lines = [f"Год {g.year}: {g.count} шт., действуют с {date_ru(g.valid_from)} "
                 + (f"до {date_ru(g.expires)}" if g.expires is not None else "без ограничения срока")
                 + f" ({cite(g.clause)})." for g in grants]
        return "\n".join(lines), _plain(grants)
    if kind == "ticket":
        return _ticket(m, o, bound)
    if kind == "renewal":
        notice = _day("notice-on", o["notice_on"]) if o["notice_on"] else None
        r = m.renewal(start=_day("start", o["start"]), notice_on=notice)
        return r.reason, _plain(r)
    raise PolicyQueryError(f"unknown question {kind!r}; valid: {', '.join(KINDS)}")


@click.command("query")
@click.argument("program", type=click.Path(path_type=str, allow_dash=True))
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--policies", default="policies", show_default=True, type=click.Path(file_okay=False, path_type=str),
              help="Directory where PROGRAM ids are looked up as <id>.policy (then ./<id>.policy).")
@click.option("--tier", help="Tier id, e.g. enterprise.")
@click.option("--priority", help="Reported priority, e.g. P1 (omit for programs without).")
@click.option("--request", help="Request type id instead of --priority, e.g. service_request.")
@click.option("--channel", help="Channel id, e.g. phone.")
@click.option("--at", "at", help="Registration instant (response); the instant asked about (ticket). ISO 8601 with offset.")
@click.option("--service", help="Service id (entitlement).")
@click.option("--obligation", help="Obligation id (deadline).")
@click.option("--start", help="Start instant (deadline) or date (vouchers, renewal).")
@click.option("--condition", multiple=True, help="NAME=true, repeatable (deadline, response).")
@click.option("--points", type=int, help="Support points (tier).")
@click.option("--years", type=int, default=1, show_default=True, help="Years (vouchers).")
@click.option("--notice-on", "notice_on", help="Date of a notice against renewal (renewal).")
@click.option("--events", "events", metavar="FILE", type=click.Path(dir_okay=False, path_type=str, allow_dash=True),
              help="A ticket's events (ticket): JSON lines or CSV, `-` for stdin (see README, Ticket events).")
@click.option("--events-format", "events_format", type=click.Choice(EVENTS_FORMATS),
              help="The format of --events (default: by its extension, .jsonl or .csv).")
@click.option("--contract", "contract_path", type=click.Path(dir_okay=False, path_type=str),
              help="A contract instance (contracts/*.toml): its program and tier; "
                   "requests outside its term are refused.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
@click.option("--calendar-data", "calendar_data", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Production calendar data adding or overriding decree years "
                   "(default: `calendar-data` in policyc.toml, found from --policies upward).")
def query(program: str, kind: str, policies: str, fmt: str, contract_path: str | None = None,
          calendar_data: str | None = None, **options: Any) -> None:
    """Answer KIND (response, entitlement, deadline, tier, vouchers, renewal, ticket) for PROGRAM.

    PROGRAM is a program id (looked up in --policies) or a path to a .policy file.

    \b
    policyc query landesk_support response --tier enterprise --priority P1 \\
        --channel phone --at 2026-03-10T10:00+03:00
    policyc query landesk_support ticket --tier enterprise --events t123.jsonl \\
        --at 2026-03-11T12:00+03:00
    """
    from policy_lang.frontend import calendar_request
    from policy_lang.loading import load  # the compiler is needed only once a question is asked
    from policy_lang.report import envelope  # not at `policyc check`'s start
    from policy_lang.semantics.production_calendar import requested

    calendar = calendar_request(calendar_data, (policies,))  # --calendar-data, else policyc.toml's

    def fail(kind: str, message: str, code: int, diagnostics: Sequence[Diagnostic] = (),
             bad_rows: Sequence[tuple[int, str]] = ()) -> NoReturn:
        extra = {"bad_rows": [{"line": n, "message": m} for n, m in bad_rows]} if bad_rows else {}
        if fmt == "json":
            click.echo(dumps(envelope("query", code, diagnostics=diagnostics, error={"kind": kind, "message": message},
                                      program=program, question=question, answer=None, **extra)))
        else:
            if bad_rows:
                for n, m in bad_rows:
                    click.echo(f"{options.get('events')}:{n}: {m}", err=True)
            click.echo(f"error: {message}", err=True)
        raise SystemExit(code)

    question = kind

    bound = None
    if contract_path is not None:
        from policy_lang.semantics.contracts import contract

        try:
            with requested(calendar):
                bound = contract(contract_path, policies)
        except PolicyError as e:
            if fmt == "json":
                fail("contract", f"{len(e.diagnostics)} error(s) in the contract", 1, e.diagnostics)
            srcs = {contract_path: Path(contract_path).read_text(encoding="utf-8", errors="replace")} \
                if Path(contract_path).is_file() else {}
            for d in e.diagnostics:
                click.echo(render_text(d, srcs), err=True)
            raise SystemExit(1) from None
        if program not in ("-", bound.module.PROGRAM.id):
            fail("usage", f"the contract is for program {bound.module.PROGRAM.id!r}, not {program!r} "
                          "(give its id or `-` as PROGRAM)", 2)
        options["tier"] = bound.tier
        program = bound.module.PROGRAM.id
    path = _program_path(program, policies)
    if not path.is_file():
        known = sorted(p.stem for p in Path(policies).glob("*.policy")) if Path(policies).is_dir() else []
        import difflib  # only on this error path: start-up does not pay for it

        close = difflib.get_close_matches(program, known, n=1)
        hint = (f"; did you mean {close[0]!r}?" if close else
                f"; programs in {policies!r}: {', '.join(known)}" if known else "")
        fail("usage", f"no program {program!r} (PROGRAM is an id in --policies {policies!r} "
                      f"or a path to a .policy file){hint}", 2)
    try:
        with requested(calendar):
            module = load(path)
    except PolicyError as e:
        sources = getattr(e, "sources", {})
        unique = list(dict.fromkeys(e.diagnostics))  # each once, in order
        if fmt == "json":
            fail("policy", f"{len(unique)} error(s) in the policy", 1, unique)
        for d in unique:
            click.echo(render_text(d, sources), err=True)
        raise SystemExit(1) from None
    try:
        text, data = _ask(module, kind, options, bound)
    except BadRows as e:
        fail("events", cli_message(e), 2, bad_rows=e.rows)
    except PolicyQueryError as e:
        fail(getattr(e, "kind", "query"), cli_message(e), 2)
    if fmt == "json":
        click.echo(dumps(envelope("query", 0, program=program, question=question, answer=data)))
    else:
        click.echo(text)
