"""`provisional`: every deadline the evaluator returns says whether a year without a transfer decree
decides it, and the explanation says so once.

The rule under test: a deadline is provisional exactly when a count over the production calendar's
working days (working time, working days, the next working day) went through a day of a year from
the calendar's `provisional_from` on (2028 in the packaged data).  Clock time, calendar days and
24x7 calendars are never provisional, whatever year they end in; a registration in December 2027
whose count runs into January 2028 is.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang.runtime.bound import BoundEvaluator
from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.runtime.evaluator import (
    Due,
    Obligation,
    Response,
    obligation_due,
    prepare,
    provisional_years,
    respond,
    target_deadline,
)
from policy_lang.runtime.ru_text import provisional_ru

ROOT = Path(__file__).resolve().parents[2]
MSK = ZoneInfo("Europe/Moscow")
SENTENCE = "определены по ст.\u00a0112 Трудового кодекса"


@pytest.fixture(scope="module")
def ev() -> dict[str, object]:
    paths = {"landesk_support": "policies/landesk_support.policy",
             "juniper_care_core": "policies/juniper_care_core.policy",
             "cisco": "policies/examples/cisco_smart_net_total_care.policy",
             "fortinet": "policies/examples/fortinet_forticare.policy"}
    return {k: policy_lang.load(ROOT / v) for k, v in paths.items()}


def msk(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=MSK)


def _said(text: str) -> int:
    return text.count(SENTENCE)


# -- the response -----------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "deadline", "provisional"), [
    ("2027-12-29T10:00", "2027-12-29T11:00", False),  # the count ends in a decree year
    ("2027-12-30T16:30", "2028-01-10T08:30", True),   # December 2027, counted into January 2028
    ("2028-03-01T10:00", "2028-03-01T11:00", True),   # wholly in 2028
])
def test_working_time_response(ev, at, deadline, provisional) -> None:
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk(at))
    assert r.deadline == msk(deadline)
    assert r.provisional is provisional
    (answer,) = r.targets
    assert answer.deadline == r.deadline and answer.provisional is provisional
    assert r.as_dict()["targets"][0]["provisional"] is provisional
    explained = r.explain()
    assert _said(explained) == (1 if provisional else 0)
    if provisional:  # the one sentence, for the one deadline of the answer
        assert provisional_ru((2028,)) in explained and "Срок предварительный" in explained


def test_a_24x7_clock_deadline_in_2028_is_never_provisional(ev) -> None:
    juniper = ev["juniper_care_core"]
    key = next(k for k, d in juniper._DECISIONS.items() if d.seconds)
    r = juniper.response(tier=key[0], channel=key[1], priority=key[2], registered_at=msk("2028-01-03T03:00"))
    assert r.deadline is not None and r.deadline.year == 2028
    assert not r.provisional and not any(t.provisional for t in r.targets)
    assert _said(r.explain()) == 0
    due = juniper.target_due("response", tier=key[0], start=msk("2028-01-03T03:00"), priority=key[2])
    assert due is not None and due.deadline == r.deadline and not due.provisional and due.note is None


# -- several targets: each answer says it of its own deadline, the explanation once ------------

def test_each_target_of_an_answer_says_it(ev) -> None:
    cisco = ev["cisco"]
    r = cisco.response(tier="hw_8x5xnbd", channel="phone", priority="S3", registered_at=msk("2027-12-30T16:00"))
    by_id = {t.id: t for t in r.targets}
    # the response (1 working hour) ends in 2027, the next-business-day delivery in 2028
    assert by_id["response"].deadline.year == 2027 and not by_id["response"].provisional
    assert by_id["parts_delivery"].deadline.date() == date(2028, 1, 11) and by_id["parts_delivery"].provisional
    assert not r.provisional  # `.provisional` is the response deadline's
    explained = r.explain()
    assert _said(explained) == 1
    assert provisional_ru((2028,), [by_id["parts_delivery"].title]) in explained
    assert [t["provisional"] for t in r.as_dict()["targets"]] == [t.provisional for t in r.targets]


def test_both_targets_provisional_are_named_in_one_sentence(ev) -> None:
    cisco = ev["cisco"]
    r = cisco.response(tier="hw_8x5xnbd", channel="phone", priority="S3", registered_at=msk("2028-02-01T10:00"))
    assert all(t.provisional for t in r.targets) and r.provisional
    explained = r.explain()
    assert _said(explained) == 1
    assert provisional_ru((2028,), [t.title for t in r.targets]) in explained
    assert "Сроки по показателям" in explained


def test_next_calendar_day_on_24x7_is_never_provisional(ev) -> None:
    cisco = ev["cisco"]
    r = cisco.response(tier="hw_8x7xncd", channel="phone", priority="S1", registered_at=msk("2028-05-08T16:00"))
    delivery = next(t for t in r.targets if t.id == "parts_delivery")
    assert delivery.reading == "next_calendar_day" and delivery.deadline.year == 2028
    assert not delivery.provisional and _said(r.explain()) == 0


# -- target_due(): the deadline of one cell, with its provisional years ------------------------

@pytest.mark.parametrize(("start", "years"), [
    ("2027-12-20T10:00", ()),
    ("2027-12-30T16:00", (2028,)),
    ("2028-12-29T16:00", (2028, 2029)),  # started in 2028, counted into 2029: both years
])
def test_target_due(ev, start, years) -> None:
    cisco = ev["cisco"]
    args = {"tier": "hw_8x5xnbd", "start": msk(start), "priority": "S3"}
    due = cisco.target_due("parts_delivery", **args)
    assert isinstance(due, Due)
    assert due.deadline == cisco.target_deadline("parts_delivery", **args)
    assert due.provisional_years == years and due.provisional is bool(years)
    assert due.note == (provisional_ru(years) if years else None)


def test_business_days_target(ev) -> None:
    fortinet = ev["fortinet"]
    cell = next(k for k, r in fortinet._TARGET_CELLS.items() if r.reading == "business_days")
    args = {"tier": cell[1], "start": msk("2027-12-29T10:00"), "priority": cell[2]}
    due = fortinet.target_due(cell[0], **args)
    assert due is not None and due.deadline.year == 2028  # 31 Dec 2027 and 1-8 Jan 2028 are days off
    assert due.provisional_years == (2028,)
    early = fortinet.target_due(cell[0], **{**args, "start": msk("2027-06-01T10:00")})
    assert early is not None and early.deadline.year == 2027 and not early.provisional


# -- obligations --------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "years"), [
    ("2027-12-01T10:00", ()),
    ("2027-12-28T10:00", (2028,)),
    ("2028-12-25T10:00", (2028, 2029)),
])
def test_obligation_in_working_days(ev, start, years) -> None:
    juniper = ev["juniper_care_core"]
    due = juniper.due("replacement_shipment", start=msk(start))
    assert due.deadline == juniper.deadline("replacement_shipment", start=msk(start))
    assert due.provisional_years == years


def test_calendar_day_terms_are_never_provisional(ev) -> None:
    """A term in calendar days ends where it ends whatever a decree moves: not provisional, even
    on a calendar whose 2028 is computed, where the same term in working days is."""
    cal = ev["landesk_support"].CAL_SUPPORT_HOURS
    assert cal.provisional_from == date(2028, 1, 1)
    start = msk("2028-03-01T10:00")
    end = target_deadline("calendar_days", None, 10, "day", None, cal, start)
    assert end.year == 2028 and provisional_years("calendar_days", cal, start, end) == ()
    clock = target_deadline("clock", 3600, None, None, None, cal, start)
    assert provisional_years("clock", cal, start, clock) == ()
    common = {"id": "x", "title": "x", "clause": None, "party": None, "start_event": None, "amount": 10,
              "before_period": None, "calendar": cal, "condition": None, "condition_title": None,
              "text": None, "note": None}
    in_days = Obligation(**common, unit="day", term_text="10 дней", reading="calendar_days")
    in_working_days = Obligation(**common, unit="business_day", term_text="10 рабочих дней",
                                 reading="business_days")
    assert not obligation_due(in_days, start, {}, {}).provisional
    assert obligation_due(in_working_days, start, {}, {}).provisional_years == (2028,)


# -- the rule itself: the days the count went through -----------------------------------------

def _calendar(first: date, last: date, windows: list[tuple[datetime, datetime]]) -> BusinessCalendar:
    return BusinessCalendar("t", "Europe/Moscow", tuple(int(a.timestamp()) for a, _ in windows),
                            tuple(int(b.timestamp()) for _, b in windows), (first.isoformat(), last.isoformat()),
                            provisional_from="2028-01-01")


def test_a_count_ending_at_midnight_did_not_reach_the_new_year() -> None:
    """Working time used up by a window that closes at midnight on 31 December is all in 2027."""
    eve = datetime(2027, 12, 31, 20, tzinfo=MSK)
    jan2 = datetime(2028, 1, 2, 10, tzinfo=MSK)
    cal = _calendar(date(2027, 12, 1), date(2028, 1, 31),
                    [(eve, datetime.combine(date(2028, 1, 1), time(), MSK)), (jan2, jan2 + timedelta(hours=8))])
    end = cal.add_working_time(eve, 4 * 3600)
    assert end == datetime(2028, 1, 1, tzinfo=MSK)
    assert cal.provisional_years(eve, end) == () and not cal._provisional(end)
    later = cal.add_working_time(eve, 5 * 3600)  # one more hour: 2 January 2028
    assert later == jan2 + timedelta(hours=1) and cal.provisional_years(eve, later) == (2028,)
    # seconds=0 outside hours: the next opening, on a day of 2028
    assert cal.provisional_years(jan2 - timedelta(hours=3), cal.add_working_time(jan2 - timedelta(hours=3), 0)) == (2028,)


def test_a_24x7_calendar_has_no_provisional_days() -> None:
    always = BusinessCalendar.always("always", "Europe/Moscow")
    start = msk("2029-06-01T10:00")
    assert always.provisional_years(start, always.add_working_time(start, 3600)) == ()


# -- answers built elsewhere ----------------------------------------------------------------------

def test_contract_refusal_is_not_provisional(ev) -> None:
    module = ev["landesk_support"]
    bound = BoundEvaluator(module, contract_id="c", tier="enterprise", start=date(2026, 1, 1), end=date(2026, 12, 31))
    refused = bound.response(channel="phone", priority="P1", registered_at=msk("2028-03-01T10:00"))
    assert not refused.accepted and refused.deadline is None and not refused.provisional
    assert _said(refused.explain()) == 0
    due = bound.target_due("response", start=msk("2028-03-01T10:00"), priority="P1")
    assert due is not None and due.provisional


def test_a_decision_written_by_hand_keeps_its_seconds() -> None:
    """prepare() reads the deadline off the targets; a Decision without targets keeps `seconds`."""
    cal = BusinessCalendar.always("always", "Europe/Moscow")
    from policy_lang.runtime.evaluator import Decision

    d = prepare({"k": Decision("t", "c", None, True, None, 60, cal, "24x7", (), ())})["k"]
    r = respond(d, msk("2028-01-05T10:00"))
    assert isinstance(r, Response) and r.deadline == msk("2028-01-05T10:01") and not r.provisional
