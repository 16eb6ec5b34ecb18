"""Contract instances: one customer's contract (contracts/*.toml), checked, bound and rendered.

A contract instance names the program, the tier bought (or the support points), the term, the
products and quantities, the contract's numbers and the parties' legal names and signatories.
`read_contract` checks it with located diagnostics (P1101); `instantiate` narrows the program to
what applies to that customer (one tier's column, its dates, its vouchers); `contract(path)`
returns the program's evaluator bound to it.

Schema (TOML; every key but `program`, `tier`/`points`, `start` and `end`/`years` is optional):

    program = "landesk_support"        # a program id of policies/<id>.policy
    tier = "enterprise"                # or: points = 60_000 (for tiers chosen by points)
    start = 2026-12-01                 # first day of the term
    end = 2027-11-30                   # last day of the term; or: years = 2
    contract_number = "17/2026-ТП"
    contract_date = 2026-11-20
    annex_number = "2"
    incidents = 10                     # purchased incidents (an incident pack)
    options = ["..."]                  # options chosen, as the annex states them
    [customer]  org = "ООО «Ромашка»"  position = "Генеральный директор"  name = "И. И. Иванов"
    [executor]  org = "..."  position = "..."  name = "..."
    [[products]] name = "LANDESK Management Suite"  quantity = "1000 лицензий"
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import attrs

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.diagnostics import Diagnostic, Label, PolicyError, Span
from policy_lang.runtime.bound import BoundEvaluator, term_years
from policy_lang.runtime.evaluator import last_day_of_term, shift
from policy_lang.semantics import model
from policy_lang.toml_input import TomlProblem, key_positions, locate, read_toml

__all__ = ["ContractFile", "contract", "instantiate", "read_contract"]

_TOP = ("program", "tier", "points", "start", "end", "years", "contract_number", "contract_date", "annex_number",
        "incidents", "options", "customer", "executor", "products")
_PARTY = ("org", "position", "name")
#: the largest number a `quantity` may be written as (a text, "1000 лицензий", has no limit but its line)
MAX_QUANTITY = 1_000_000_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


@attrs.frozen
class ContractFile:
    """A checked contract instance, as written."""

    path: str
    id: str
    program: str
    tier: str | None
    points: int | None
    start: dt.date
    end: dt.date
    contract_number: str | None
    contract_date: dt.date | None
    annex_number: str | None
    incidents: int | None
    options: tuple[str, ...]
    customer: dict[str, str]
    executor: dict[str, str]
    products: tuple[tuple[str, str], ...]


def _locate(text: str, key: str, table: str | None = None, index: int = 0) -> tuple[int, int]:
    """Line and column of `key` at the top level, in [table], or in the `index`-th [[table]]; the
    enclosing table's header when the key is not written there (toml_input.key_positions)."""
    if table is None:
        return locate(text, key)
    if (table, index) in key_positions(text):
        return locate(text, table, index, key)
    return locate(text, table, key)


def read_contract(path: Path, programs: dict[str, model.Program]) -> tuple[ContractFile | None, list[Diagnostic]]:
    """The contract instance at `path`, checked against the compiled `programs`, or P1101 diagnostics."""
    display = str(path)
    diags: list[Diagnostic] = []
    text = ""

    def error(message: str, key: str | None = None, help: str | None = None, table: str | None = None,
              index: int = 0) -> None:
        line, col = _locate(text, key, table, index) if key else (1, 1)
        width = len(key) if key else 1
        diags.append(Diagnostic("P1101", message, Label(Span(display, line, col, line, col + width)), help=help))

    try:
        text, data = read_toml(path, "the contract")
    except TomlProblem as e:
        diags.append(Diagnostic("P1101", e.message, Label(Span(display, e.line, e.col, e.line, e.col + 1)),
                                help=e.help))
        return None, diags
    for key in data:
        if key not in _TOP:
            import difflib  # only where a name is suggested: not paid by a clean check
            close = difflib.get_close_matches(key, _TOP, n=1)
            error(f"unknown key `{key}`", key, f"did you mean `{close[0]}`?" if close else f"keys: {', '.join(_TOP)}")

    def string(key: str, table: dict[str, object] | None = None, where: str | None = None,
               section: str | None = None, index: int = 0) -> str | None:
        value = (table if table is not None else data).get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            error(f"`{where or key}` must be a string", key, table=section, index=index)
            return None
        if _CONTROL.search(value) or "\n" in value or "\r" in value:
            error(f"`{where or key}` contains a line break or a control character", key,
                  "a one-line field: retype it on one line, without control characters", section, index)
            return None
        return value.strip() or None

    def day(key: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            error(f"`{key}` must be a date such as 2026-12-01", key)
            return None
        return value

    program_id = string("program")
    prog = None
    if program_id is None:
        error("a contract names its program: `program = \"landesk_support\"`")
    elif program_id not in programs:
        import difflib  # only where a name is suggested: not paid by a clean check
        close = difflib.get_close_matches(program_id, sorted(programs), n=1)
        error(f"no program `{program_id}`", "program",
              f"did you mean `{close[0]}`?" if close else f"programs: {', '.join(sorted(programs))}")
    else:
        prog = programs[program_id]

    tier = string("tier")
    points = data.get("points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, int) or points < 0):
        error("`points` must be a whole number >= 0", "points")
        points = None
    if prog is not None:
        tiers = [t.id for t in prog.tiers]
        if tier is None and points is None:
            error("a contract states the tier bought: `tier = \"...\"` (or `points = N`)", None,
                  f"tiers of {prog.id}: {', '.join(tiers)}")
        elif tier is not None and tier not in tiers:
            import difflib  # only where a name is suggested: not paid by a clean check
            close = difflib.get_close_matches(tier, tiers, n=1)
            error(f"`{tier}` is not a tier of {prog.id}", "tier",
                  f"did you mean `{close[0]}`?" if close else f"tiers: {', '.join(tiers)}")
        elif tier is None and points is not None:
            banded = [t for t in prog.tiers if t.low is not None]
            match = [t for t in banded if (t.low or 0) <= points and (t.high is None or points <= t.high)]
            if not match:
                error(f"{prog.id} chooses no tier by points", "points", f"state `tier = ...`: {', '.join(tiers)}")
            else:
                tier = match[0].id
        elif tier is not None and points is not None:
            t = prog.tier(tier)
            if t.low is not None and not (t.low <= points and (t.high is None or points <= t.high)):
                error(f"{points} support points do not give the tier `{tier}`", "points")

    start = day("start")
    end = day("end")
    years = data.get("years")
    if start is None:
        error("a contract states its term: `start = 2026-12-01`", "start" if "start" in data else None)
    if end is None and years is None:
        error("a contract states when its term ends: `end = 2027-11-30` or `years = 1`")
    if years is not None:
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
            error("`years` must be a whole number from 1 to 10", "years")
        elif end is not None:
            error("state the term's end once: `end` or `years`", "years")
        elif start is not None:
            end = last_day_of_term(start, years, "year")  # Civil Code art. 192: 2028-02-29 + 1 -> 2029-02-28
    if start is not None and end is not None:
        if end < start:
            error("the term ends before it starts", "end")
        elif (end - start).days > 3660:
            error("a term longer than 10 years", "end")
        elif not (start.year >= 2000 and end.year <= 2100):
            error("term dates outside 2000..2100", "start")
        elif prog is not None:
            _check_horizon(prog, start, end, error, "end" if "end" in data else "years")
    contract_date = day("contract_date")
    if contract_date is not None and start is not None and contract_date > start:
        error(f"the contract is dated {contract_date.isoformat()}, after its term starts ({start.isoformat()})",
              "contract_date", "a contract is signed on or before the first day of its term")

    incidents = data.get("incidents")
    if incidents is not None and (isinstance(incidents, bool) or not isinstance(incidents, int)
                                  or not 0 < incidents <= 1_000_000):
        error("`incidents` must be a whole number from 1 to 1000000", "incidents")
        incidents = None
    if incidents is not None and prog is not None and tier is not None:
        packs = prog.incident_accounting.tiers if prog.incident_accounting is not None else ()
        if tier not in packs:
            error(f"`incidents` counts the incidents of a pack, and the tier `{tier}` of {prog.id} is not one",
                  "incidents", f"incident packs of {prog.id}: {', '.join(packs)}" if packs
                  else f"{prog.id} sells no incident packs: leave `incidents` out")
    options = data.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        error("`options` must be a list of strings", "options")
        options = []
    elif any(_CONTROL.search(o) or "\n" in o or "\r" in o for o in options):
        error("an option in `options` contains a line break or a control character", "options",
              "each option is one line: split a long one into several options")
        options = []
    elif any(not o.strip() for o in options):
        error("an option in `options` is empty", "options")
        options = []
    else:
        options = [o.strip() for o in options]
    parties: dict[str, dict[str, str]] = {}
    for who in ("customer", "executor"):
        table = data.get(who, {})
        if not isinstance(table, dict):
            error(f"`{who}` must be a table: [{who}]", who)
            table = {}
        for key in table:
            if key not in _PARTY:
                error(f"unknown key `{key}` in [{who}]", key, f"keys: {', '.join(_PARTY)}", who)
        parties[who] = {k: v for k in _PARTY if (v := string(k, table, f"{who}.{k}", who)) is not None}
    products: list[tuple[str, str]] = []
    raw_products = data.get("products", [])
    if not isinstance(raw_products, list):
        error("`products` is a list of tables: [[products]]", "products")
        raw_products = []
    for n, item in enumerate(raw_products):
        if not isinstance(item, dict) or "name" not in item:
            error("each [[products]] has a `name` (and optionally `quantity`)", "products", None, "products", n)
            continue
        for key in item:
            if key not in ("name", "quantity"):
                error(f"unknown key `{key}` in [[products]]", key, "keys: name, quantity", "products", n)
        name = string("name", item, "products.name", "products", n)
        raw_quantity = item.get("quantity")
        if isinstance(raw_quantity, int) and not isinstance(raw_quantity, bool) \
                and not 0 < raw_quantity <= MAX_QUANTITY:
            error(f"`products.quantity` must be a number from 1 to {MAX_QUANTITY} (or a text such as "
                  "\"1000 лицензий\")", "quantity", None, "products", n)
            continue
        quantity = string("quantity", item, "products.quantity", "products", n) or ""
        if name is None and "name" in item and isinstance(item["name"], str) and not _CONTROL.search(item["name"]) \
                and "\n" not in item["name"] and "\r" not in item["name"]:
            error("`products.name` is empty: name the product (the annex lists it)", "name", None, "products", n)
        if name:
            products.append((name, quantity))
    contract_number, annex_number = string("contract_number"), string("annex_number")
    if diags or prog is None or start is None or end is None or tier is None:
        return None, diags
    return ContractFile(display, path.stem, prog.id, tier, points if isinstance(points, int) else None, start, end,
                        contract_number, contract_date, annex_number, incidents,
                        tuple(options), parties["customer"], parties["executor"], tuple(products)), diags


def _check_horizon(prog: model.Program, start: dt.date, end: dt.date, error: Callable[..., None],
                   end_key: str) -> None:
    """The term lies inside every calendar's horizon (the years its working time is known for): past
    it, every request of the term would be refused (CalendarHorizonError) while the annex promised it."""
    bounded = [c for c in prog.calendars if c.first is not None and c.last is not None]
    if not bounded:
        return
    first = max(bounded, key=lambda c: c.first or dt.date.min)  # both are set on every bounded calendar
    last = min(bounded, key=lambda c: c.last or dt.date.max)
    assert first.first is not None and last.last is not None
    if start < first.first:
        error(f"the term starts {start.isoformat()}, before the calendar `{first.id}` of {prog.id} begins "
              f"({first.first.isoformat()})", "start",
              f"{prog.id} knows working time from {first.first.year} to {last.last.year}")
    elif end > last.last:
        error(f"the term runs to {end.isoformat()}, past the calendar `{last.id}` of {prog.id}, which ends with "
              f"the year {last.last.year}", end_key,
              f"shorten the term, or extend the program's holidays (`official RU years ... .. {end.year}`)")


# -- the instance annex: the program narrowed to one customer ---------------------------------

def _voucher_facts(p: model.Program, c: ContractFile) -> tuple[model.VoucherGrantFact, ...]:
    out = []
    years = _term_years(c)
    for v in p.vouchers:
        count = dict(v.counts).get(c.tier or "", 0)
        if not count:
            continue
        period = p.index.periods.get(v.expires_with_period) if v.expires_with_period else None
        every = v.reissued_every or (period.length if period else None)
        life = v.expires_after or (period.length if period else None)
        valid = c.start
        for k in range(years if every else 1):
            if k and every:  # the next issue: the day after the previous term, as voucher_grants() counts
                valid = _term_end(valid, every.whole, every.unit)
            expires = _term_end(valid, life.whole, life.unit) if life else shift(c.end, 1, "day")
            out.append(model.VoucherGrantFact(v.title, count, valid, min(expires, shift(c.end, 1, "day")), v.clause))
    return tuple(out)


def _term_end(first_day: dt.date, amount: int, unit: str) -> dt.date:
    """The first day after a term (the runtime's one term rule, Civil Code art. 192)."""
    return last_day_of_term(first_day, amount, unit) + dt.timedelta(days=1)


def _term_years(c: ContractFile) -> int:
    return term_years(c.start, c.end)


def instantiate(p: model.Program, c: ContractFile) -> model.Program:
    """The program as it applies to the contract: its tier's column only, its dates and grants."""
    tier = c.tier or ""
    keep_tier = (tier,)
    matrices = tuple(
        attrs.evolve(m, tiers=keep_tier, rows=tuple(attrs.evolve(r, cells=(r.cells[m.tiers.index(tier)],))
                                                   for r in m.rows))
        for m in p.matrices if tier in m.tiers)
    targets = tuple(attrs.evolve(t, tiers=keep_tier, cells=tuple(x for x in t.cells if x.tier == tier))
                    for t in p.targets if tier in t.tiers)
    clauses = tuple(attrs.evolve(x, applies_tiers=keep_tier if x.applies_tiers else ())
                    for x in p.clauses if not x.applies_tiers or tier in x.applies_tiers)
    vouchers = tuple(attrs.evolve(v, counts=tuple(x for x in v.counts if x[0] == tier)) for v in p.vouchers
                     if dict(v.counts).get(tier))
    incidents = p.incident_accounting if p.incident_accounting and tier in p.incident_accounting.tiers else None
    if incidents is not None:
        incidents = attrs.evolve(incidents, tiers=keep_tier)
    kept = {"matrices": {m.id for m in matrices}, "targets": {t.id for t in targets},
            "clauses": {x.id for x in clauses}, "vouchers": {v.id for v in vouchers}}
    outline = tuple(o for o in p.outline if o.kind not in kept or o.key in kept[o.kind]
                    if not (o.kind == "incident_accounting" and incidents is None))
    notice = None
    renewal_clause = None
    for period in p.periods:
        ob = p.index.notices.get(period.id)
        if ob is not None and ob.before is not None:
            notice = shift(shift(c.end, 1, "day"), -ob.before.whole, ob.before.unit)
            renewal_clause = ob.clause
            break
    instance = model.Instance(
        c.id, tier, c.points, c.start, c.end, tuple(range(c.start.year, c.end.year + 1)), c.products, c.incidents,
        c.options, (), notice, renewal_clause)
    narrowed = attrs.evolve(
        p, tiers=tuple(t for t in p.tiers if t.id == tier), matrices=matrices, targets=targets, clauses=clauses,
        vouchers=vouchers, incident_accounting=incidents, outline=outline,
        decisions=tuple(d for d in p.decisions if d.tier == tier))
    return attrs.evolve(narrowed, instance=attrs.evolve(instance, vouchers=_voucher_facts(p, c)))


def annex_config(c: ContractFile) -> AnnexConfig:
    """The title block and signatures of the instance annex, from the contract."""
    return AnnexConfig(annex_number=c.annex_number, contract_number=c.contract_number,
                       contract_date=c.contract_date, executor_org=c.executor.get("org"),
                       executor_position=c.executor.get("position"), executor_name=c.executor.get("name"),
                       customer_org=c.customer.get("org"), customer_position=c.customer.get("position"),
                       customer_name=c.customer.get("name"))


def contracts_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.is_file()) if directory.is_dir() else []


# -- the bound evaluator ------------------------------------------------------------------------

def contract(path: str | Path, policies: str | Path | None = None) -> BoundEvaluator:
    """The evaluator of the contract's program, bound to the contract: tier implied, term enforced.

    `policies`: the directory of the programs (default: `policies/` beside the contract's
    directory, else the contract's own directory). Errors raise PolicyError with diagnostics.
    """
    from policy_lang.frontend import compile_file
    from policy_lang.loading import load


    path = Path(path)
    root = Path(policies) if policies is not None else next(
        (d for d in (path.resolve().parent.parent / "policies", path.resolve().parent) if d.is_dir()), path.parent)
    programs: dict[str, model.Program] = {}
    files: dict[str, Path] = {}
    for f in sorted(root.glob("*.policy")):
        compiled = compile_file(f, root)
        if compiled.program is not None:
            programs[compiled.program.id] = compiled.program
            files[compiled.program.id] = f
    c, diags = read_contract(path, programs)
    if c is None:
        raise PolicyError(diags)
    module = load(files[c.program], root)
    return BoundEvaluator(module, contract_id=c.id, tier=c.tier or "", start=c.start, end=c.end,
                          contract_number=c.contract_number)
