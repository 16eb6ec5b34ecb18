"""`policyc query` through click's CliRunner: answers, JSON, and exit codes without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.query import query

ROOT = Path(__file__).resolve().parents[3]
POLICIES = str(ROOT / "policies")


def run(*args: str) -> object:
    return CliRunner().invoke(query, [*args, "--policies", POLICIES])


def test_response_text() -> None:
    r = run("landesk_support", "response", "--tier", "enterprise", "--priority", "P1",
            "--channel", "phone", "--at", "2026-03-10T10:00+03:00")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Заявка принята, приоритет P1, срок реакции — до 10\u00a0марта "
                               "2026\u00a0г., 11:00 (UTC+03:00).")
    assert "п.\u00a02.8" in r.output


def test_response_json() -> None:
    r = run("landesk_support", "response", "--tier", "professional", "--priority", "P1",
            "--channel", "portal", "--at", "2026-03-10T10:00+03:00", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)["answer"]
    assert data["accepted"] is True and data["priority"] == "P3"
    assert data["deadline"] == "2026-03-11T17:00:00+03:00"
    assert data["clauses"] == ["2.6 (2)", "2.8"]


def test_program_by_path_and_juniper_without_priority() -> None:
    r = CliRunner().invoke(query, [str(ROOT / "policies" / "juniper_care_core.policy"),
                                   "response", "--tier", "core", "--channel", "portal",
                                   "--at", "2026-03-14T23:30+03:00", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["answer"]["deadline"] == "2026-03-15T00:30:00+03:00"


def test_entitlement_deadline_tier_vouchers_renewal() -> None:
    r = run("landesk_support", "entitlement", "--tier", "professional", "--service",
            "standard_phone")
    assert r.exit_code == 0 and "Только уровень критичности 1" in r.output
    r = run("juniper_care_core", "deadline", "--obligation", "delivery_and_customs",
            "--start", "2026-04-28T15:00+03:00", "--condition", "own_address=true",
            "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["answer"]["deadline"] == "2026-05-29T23:59:59+03:00"
    r = run("landesk_tam", "deadline", "--obligation", "nonrenewal_notice", "--start",
            "2027-03-01")
    assert r.exit_code == 0 and "31\u00a0декабря 2026\u00a0г." in r.output
    r = run("landesk_support", "tier", "--points", "50000")
    assert r.exit_code == 0 and "enterprise" in r.output
    r = run("landesk_support", "vouchers", "--tier", "enterprise", "--start", "2026-03-01",
            "--years", "2", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.output)["answer"]) == 2
    r = run("landesk_tam", "renewal", "--start", "2026-03-01", "--notice-on", "2027-01-10")
    assert r.exit_code == 0 and "продлевается" in r.output


@pytest.mark.parametrize("args,message", [
    (("landesk_support", "response", "--tier", "gold", "--priority", "P1", "--channel", "phone",
      "--at", "2026-03-10T10:00+03:00"), "unknown tier 'gold'; valid: base"),
    (("landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
      "phone", "--at", "2026-03-10T10:00"), "needs a UTC offset such as +03:00"),
    (("landesk_support", "response", "--tier", "enterprise", "--channel", "phone",
      "--at", "2026-03-10T10:00+03:00"), "priority is required"),
    (("landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
      "phone", "--at", "2031-03-10T10:00+03:00"), "horizon"),
    (("landesk_support", "response", "--tier", "enterprise", "--at", "yesterday"),
     "--channel is required"),
    (("juniper_care_core", "deadline", "--obligation", "delivery_and_customs", "--start",
      "2026-04-28T15:00+03:00"), "add --condition own_address=true"),
    (("no_such_program", "tier", "--points", "1"), "no program 'no_such_program'"),
    (("landesk_suport", "tier", "--points", "1"), "did you mean 'landesk_support'?"),
    (("landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
      "phone", "--at", "9999-12-31T23:59+03:00"), "outside the years 1900..2200"),
    (("landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
      "phone", "--at", "0001-01-01T00:00+03:00"), "outside the years 1900..2200"),
    (("landesk_tam", "vouchers", "--tier", "premier", "--start", "2026-03-01garbage"),
     "is not a date"),
])
def test_user_errors_exit_2(args, message) -> None:
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_policy_errors_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "broken.policy"
    bad.write_text("program broken {\n    title \"x\"\n    vendor \"y\"\n}\n\ncalendar c {\n",
                   encoding="utf-8")
    r = CliRunner().invoke(query, [str(bad), "tier", "--points", "1"])
    assert r.exit_code == 1
    assert "error[P0" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize("args", [
    ("landesk_support", "response", "--tier", "gold", "--priority", "P1", "--channel", "phone",
     "--at", "2026-03-10T10:00+03:00"),
    ("landesk_suport", "tier", "--points", "1"),
    ("landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
     "phone", "--at", "9999-12-31T23:59+03:00"),
])
def test_json_errors_are_json_on_stdout(args) -> None:
    r = run(*args, "--format", "json")
    assert r.exit_code == 2
    error = json.loads(r.stdout)["error"]
    assert error["kind"] and error["message"]


def test_json_policy_errors(tmp_path: Path) -> None:
    bad = tmp_path / "broken.policy"
    bad.write_text("program broken {\n    title \"x\"\n    vendor \"y\"\n}\n\ncalendar c {\n",
                   encoding="utf-8")
    r = CliRunner().invoke(query, [str(bad), "tier", "--points", "1", "--format", "json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["error"]["kind"] == "policy" and doc["diagnostics"][0]["code"].startswith("P0")


@pytest.mark.parametrize(("start", "deadline", "provisional"), [
    # 20 business days: 3 and 10 May 2027 are days off by art. 112 (1 and 9 May on a Saturday/Sunday)
    ("2027-04-28T15:00+03:00", "2027-05-28T23:59:59+03:00", False),
    # 2028 has no decree yet: computed by art. 112 and said to be provisional
    ("2028-04-28T15:00+03:00", "2028-05-30T23:59:59+03:00", True),
])
def test_deadline_marks_provisional_years(start, deadline, provisional) -> None:
    r = run("juniper_care_core", "deadline", "--obligation", "replacement_shipment", "--start", start,
            "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)["answer"]
    assert (data["deadline"], data["provisional"]) == (deadline, provisional)
    text = run("juniper_care_core", "deadline", "--obligation", "replacement_shipment", "--start", start)
    assert ("Срок предварительный" in text.stdout) is provisional


def test_response_while_a_condition_holds() -> None:
    inquest = str(ROOT / "policies" / "examples" / "inquest_support.policy")
    ask = [inquest, "response", "--tier", "support", "--channel", "portal", "--priority", "P1",
           "--at", "2026-11-28T22:00-05:00", "--format", "json"]
    r = run(*ask, "--condition", "no_round_the_clock_resource=true")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)["answer"]
    assert (data["priority"], data["deadline"]) == ("P2", "2026-11-30T15:00:00-05:00")
    r = run(*ask)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["answer"]["priority"] == "P1"
    r = run(*ask, "--condition", "no_resource=true")
    assert r.exit_code != 0 and "Traceback" not in r.output and "no_round_the_clock_resource" in r.output
