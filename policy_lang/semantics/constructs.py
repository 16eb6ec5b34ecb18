"""Every declaration kind of the language, declared once, with every stage it passes through.

A construct is one row of `CONSTRUCTS`: its keyword, its AST node, the `Program` field it lowers
into, whether a program has one or many, the symbol kind its name declares, and the name of the
method or template of each stage (checker, lowering, annex). A stage that has nothing to do says
so with `Skip("why")`: there is no default, so a construct added without deciding a stage is a
`TypeError` at import, and a stage naming a method or template that does not exist is a
`ConstructError` when that stage's module is imported (`verify`). The checker, the lowering and the
annex dispatch through this table and raise on a node that is not in it: nothing is dropped silently.

Adding a construct (docs/language.md, "Adding a construct"): a grammar rule, an AST node in
`ast.py` (and in `ast.Decl`), a transformer method in `parse.py`, a row here, then each stage the
row names: `Checker.check_<x>`, `Lowering.<x>`, a model class and `Program` field, and the annex
template `templates/annex/blocks/<x>.j2` (or `Skip` with the reason).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from policy_lang.records import frozen
from policy_lang.syntax import ast

__all__ = ["CONSTRUCTS", "Construct", "ConstructError", "Skip", "by_node", "of", "verify"]


class ConstructError(Exception):
    """A construct whose stage is missing or unknown: a programming error, found at import."""


@frozen
class Skip:
    """A stage that has nothing to do for this construct, and why (the reason is documentation)."""

    why: str


Stage = str | Skip


@frozen
class Construct:
    """One declaration kind. Every stage is stated: a method/template name, or `Skip`."""

    keyword: str  # as a policy writes it
    node: type  # its AST node
    field: str | Skip  # the `model.Program` field it lowers into (the annex outline kind too)
    repeated: bool  # a program may have many (else one block: a second is P0202)
    declares: str | Skip  # the symbol kind its own id declares, for name resolution
    check: Stage  # `Checker` method
    lower: Stage  # `Lowering` method
    annex: Stage  # annex block template: templates/annex/blocks/<annex>.j2


_ONLY_NAMES = Skip("names, references and numbers only: the generic passes cover it")

CONSTRUCTS: tuple[Construct, ...] = (
    Construct("program", ast.ProgramDecl, Skip("the program's identity: Program's own fields"), False,
              Skip("the program id is checked as a module name"), Skip("checked with the file (P0102, P0204)"),
              Skip("lower() reads it directly"), Skip("the annex title")),
    Construct("include", ast.Include, Skip("resolved by the loader before checking"), True, Skip("no name"),
              Skip("resolved by the loader"), Skip("resolved by the loader"), Skip("not printed")),
    Construct("parties", ast.PartiesDecl, "parties", False, Skip("its lines declare `party`"),
              "check_parties", "parties", "parties"),
    Construct("holidays", ast.HolidaysDecl, "holiday_sets", True, "holidays", "check_holidays", "holidays", "holiday_sets"),
    Construct("calendar", ast.CalendarDecl, "calendars", True, "calendar", "check_calendar", "calendar", "calendars"),
    Construct("channel", ast.ChannelDecl, "channels", True, "channel", "check_channel", "channel", "channels"),
    Construct("procedure", ast.ProcedureDecl, "procedures", True, "procedure", _ONLY_NAMES, "procedure", "procedures"),
    Construct("tiers", ast.TiersDecl, "tiers", False, Skip("its lines declare `tier`"), "check_tiers", "tiers", "tiers"),
    Construct("services", ast.ServicesDecl, "services", True, Skip("its lines declare `service`"), "check_services",
              "services", Skip("services are printed in the matrices that grant them")),
    Construct("matrix", ast.MatrixDecl, "matrices", True, "matrix", "check_matrix", "matrix", "matrices"),
    Construct("target", ast.TargetDecl, "targets", True, "target", "check_target", "target", "targets"),
    Construct("priorities", ast.PrioritiesDecl, "priorities", False, Skip("its lines declare `priority`"),
              "check_priorities", "priorities", "priorities"),
    Construct("requests", ast.RequestsDecl, "requests", False, Skip("its lines declare `request`"),
              "check_requests", "requests", "requests"),
    Construct("reclassify", ast.ReclassifyDecl, "reclassification", False, "reclassify", "check_reclassify",
              "reclassification", "reclassification"),
    Construct("event", ast.EventDecl, "events", True, "event", _ONLY_NAMES, "event",
              Skip("an event is printed where a term counts from it")),
    Construct("status", ast.StatusDecl, "statuses", True, "status", _ONLY_NAMES, "status",
              Skip("printed where a target pauses on it")),
    Construct("condition", ast.ConditionDecl, "conditions", True, "condition", "check_condition", "condition",
              Skip("a condition is printed where it changes an answer")),
    Construct("obligation", ast.ObligationDecl, "obligations", True, "obligation", "check_obligation", "obligation",
              "obligations"),
    Construct("period", ast.PeriodDecl, "periods", True, "period", "check_period", "period", "periods"),
    Construct("vouchers", ast.VouchersDecl, "vouchers", True, "vouchers", "check_vouchers", "vouchers", "vouchers"),
    Construct("exclusions", ast.ExclusionsDecl, "exclusions", True, "exclusions", _ONLY_NAMES, "exclusions", "exclusions"),
    Construct("clause", ast.ClauseDecl, "clauses", True, "clause", "check_clause", "clause", "clauses"),
    Construct("footnote", ast.FootnoteDecl, "footnotes", True, Skip("declared by its mark, not an id"), _ONLY_NAMES, "footnote", "footnotes"),
    Construct("definition", ast.DefinitionDecl, "definitions", True, "definition", _ONLY_NAMES, "definition",
              "definitions"),
    Construct("warranty", ast.WarrantyDecl, "warranties", True, "warranty", "check_warranty", "warranty", "warranties"),
    Construct("rma", ast.RmaDecl, "rmas", True, "rma", "check_rma", "rma", "rmas"),
    Construct("rule", ast.RuleDecl, "rules", True, "rule", "check_rule", "rule", "rules"),
    Construct("incidents", ast.IncidentsDecl, "incident_accounting", False, Skip("no name"), "check_incidents",
              "incidents", "incident_accounting"),
    Construct("reinstatement", ast.ReinstatementDecl, "reinstatement", False, Skip("no name"), "check_reinstatement",
              "reinstatement", "reinstatement"),
    Construct("coverage", ast.CoverageDecl, "coverage", True, "coverage", _ONLY_NAMES, "coverage", "coverage"),
    Construct("agreed", ast.AgreedDecl, "agreements", True, "agreed", "check_agreed", "agreed", "agreements"),
    Construct("performance", ast.PerformanceDecl, "performance", False, Skip("no name"), "check_performance",
              "performance", Skip("stated in the preamble of the annex, from Program.performance")),
    Construct("terms", ast.TermsDecl, "defined_terms", True, Skip("no name"), _ONLY_NAMES, "terms",
              Skip("the lint's table of defined terms: not printed")),
)

_BY_NODE: dict[type, Construct] = {c.node: c for c in CONSTRUCTS}


def by_node() -> dict[type, Construct]:
    """AST node class -> its construct."""
    return _BY_NODE


def of(item: object) -> Construct:
    """The construct of a declaration node; a node no row declares is a `ConstructError`."""
    try:
        return _BY_NODE[type(item)]
    except KeyError:
        raise ConstructError(f"{type(item).__name__} is not a declared construct (policy_lang/semantics/constructs.py)") from None


def verify(stage: str, owner: object, constructs: Iterable[Construct] = CONSTRUCTS) -> None:
    """Every construct's `stage` names an attribute of `owner` (a class, or a set of template names)
    or is a `Skip`; raise `ConstructError` listing every construct for which it does not."""
    have = owner if isinstance(owner, set | frozenset) else set(dir(owner))
    missing = [f"{c.keyword} ({stage} {getattr(c, stage)!r})" for c in constructs
               if isinstance(getattr(c, stage), str) and getattr(c, stage) not in have]
    if missing:
        raise ConstructError(f"constructs with no {stage} stage: {', '.join(missing)}")


def _verify_table(constructs: Iterable[Construct] = CONSTRUCTS) -> None:
    """Each node of `ast.Decl` is exactly one construct; keywords and fields are not shared."""
    rows = list(constructs)
    declared = set(get_args(ast.Decl))
    nodes = [c.node for c in rows]
    problems = [f"{n.__name__} has no construct" for n in sorted(declared - set(nodes), key=lambda n: n.__name__)]
    problems += [f"{n.__name__} is not in ast.Decl" for n in nodes if n not in declared]
    for attr in ("node", "keyword", "field"):
        values = [getattr(c, attr) for c in rows if not isinstance(getattr(c, attr), Skip)]
        problems += [f"two constructs share the {attr} {v!r}" for v in sorted({str(v) for v in values})
                     if [str(x) for x in values].count(v) > 1]
    if problems:
        raise ConstructError("; ".join(problems))


_verify_table()
