"""An evaluator bound to one customer's contract: the tier implied, the term enforced (stdlib only).

`policy_lang.contract(path)` reads a contract instance (contracts/*.toml), compiles its program
and returns a `BoundEvaluator`; services then ask `response(channel=..., registered_at=...)`
without repeating the tier, and a request outside the contract's term is refused with that reason.

The term's days are read in the contract's zone, never in the zone of the instant a caller passes
(2026-11-30T22:00+00:00 and 2026-12-01T01:00+03:00 are one instant, so one answer): the zone of the
program's calendars when they all have one; when they have several, the zone of the calendar that
the request's response counts on (its support hours, else its channel's hours, else its first
target's), and the first calendar's zone for a request without one; for a program with no
calendar, Europe/Moscow, as the contracts are Russian.  `BoundEvaluator.zone` is that single zone
(None when the program's calendars have several).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.runtime.errors import require_aware
from policy_lang.runtime.evaluator import Decision, Due, Entitlement, Renewal, Response, VoucherGrant, renewal_at
from policy_lang.runtime.ru_text import date_ru
from policy_lang.runtime.ticket import TicketAnswer, TicketEvent
from policy_lang.runtime.ticket import ticket as _ticket

__all__ = ["DEFAULT_ZONE", "BoundEvaluator", "term_years"]

#: The zone of a contract whose program has no calendar.
DEFAULT_ZONE = "Europe/Moscow"


def term_years(start: date, end: date) -> int:
    """Whole years of a term from `start` to `end` (inclusive), at least 1: 2027-01-01..2028-12-31 is 2."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return max(1, round(months / 12))


class BoundEvaluator:
    """The program's evaluator with the contract's tier and term filled in."""

    def __init__(self, module: ModuleType, *, contract_id: str, tier: str, start: date, end: date,
                 contract_number: str | None = None) -> None:
        self.module = module
        self.contract_id = contract_id
        self.tier = tier
        self.start = start  # first day of the term
        self.end = end  # last day of the term (inclusive)
        self.contract_number = contract_number
        calendars = [v for k, v in vars(module).items() if k.startswith("CAL_") and isinstance(v, BusinessCalendar)]
        zones = list(dict.fromkeys(c.zone for c in calendars))
        #: The contract's zone: the one zone of the program's calendars (None: several; see the module doc).
        self.zone: str | None = zones[0] if len(zones) == 1 else None if zones else DEFAULT_ZONE
        self._fallback = ZoneInfo(self.zone or zones[0])

    def __repr__(self) -> str:
        return (f"BoundEvaluator({self.module.PROGRAM.id!r}, contract={self.contract_id!r}, tier={self.tier!r}, "
                f"term={self.start.isoformat()}..{self.end.isoformat()})")

    @property
    def years(self) -> int:
        """Whole years of the term (at least 1): voucher grants and renewals count them."""
        return term_years(self.start, self.end)

    def term_zone(self, decision: Decision | None = None) -> ZoneInfo:
        """The zone the term's days are read in (for a request answered by `decision`)."""
        if self.zone is None and decision is not None:
            cal = decision.calendar or decision.hours or next(
                (t.calendar for t in decision.targets if t.calendar is not None), None)
            if cal is not None:
                return cal.tz
        return self._fallback

    def local_day(self, at: datetime, decision: Decision | None = None) -> date:
        """The contract's date of instant `at` (aware): its day in term_zone()."""
        return require_aware("registered_at", at).astimezone(self.term_zone(decision)).date()

    def in_term(self, at: datetime, decision: Decision | None = None) -> bool:
        """Whether instant `at` (aware) falls on a day of the term, read in the contract's zone."""
        return self.start <= self.local_day(at, decision) <= self.end

    def response(self, *, channel: str, registered_at: datetime, priority: str | None = None,
                 request: str | None = None, **conditions: bool) -> Response:
        """response() of the program for the contract's tier; refused outside the term."""
        kwargs: dict[str, Any] = {"request": request, **conditions} if request is not None else dict(conditions)
        r: Response = self.module.response(tier=self.tier, channel=channel, registered_at=registered_at,
                                           priority=priority, **kwargs)
        d = r.decision
        day = self.local_day(r.registered_at, d)
        if self.start <= day <= self.end:
            return r
        when = "до начала" if day < self.start else "после окончания"
        reason = (f"Заявка зарегистрирована {when} срока действия Договора"
                  f"{' № ' + self.contract_number if self.contract_number else ''} "
                  f"(с {date_ru(self.start)} по {date_ru(self.end)}): услуги по ней не оказываются.")
        refused = d._replace(accepted=False, seconds=None, calendar=None, calendar_title=None, targets=(),
                             heads=(), only_response=False, response_head=None, hours=None, closed=None, reasons=(reason,),
                             working_days=None, response_rule=None)
        return Response(refused, r.registered_at, None)

    def ticket(self, *, events: Iterable[TicketEvent | Mapping[str, Any]], at: datetime) -> TicketAnswer:
        """ticket() of the program for the contract's tier: a ticket registered outside the term is
        refused with the reason response() gives (its events are still checked)."""
        m = self.module

        def respond(*, tier: str, **kwargs: Any) -> Response:
            return self.response(**kwargs)

        return _ticket(respond=respond, tier=self.tier, events=events, at=at, clocks=getattr(m, "CLOCKS", {}),
                       statuses=getattr(m, "STATUSES", {}), declared_events=getattr(m, "EVENTS", {}),
                       channels=m.CHANNELS, conditions=m.CONDITIONS, escalations=getattr(m, "ESCALATIONS", {}),
                       priority_change=getattr(m, "PRIORITY_CHANGE", "recount"),
                       obligations=getattr(m, "OBLIGATIONS", None))

    def entitlement(self, *, service: str) -> Entitlement:
        answer: Entitlement = self.module.entitlement(tier=self.tier, service=service)
        return answer

    def vouchers(self) -> tuple[VoucherGrant, ...]:
        """The contract's voucher grants: one per year of its term, with their real dates."""
        grants: tuple[VoucherGrant, ...] = self.module.vouchers(tier=self.tier, period_start=self.start,
                                                                years=self.years)
        return grants

    def renewal(self, *, notice_on: date | None = None, period: str | None = None) -> Renewal:
        """Whether the contract's term renews, and the last day for a notice against renewal,
        counted from the contract's real end (not from one program period)."""
        return renewal_at(self.module._period(period), self.end + timedelta(days=1), notice_on, "срок")

    def deadline(self, obligation: str, *, start: datetime | date, paused: Iterable[tuple[datetime, datetime]] = (),
                 **conditions: bool) -> datetime | date:
        """deadline() of the program; `paused`: (from, to) pairs while the term stood still."""
        more: dict[str, Any] = {"paused": paused} if paused != () else {}  # a module of before `paused` takes none
        answer: datetime | date = self.module.deadline(obligation, start=start, **more, **conditions)
        return answer

    def due(self, obligation: str, *, start: datetime | date, paused: Iterable[tuple[datetime, datetime]] = (),
            **conditions: bool) -> Due[datetime | date]:
        """deadline() with the years without a decree it rests on (`.provisional`)."""
        more: dict[str, Any] = {"paused": paused} if paused != () else {}
        answer: Due[datetime | date] = self.module.due(obligation, start=start, **more, **conditions)
        return answer

    def target_deadline(self, target: str, *, start: datetime, priority: str | None = None,
                        request: str | None = None) -> datetime | None:
        answer: datetime | None = self.module.target_deadline(target, tier=self.tier, start=start,
                                                              priority=priority, request=request)
        return answer

    def target_due(self, target: str, *, start: datetime, priority: str | None = None,
                   request: str | None = None) -> Due[datetime] | None:
        """target_deadline() with the years without a decree it rests on (`.provisional`)."""
        answer: Due[datetime] | None = self.module.target_due(target, tier=self.tier, start=start,
                                                              priority=priority, request=request)
        return answer
