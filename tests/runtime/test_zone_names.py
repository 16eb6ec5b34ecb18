"""zone_ru(): a calendar's zone named as a person reads it, and true on every day of the year.

The expected wording is written out per zone; the offsets it states are also checked against the
zone's own rules on a January and a July day of several years, so a row cannot claim an offset
that holds only half of the year.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from policy_lang.runtime.ru_text import ZONE_YEARS, zone_offsets, zone_ru

MINUS = "\u2212"

ROWS = [
    # the Russian zones, by their adjective
    ("Europe/Moscow", "по московскому времени"),
    ("Europe/Kaliningrad", "по калининградскому времени"),
    ("Asia/Vladivostok", "по владивостокскому времени"),
    ("UTC", "по всемирному координированному времени (UTC)"),
    # summer time: the city in the genitive and the standard/summer abbreviations
    ("Europe/Berlin", "по времени Берлина (CET/CEST)"),
    ("Europe/London", "по времени Лондона (GMT/BST)"),
    ("Europe/Paris", "по времени Парижа (CET/CEST)"),
    ("Europe/Amsterdam", "по времени Амстердама (CET/CEST)"),
    ("Europe/Dublin", "по времени Дублина (GMT/IST)"),  # tzdata's negative DST in winter
    ("Europe/Prague", "по времени Праги (CET/CEST)"),
    ("Europe/Helsinki", "по времени Хельсинки (EET/EEST)"),
    ("Europe/Kyiv", "по времени Киева (EET/EEST)"),
    ("America/New_York", "по времени Нью-Йорка (EST/EDT)"),
    ("America/Chicago", "по времени Чикаго (CST/CDT)"),
    ("America/Los_Angeles", "по времени Лос-Анджелеса (PST/PDT)"),
    ("Australia/Sydney", "по времени Сиднея (AEST/AEDT)"),  # summer in January
    # summer time, no city in the table: both offsets, each said when it holds
    ("America/Santiago", f"по местному времени часового пояса America/Santiago (UTC{MINUS}04:00, "
                         f"в период летнего времени — UTC{MINUS}03:00)"),
    ("Pacific/Auckland", "по местному времени часового пояса Pacific/Auckland (UTC+12:00, "
                         "в период летнего времени — UTC+13:00)"),
    # one offset all year: the offset
    ("Asia/Tokyo", "по времени UTC+09:00"),
    ("Asia/Kolkata", "по времени UTC+05:30"),
    ("America/Sao_Paulo", f"по времени UTC{MINUS}03:00"),
    ("America/Phoenix", f"по времени UTC{MINUS}07:00"),  # Arizona keeps no summer time
    ("Europe/Minsk", "по времени UTC+03:00"),
    # an offset left for a month that moves each year (Ramadan): no "summer time" claimed
    ("Africa/Casablanca", "по местному времени часового пояса Africa/Casablanca (UTC+00:00 или UTC+01:00 "
                          "в зависимости от даты)"),
]


def _offset(text: str) -> int:
    sign, hours, minutes = re.fullmatch(r"UTC([+\u2212])(\d\d):(\d\d)", text).groups()  # type: ignore[union-attr]
    return (-1 if sign == MINUS else 1) * (int(hours) * 60 + int(minutes))


def _minutes(zone: str, month: int, year: int) -> int:
    offset = datetime(year, month, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 60


@pytest.mark.parametrize(("zone", "expected"), ROWS, ids=[z for z, _ in ROWS])
def test_zone_named_as_read(zone: str, expected: str) -> None:
    text = zone_ru(zone)
    assert text == expected
    assert zone_ru(zone) == text  # cached: the same answer again
    offsets = [_offset(o) for o in re.findall(r"UTC[+\u2212]\d\d:\d\d", text)]
    years = range(ZONE_YEARS[0], ZONE_YEARS[1] + 1, 4)
    seen = {_minutes(zone, m, y) for y in years for m in (1, 4, 7, 10)}
    if text.startswith("по времени UTC"):  # a fixed offset: it holds in every month of every year
        assert seen == set(offsets)
    elif offsets:  # every offset the text names is one the zone uses, and it names them all
        assert set(offsets) == seen
    else:
        assert len(seen) >= 1
    if "(" in text and "/" in text and "UTC" not in text:  # «(CET/CEST)»: the zone has two offsets
        names = {datetime(y, m, 15, 12, tzinfo=ZoneInfo(zone)).tzname() for y in years for m in (1, 7)}
        assert set(text[text.index("(") + 1:-1].split("/")) == names
        assert len(zone_offsets(zone)) == 2


def test_summer_time_zone_never_named_by_one_offset() -> None:
    """The reviewer's case: Europe/Berlin is not «по времени UTC+01:00» (wrong half of the year)."""
    assert "UTC+01:00" not in zone_ru("Europe/Berlin")
    assert "UTC" not in zone_ru("Europe/Berlin")


def test_unknown_zone_never_fails_a_render() -> None:
    assert zone_ru("Nowhere/Atlantis") == "по местному времени часового пояса Nowhere/Atlantis"
