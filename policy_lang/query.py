"""`policyc query`: ask a compiled program the evaluator's questions from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from .diagnostics import PolicyError, render_text
from .runtime.errors import PolicyQueryError
from .runtime.ru_text import cite, date_ru, datetime_ru

__all__ = ["query"]

KINDS = ("response", "entitlement", "deadline", "tier", "vouchers", "renewal")


def _program_path(program: str, policies: str) -> Path:
    candidate = Path(program)
    if candidate.suffix == ".policy" or candidate.is_file():
        return candidate
    return Path(policies) / f"{program}.policy"


def _when(name: str, value: str | None) -> datetime:
    if value is None:
        raise PolicyQueryError(f"--{name} is required, e.g. --{name} 2026-03-10T10:00+03:00")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise PolicyQueryError(f"--{name} {value!r} is not an ISO 8601 date-time, "
                               "e.g. 2026-03-10T10:00+03:00") from None


def _day(name: str, value: str | None) -> date:
    if value is None:
        raise PolicyQueryError(f"--{name} is required, e.g. --{name} 2026-03-01")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise PolicyQueryError(f"--{name} {value!r} is not a date, e.g. 2026-03-01") from None


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


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):  # the evaluator's answers are named tuples
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _ask(m: ModuleType, kind: str, o: dict[str, Any]) -> tuple[str, Any]:
    """(Russian text, JSON-able data) for one question."""
    if kind == "response":
        r = m.response(tier=_need("tier", o["tier"]), channel=_need("channel", o["channel"]),
                       priority=o["priority"], registered_at=_when("at", o["at"]))
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
        end = m.deadline(name, start=start, **_conditions(o["condition"]))
        when = datetime_ru(end) if isinstance(end, datetime) else date_ru(end)
        text = f"{ob.title}: не позднее {when} ({ob.term_text}; {cite(ob.clause)})."
        return text, {"obligation": name, "deadline": end.isoformat(), "clause": ob.clause}
    if kind == "tier":
        tier = m.tier_for_points(_need("points", o["points"]))
        return f"{o['points']} пунктов поддержки: уровень {tier}.", {"tier": tier}
    if kind == "vouchers":
        grants = m.vouchers(tier=_need("tier", o["tier"]), period_start=_day("start", o["start"]),
                            years=o["years"])
        lines = [f"Год {g.year}: {g.count} шт., действуют с {date_ru(g.valid_from)} "
                 f"до {date_ru(g.expires)} ({cite(g.clause)})." for g in grants]
        return "\n".join(lines), _plain(grants)
    if kind == "renewal":
        notice = _day("notice-on", o["notice_on"]) if o["notice_on"] else None
        r = m.renewal(start=_day("start", o["start"]), notice_on=notice)
        return r.reason, _plain(r)
    raise PolicyQueryError(f"unknown question {kind!r}; valid: {', '.join(KINDS)}")


@click.command("query")
@click.argument("program")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--policies", default="policies", show_default=True,
              help="Directory where PROGRAM ids are looked up as <id>.policy.")
@click.option("--tier", help="Tier id, e.g. enterprise.")
@click.option("--priority", help="Reported priority, e.g. P1 (omit for programs without).")
@click.option("--channel", help="Channel id, e.g. phone.")
@click.option("--at", "at", help="Registration instant, ISO 8601 with offset.")
@click.option("--service", help="Service id (entitlement).")
@click.option("--obligation", help="Obligation id (deadline).")
@click.option("--start", help="Start instant (deadline) or date (vouchers, renewal).")
@click.option("--condition", multiple=True, help="NAME=true, repeatable (deadline).")
@click.option("--points", type=int, help="Support points (tier).")
@click.option("--years", type=int, default=1, show_default=True, help="Years (vouchers).")
@click.option("--notice-on", "notice_on", help="Date of a notice against renewal (renewal).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
def query(program: str, kind: str, policies: str, fmt: str, **options: Any) -> None:
    """Answer KIND (response, entitlement, deadline, tier, vouchers, renewal) for PROGRAM.

    PROGRAM is a program id (looked up in --policies) or a path to a .policy file.

    \b
    policyc query landesk_support response --tier enterprise --priority P1 \\
        --channel phone --at 2026-03-10T10:00+03:00
    """
    from .loading import load  # the compiler is needed only once a question is asked

    path = _program_path(program, policies)
    if not path.is_file():
        click.echo(f"error: no policy {str(path)!r} (PROGRAM is an id in --policies "
                   f"{policies!r} or a path)", err=True)
        raise SystemExit(2)
    try:
        module = load(path)
    except PolicyError as e:
        sources = getattr(e, "sources", {})
        for d in e.diagnostics:
            click.echo(render_text(d, sources), err=True)
        raise SystemExit(1) from None
    try:
        text, data = _ask(module, kind, options)
    except PolicyQueryError as e:
        click.echo(f"error: {e}", err=True)
        raise SystemExit(2) from None
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(text)
