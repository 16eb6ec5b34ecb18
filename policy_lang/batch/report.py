"""The Russian report of `policyc replay`: report.md and report.html beside the outputs, one chart per
target (share met by month, matplotlib's Agg canvas, a PNG beside the report).

Everything is read back from targets.parquet with DuckDB. The output is deterministic: fixed figure
size and resolution, no dates or software names in the PNGs, rows in a fixed order; the report says
the time the tickets are answered at, never the time it was made.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import duckdb

from policy_lang.batch.report_text import NOUNS, REASONS_RU, TEXT
from policy_lang.runtime.ru_text import NBSP, date_ru, datetime_ru, duration_ru, format_int, month_ru, plural, quantity

__all__ = ["BREACHES_SHOWN", "Contract", "count_ru", "late_ru", "share_ru", "write_report"]

#: breached tickets listed per target (the longest late first); targets.csv has them all
BREACHES_SHOWN = 100
_DONE = ("met", "breached")
_OPEN = ("running", "paused", "not_started")


class Contract(NamedTuple):
    number: str | None
    start: date
    end: date
    tier: str


def count_ru(n: int, noun: str) -> str:
    """'1 заявка', '2 заявки', '100 000 заявок' (NOUNS: the forms of `noun`)."""
    one, few, many = NOUNS[noun]
    return f"{format_int(n)}{NBSP}{plural(n, one, few, many)}"


def share_ru(share: float | None) -> str:
    """95.25 -> '95,3 %' (percent, one decimal, a decimal comma); None -> '—'."""
    if share is None:
        return TEXT["dash"]
    return f"{share:.1f}".replace(".", ",") + f"{NBSP}%"


def late_ru(seconds: int) -> str:
    """How late, in Russian: '40 минут', '3 часа 5 минут', '2 дня 4 часа' (days from a day on)."""
    days, rest = divmod(max(int(seconds), 0), 86_400)
    if not days:
        return duration_ru(rest)
    return quantity(days, "day") + (" " + duration_ru(rest) if rest >= 60 else "")


def _month_ru(key: str) -> str:
    year, month = key.split("-")
    return f"{month_ru(int(month))} {year}".capitalize()


def _dt(us: int | None, tz: ZoneInfo) -> datetime | None:
    return None if us is None else (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))).astimezone(tz)


class _Doc:
    """The report as blocks, rendered to Markdown and to HTML alike."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, Any]] = []

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", (level, text)))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def items(self, items: Sequence[str]) -> None:
        self.blocks.append(("ul", list(items)))

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
        self.blocks.append(("table", (list(head), [list(r) for r in rows], set(right))))

    def img(self, src: str, alt: str) -> None:
        self.blocks.append(("img", (src, alt)))

    def markdown(self) -> str:
        out: list[str] = []
        for kind, b in self.blocks:
            if kind == "h":
                out.append("#" * b[0] + " " + b[1])
            elif kind == "p":
                out.append(b)
            elif kind == "ul":
                out.append("\n".join(f"- {i}" for i in b))
            elif kind == "img":
                out.append(f"![{b[1]}]({b[0]})")
            else:
                head, rows, right = b
                out.append("| " + " | ".join(head) + " |")
                out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|")
                out.extend("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows)
            out.append("")
        return "\n".join(out)

    def html(self, title: str) -> str:
        e = html.escape
        out = ["<!DOCTYPE html>", '<html lang="ru">', "<head>", '<meta charset="utf-8">', f"<title>{e(title)}</title>",
               "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
               "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em}"
               "td.n{text-align:right}img{max-width:100%}</style>", "</head>", "<body>"]
        for kind, b in self.blocks:
            if kind == "h":
                out.append(f"<h{b[0]}>{e(b[1])}</h{b[0]}>")
            elif kind == "p":
                out.append(f"<p>{e(b)}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in b) + "</ul>")
            elif kind == "img":
                out.append(f'<p><img src="{e(b[0])}" alt="{e(b[1])}"></p>')
            else:
                head, rows, right = b
                out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in head) + "</tr></thead><tbody>")
                for r in rows:
                    out.append("<tr>" + "".join(f'<td class="n">{e(c)}</td>' if i in right else f"<td>{e(c)}</td>"
                                                for i, c in enumerate(r)) + "</tr>")
                out.append("</tbody></table>")
        out += ["</body>", "</html>", ""]
        return "\n".join(out)


def _chart(path: Path, title: str, months: Sequence[str], series: Mapping[str, Sequence[float | None]],
           required: float | None) -> None:
    """Share met by month: one line for all tickets, one per priority; the required share dashed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(months)))
    for i, (label, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(x, ys, marker="o", linewidth=2.5 if i == 0 else 1.2, label=label)
    if required is not None:
        ax.axhline(required, linestyle="--", color="black", linewidth=1,
                   label=TEXT["chart_required"].format(required=share_ru(required)))
    ax.set_xticks(x, [_month_ru(m)[:3] + " " + m[2:4] for m in months], rotation=45, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel(TEXT["chart_y"])
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100, metadata={"Software": None})


def _slug(target: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", target.lower())


def write_report(out_dir: Path, module: ModuleType, summary: Mapping[str, Any], *, zone: str,
                 contract: Contract | None = None, events_name: str | None = None) -> list[str]:
    """report.md, report.html and chart_<target>.png in `out_dir` from its targets.parquet; the files written."""
    tz = ZoneInfo(zone)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    t = "read_parquet(" + "'" + str(out_dir / "targets.parquet").replace("'", "''") + "')"
    labels: Mapping[str, str] = getattr(module, "PRIORITY_LABELS", {})
    targets_known: Mapping[str, str] = getattr(module, "TARGETS", {})
    program = module.PROGRAM
    doc = _Doc()
    title = TEXT["title"].format(program=program.title)
    doc.h(1, title)
    if contract is not None:
        doc.p(TEXT["contract"].format(number=contract.number or TEXT["dash"], start=date_ru(contract.start),
                                      end=date_ru(contract.end), tier=contract.tier))
    at = summary.get("at")
    at_ru = datetime_ru(datetime.fromisoformat(at).astimezone(tz)) if at else TEXT["dash"]
    doc.p(TEXT["source"].format(events=events_name or Path(str(summary["events"])).name, at=at_ru))
    doc.p(TEXT["totals"].format(tickets=count_ru(int(summary["tickets"]), "ticket"),
                                replayed=count_ru(int(summary["tickets_replayed"]), "ticket_gen"),
                                targets=format_int(int(summary["targets"]))))
    if summary.get("tickets_left_out"):
        doc.p(TEXT["left_out"].format(left_out=count_ru(int(summary["tickets_left_out"]), "ticket_gen")))
    if summary.get("tickets_refused_outside_term"):
        doc.p(TEXT["refused"].format(refused=count_ru(int(summary["tickets_refused_outside_term"]), "ticket")))
    by_reason: Mapping[str, int] = summary.get("bad_rows_by_reason", {})
    if by_reason:
        doc.p(TEXT["bad_rows"].format(bad=count_ru(sum(by_reason.values()), "row")))
        doc.items([TEXT["bad_reason"].format(reason=REASONS_RU.get(r, r), count=format_int(int(n)))
                   for r, n in sorted(by_reason.items())])
    else:
        doc.p(TEXT["no_bad_rows"])
    doc.p(TEXT["zone"].format(zone=zone))
    files = ["report.md", "report.html"]
    present = [str(r[0]) for r in con.execute(f"SELECT DISTINCT target FROM {t}").fetchall()]
    order = [k for k in targets_known if k in present] + sorted(k for k in present if k not in targets_known)
    month = f"strftime(timezone('{zone}', registered_at), '%Y-%m')"
    for target in order:
        name = targets_known.get(target, target)
        doc.h(2, TEXT["target"].format(title=name))
        q = f"FROM {t} WHERE target = $target"
        got = con.execute(f"""SELECT count(*) FILTER (state IN {_DONE}), count(*) FILTER (state = 'met'),
            count(*) FILTER (state = 'breached'), count(*) FILTER (state IN {_OPEN}) {q}""", {"target": target}).fetchone()
        done, met, breached, open_ = (int(v) for v in got) if got is not None else (0, 0, 0, 0)
        if done:
            doc.p(TEXT["target_totals"].format(done=count_ru(done, "ticket"), met=count_ru(met, "ticket"),
                                               share=share_ru(100.0 * met / done), breached=count_ru(breached, "ticket"),
                                               open=count_ru(open_, "ticket")))
        else:
            doc.p(TEXT["target_none"])
        rows = con.execute(f"""SELECT {month} AS m, tier, priority, count(*) FILTER (state IN {_DONE}) AS total,
            count(*) FILTER (state = 'met') AS met, max(percentile) AS required {q}
            GROUP BY ALL ORDER BY m, tier, priority NULLS FIRST""", {"target": target}).fetchall()
        table = []
        for m, tier, prio, total, n_met, required in rows:
            share = 100.0 * n_met / total if total else None
            attained = (TEXT["dash"] if required is None or not total else
                        TEXT["yes"] if 100 * n_met >= required * total else TEXT["no"])
            table.append([_month_ru(m), tier or TEXT["dash"], labels.get(prio, prio) if prio else TEXT["dash"],
                          format_int(int(total)), format_int(int(n_met)), share_ru(share),
                          share_ru(required) if required is not None else TEXT["dash"], attained])
        doc.table(TEXT["table_head"].split("|"), table, right=(3, 4, 5, 6))
        months = [str(r[0]) for r in con.execute(f"SELECT DISTINCT {month} AS m {q} ORDER BY m", {"target": target}).fetchall()]
        series: dict[str, list[float | None]] = {}
        for label, extra in [(TEXT["chart_all"], "")] + [
                (labels.get(p, p), f" AND priority = '{p}'") for p in getattr(module, "PRIORITIES", ())]:
            by_month = {str(r[0]): (int(r[1]), int(r[2])) for r in con.execute(
                f"SELECT {month} AS m, count(*) FILTER (state IN {_DONE}), count(*) FILTER (state = 'met') "
                f"{q}{extra} GROUP BY m", {"target": target}).fetchall()}
            if extra and not any(d for d, _ in by_month.values()):
                continue
            series[label] = [100.0 * by_month[m][1] / by_month[m][0] if m in by_month and by_month[m][0] else None
                             for m in months]
        req = con.execute(f"SELECT max(percentile) {q}", {"target": target}).fetchone()
        chart = f"chart_{_slug(target)}.png"
        _chart(out_dir / chart, TEXT["chart_title"].format(title=name), months, series,
               float(req[0]) if req is not None and req[0] is not None else None)
        files.append(chart)
        doc.img(chart, TEXT["chart_alt"].format(title=name))
        if breached:
            doc.p(TEXT["breached_head"].format(count=count_ru(breached, "ticket")))
            late = con.execute(f"""SELECT ticket, tier, priority, epoch_us(registered_at), epoch_us(breached_at),
                epoch_us(met_at), breach_seconds {q} AND state = 'breached'
                ORDER BY breach_seconds DESC NULLS LAST, ticket LIMIT {BREACHES_SHOWN}""", {"target": target}).fetchall()
            rows_late = []
            for ticket, tier, prio, reg, due, met_at, secs in late:
                reg_dt, due_dt, met_dt = _dt(reg, tz), _dt(due, tz), _dt(met_at, tz)
                rows_late.append([str(ticket), tier or TEXT["dash"], labels.get(prio, prio) if prio else TEXT["dash"],
                                  datetime_ru(reg_dt) if reg_dt else TEXT["dash"],
                                  datetime_ru(due_dt) if due_dt else TEXT["dash"],
                                  datetime_ru(met_dt) if met_dt else TEXT["not_done"].format(at=at_ru),
                                  late_ru(int(secs)) if secs is not None else TEXT["dash"]])
            doc.table(TEXT["breached_table"].split("|"), rows_late, right=(6,))
            if breached > BREACHES_SHOWN:
                doc.p(TEXT["breached_more"].format(shown=count_ru(BREACHES_SHOWN, "ticket"), total=format_int(breached)))
    doc.p(TEXT["files"])
    con.close()
    (out_dir / "report.md").write_text(doc.markdown(), encoding="utf-8")
    (out_dir / "report.html").write_text(doc.html(title), encoding="utf-8")
    return files
