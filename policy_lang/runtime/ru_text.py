"""Russian wording, in one place: numerals, counted units, dates, prices, quotes, lists, citations.

Stdlib only: the generated evaluators use it at run time (dates and citations in their answers)
and the compiler uses it for the annexes and the decisions' reasons, so both say things one way.
`policy_lang.ru_format` re-exports it under its older name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

# Conventions (a Russian lawyer signs this text, so they are fixed and tested):
# * "ё" is written as "е" (трех, днем), as in Russian legislation and contracts.
# * Accusative is the inanimate one (один год, две минуты): every unit is inanimate.
# * Numbers: up to 9999 without a separator ("2026", "1000"), from 10 000 grouped
#   by three with a no-break space ("10 000", "1 000 000"), the Мильчин rule.
# * A no-break space binds a number to its unit and "2026" to "г.".

NBSP = "\u00a0"

CASES = ("nom", "gen", "dat", "acc", "ins", "prep")
GENDERS = ("m", "f", "n")

_MAX_WORDS = 10**12 - 1


def _check_case(case: str) -> None:
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; expected one of {', '.join(CASES)}")


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")


# --------------------------------------------------------------------------- plural

def plural_category(n: int) -> str:
    """'one' | 'few' | 'many': which form a Russian noun takes after the number n."""
    n = abs(n)
    if 11 <= n % 100 <= 14:
        return "many"
    if n % 10 == 1:
        return "one"
    if 2 <= n % 10 <= 4:
        return "few"
    return "many"


def plural(n: int, one: str, few: str, many: str) -> str:
    """Pick one of three given forms by the Russian rule (1 час, 2 часа, 5 часов)."""
    return {"one": one, "few": few, "many": many}[plural_category(n)]


# --------------------------------------------------------------------------- nouns

class _Paradigm:
    """A noun (optionally with an agreeing adjective), six cases, both numbers.

    A plain class, not a dataclass: `dataclasses` imports `inspect`, ~10 ms of every evaluator's
    cold start.
    """

    __slots__ = ("adj_pl", "adj_sg", "gender", "pl", "sg")

    def __init__(self, gender: str, sg: tuple[str, ...], pl: tuple[str, ...],
                 adj_sg: tuple[str, ...] = (), adj_pl: tuple[str, ...] = ()) -> None:
        self.gender, self.sg, self.pl, self.adj_sg, self.adj_pl = gender, sg, pl, adj_sg, adj_pl

    def _phrase(self, adj: tuple[str, ...], noun: tuple[str, ...], adj_case: str, noun_case: str) -> str:
        word = noun[CASES.index(noun_case)]
        return f"{adj[CASES.index(adj_case)]} {word}" if adj else word

    def after(self, n: int, case: str) -> str:
        """The form that follows the number n when the whole group stands in `case`."""
        if n == 0 or n % 1000 == 0:
            # ноль, тысяча, миллион are nouns: the counted word stays genitive plural
            # in every case (к тысяче дней, с двумя тысячами дней).
            return self._phrase(self.adj_pl, self.pl, "gen", "gen")
        cat = plural_category(n)
        if cat == "one":
            return self._phrase(self.adj_sg, self.sg, case, case)
        if case in ("nom", "acc"):
            if cat == "few":
                # два рабочих дня: noun gen. sg., adjective gen. pl. (every adjective
                # unit is masculine; for a feminine one nom. pl. would read better).
                return self._phrase(self.adj_pl, self.sg, "gen", "gen")
            return self._phrase(self.adj_pl, self.pl, "gen", "gen")
        return self._phrase(self.adj_pl, self.pl, case, case)


def _forms(text: str) -> tuple[str, ...]:
    forms = tuple(text.split())
    assert len(forms) == 6, text
    return forms


#                       nom        gen         dat         acc        ins          prep
_RABOCHIJ_SG = _forms("рабочий    рабочего    рабочему    рабочий    рабочим      рабочем")
_RABOCHIJ_PL = _forms("рабочие    рабочих     рабочим     рабочие    рабочими     рабочих")
_KALENDAR_SG = _forms("календарный календарного календарному календарный календарным календарном")
_KALENDAR_PL = _forms("календарные календарных календарным календарные календарными календарных")

_DAY = (_forms("день дня дню день днем дне"), _forms("дни дней дням дни днями днях"))
_HOUR = (_forms("час часа часу час часом часе"), _forms("часы часов часам часы часами часах"))


def _masc(stem: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A hard-stem masculine noun: ваучер, инцидент, контакт."""
    sg = tuple(stem + e for e in ("", "а", "у", "", "ом", "е"))
    pl = tuple(stem + e for e in ("ы", "ов", "ам", "ы", "ами", "ах"))
    return sg, pl


UNITS: dict[str, _Paradigm] = {
    "minute": _Paradigm(
        "f",
        _forms("минута минуты минуте минуту минутой минуте"),
        _forms("минуты минут минутам минуты минутами минутах"),
    ),
    "hour": _Paradigm("m", *_HOUR),
    "business_hour": _Paradigm("m", *_HOUR, _RABOCHIJ_SG, _RABOCHIJ_PL),
    "day": _Paradigm("m", *_DAY),
    "calendar_day": _Paradigm("m", *_DAY, _KALENDAR_SG, _KALENDAR_PL),
    "business_day": _Paradigm("m", *_DAY, _RABOCHIJ_SG, _RABOCHIJ_PL),
    "week": _Paradigm(
        "f",
        _forms("неделя недели неделе неделю неделей неделе"),
        _forms("недели недель неделям недели неделями неделях"),
    ),
    "month": _Paradigm(
        "m",
        _forms("месяц месяца месяцу месяц месяцем месяце"),
        _forms("месяцы месяцев месяцам месяцы месяцами месяцах"),
    ),
    # "prep" is the prepositional after "о" (о годе); the locative "в году" is not produced.
    "year": _Paradigm(
        "m",
        _forms("год года году год годом годе"),
        _forms("годы лет годам годы годами годах"),
    ),
    "voucher": _Paradigm("m", *_masc("ваучер")),
    "incident": _Paradigm("m", *_masc("инцидент")),
    "contact": _Paradigm("m", *_masc("контакт")),
    "trip": _Paradigm(
        "f",
        _forms("поездка поездки поездке поездку поездкой поездке"),
        _forms("поездки поездок поездкам поездки поездками поездках"),
    ),
    "check": _Paradigm(
        "f",
        _forms("проверка проверки проверке проверку проверкой проверке"),
        _forms("проверки проверок проверкам проверки проверками проверках"),
    ),
}

UNIT_KEYS = tuple(UNITS)


def _unit(unit: str) -> _Paradigm:
    try:
        return UNITS[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNIT_KEYS)}") from None


def unit_gender(unit: str) -> str:
    """'m' | 'f': the gender a numeral must agree with (одна минута, один час)."""
    return _unit(unit).gender


def unit_form(n: int, unit: str, case: str = "nom") -> str:
    """The unit's words as they follow the number n in `case`, without the number."""
    _check_count(n)
    _check_case(case)
    return _unit(unit).after(n, case)


# --------------------------------------------------------------------------- numbers

def format_int(n: int) -> str:
    """Digits for a contract: '9999' as is, '10 000' grouped by no-break spaces."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if abs(n) < 10_000:
        return str(n)
    return f"{n:,}".replace(",", NBSP)


def quantity(n: int, unit: str, case: str = "nom") -> str:
    """'21 рабочего дня': digits, a no-break space, the unit agreeing with n in `case`."""
    return f"{format_int(n)}{NBSP}{unit_form(n, unit, case)}"


def _row(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Digits 0..9 without 1 and 2 where gender matters; columns are CASES.
_ZERO = dict(zip(CASES, _row("ноль нуля нулю ноль нулем нуле")))
_ONE = {
    "m": dict(zip(CASES, _row("один одного одному один одним одном"))),
    "n": dict(zip(CASES, _row("одно одного одному одно одним одном"))),
    "f": dict(zip(CASES, _row("одна одной одной одну одной одной"))),
}
_TWO = {
    "m": dict(zip(CASES, _row("два двух двум два двумя двух"))),
    "n": dict(zip(CASES, _row("два двух двум два двумя двух"))),
    "f": dict(zip(CASES, _row("две двух двум две двумя двух"))),
}
_DIGITS = {  # 3..9
    "nom": _row("три четыре пять шесть семь восемь девять"),
    "gen": _row("трех четырех пяти шести семи восьми девяти"),
    "dat": _row("трем четырем пяти шести семи восьми девяти"),
    "acc": _row("три четыре пять шесть семь восемь девять"),
    "ins": _row("тремя четырьмя пятью шестью семью восемью девятью"),
    "prep": _row("трех четырех пяти шести семи восьми девяти"),
}
_TEENS = {  # 10..19
    "nom": _row("десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать"),
    "gen": _row("десяти одиннадцати двенадцати тринадцати четырнадцати пятнадцати шестнадцати семнадцати восемнадцати девятнадцати"),
    "ins": _row("десятью одиннадцатью двенадцатью тринадцатью четырнадцатью пятнадцатью шестнадцатью семнадцатью восемнадцатью девятнадцатью"),
}
_TENS = {  # 20..90
    "nom": _row("двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто"),
    "gen": _row("двадцати тридцати сорока пятидесяти шестидесяти семидесяти восьмидесяти девяноста"),
    "ins": _row("двадцатью тридцатью сорока пятьюдесятью шестьюдесятью семьюдесятью восемьюдесятью девяноста"),
}
for _t in (_TEENS, _TENS):  # dat and prep equal gen, acc equals nom
    _t.update(dat=_t["gen"], prep=_t["gen"], acc=_t["nom"])
del _t
_HUNDREDS = {  # 100..900
    "nom": _row("сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот"),
    "gen": _row("ста двухсот трехсот четырехсот пятисот шестисот семисот восьмисот девятисот"),
    "dat": _row("ста двумстам тремстам четыремстам пятистам шестистам семистам восьмистам девятистам"),
    "acc": _row("сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот"),
    "ins": _row("ста двумястами тремястами четырьмястами пятьюстами шестьюстами семьюстами восемьюстами девятьюстами"),
    "prep": _row("ста двухстах трехстах четырехстах пятистах шестистах семистах восьмистах девятистах"),
}

_SCALES = (
    (10**9, _Paradigm("m", _forms("миллиард миллиарда миллиарду миллиард миллиардом миллиарде"),
                      _forms("миллиарды миллиардов миллиардам миллиарды миллиардами миллиардах"))),
    (10**6, _Paradigm("m", _forms("миллион миллиона миллиону миллион миллионом миллионе"),
                      _forms("миллионы миллионов миллионам миллионы миллионами миллионах"))),
    (10**3, _Paradigm("f", _forms("тысяча тысячи тысяче тысячу тысячей тысяче"),
                      _forms("тысячи тысяч тысячам тысячи тысячами тысячах"))),
)


def _below_thousand(n: int, case: str, gender: str) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_HUNDREDS[case][hundreds - 1]] if hundreds else []
    if 10 <= rest <= 19:
        return words + [_TEENS[case][rest - 10]]
    tens, ones = divmod(rest, 10)
    if tens:
        words.append(_TENS[case][tens - 2])
    if ones == 1:
        words.append(_ONE[gender][case])
    elif ones == 2:
        words.append(_TWO[gender][case])
    elif ones:
        words.append(_DIGITS[case][ones - 3])
    return words


def number_words(n: int, case: str = "nom", gender: str = "m") -> str:
    """A cardinal in words, every part declined (двадцати одного), 0..999 999 999 999."""
    _check_count(n)
    _check_case(case)
    if gender not in GENDERS:
        raise ValueError(f"unknown gender {gender!r}; expected one of {', '.join(GENDERS)}")
    if n > _MAX_WORDS:
        raise ValueError(f"{n} is beyond {_MAX_WORDS}, the largest number written in words")
    if n == 0:
        return _ZERO[case]
    words: list[str] = []
    for scale, noun in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words += _below_thousand(count, case, noun.gender)
            words.append(noun.after(count, case))
    if n:
        words += _below_thousand(n, case, gender)
    return " ".join(words)


def legal_quantity(n: int, unit: str, case: str = "nom") -> str:
    """'шестьдесят (60) дней': words agreeing with the unit, digits, the unit.

    The gaps around "(60)" are no-break spaces so the gloss never starts a line.
    """
    words = number_words(n, case, unit_gender(unit))
    return f"{words}{NBSP}({format_int(n)}){NBSP}{unit_form(n, unit, case)}"


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "nom": _row("январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"),
    "gen": _row("января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
    "prep": _row("январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре"),
}


def month_ru(month: int, case: str = "nom") -> str:
    """Month 1..12 by name: 'nom' (январь), 'gen' (1 января), 'prep' (в январе)."""
    if case not in _MONTHS:
        raise ValueError(f"month names exist in cases {', '.join(_MONTHS)}, not {case!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return _MONTHS[case][month - 1]


def date_ru(d: date) -> str:
    """'1 января 2026 г.' — the form of dates in Russian contracts."""
    return f"{d.day}{NBSP}{month_ru(d.month, 'gen')} {d.year}{NBSP}г."


def time_ru(t: time | datetime) -> str:
    """'08:00'; seconds only when they are not zero ('08:00:30')."""
    text = f"{t.hour:02d}:{t.minute:02d}"
    return f"{text}:{t.second:02d}" if t.second else text


def utc_offset_ru(dt: datetime) -> str:
    """'UTC+03:00' for an aware datetime."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("a contract moment needs a time zone; got a naive datetime")
    seconds = int(offset.total_seconds())
    sign = "\u2212" if seconds < 0 else "+"  # a minus sign, not a hyphen
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"UTC{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


def datetime_ru(dt: datetime) -> str:
    """'10 марта 2026 г., 10:00 (UTC+03:00)': local date and time with its offset."""
    return f"{date_ru(dt)}, {time_ru(dt)} ({utc_offset_ru(dt)})"


# --------------------------------------------------------------------------- weekdays

# Index as date.weekday(): 0 = Monday.
_WEEKDAYS = {
    "nom": _row("понедельник вторник среда четверг пятница суббота воскресенье"),
    "gen": _row("понедельника вторника среды четверга пятницы субботы воскресенья"),
    "acc": _row("понедельник вторник среду четверг пятницу субботу воскресенье"),
}
_FROM = _row("с со со с с с с")  # со вторника, со среды
_ON = _row("в во в в в в в")  # во вторник


def weekday_ru(weekday: int, case: str = "nom") -> str:
    """Weekday 0..6 (Monday = 0) in 'nom', 'gen' or 'acc'."""
    if case not in _WEEKDAYS:
        raise ValueError(f"weekday names exist in cases {', '.join(_WEEKDAYS)}, not {case!r}")
    if not 0 <= weekday <= 6:
        raise ValueError(f"no weekday {weekday}; Monday is 0, Sunday is 6")
    return _WEEKDAYS[case][weekday]


def weekday_range_ru(start: int, end: int) -> str:
    """'с понедельника по пятницу', 'со вторника по среду'; one day: 'во вторник'."""
    if start == end:
        return f"{_ON[start]} {weekday_ru(start, 'acc')}"
    return f"{_FROM[start]} {weekday_ru(start, 'gen')} по {weekday_ru(end, 'acc')}"


# --------------------------------------------------------------------------- text

_OPENERS = set("([{„«—–-/")


def quote(s: str) -> str:
    """«s»; quotes inside become „…“, as Russian typography nests them."""
    out = []
    for i, ch in enumerate(s):
        if ch == "«":
            ch = "„"
        elif ch == "»":
            ch = "“"
        elif ch in "\"“”":
            prev = s[i - 1] if i else ""
            ch = "„" if not prev or prev.isspace() or prev in _OPENERS else "“"
        out.append(ch)
    return f"«{''.join(out)}»"


def join_ru(items: Iterable[str], conj: str = "и") -> str:
    """'a, b и c' (no comma before the conjunction); conj='или' gives 'a, b или c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


_NUM_THEN_WORD = re.compile(r"(?<=\d) (?=[^\W_])")
_SIGN_THEN_WORD = re.compile(r"(?<=[№§]) ")


def nbsp_numbers(text: str) -> str:
    """Bind numbers to the next word ('5 дней', '2026 г.') and '№'/'§' to theirs."""
    return _SIGN_THEN_WORD.sub(NBSP, _NUM_THEN_WORD.sub(NBSP, text))


# --------------------------------------------------------------------------- fractions, prices, shares

def format_decimal(x: Decimal | int) -> str:
    """'2,5' (decimal comma), '1 500' (grouped like format_int), '1 500,50'."""
    if isinstance(x, int) and not isinstance(x, bool):
        return format_int(x)
    q = Decimal(x)
    if q == q.to_integral_value():
        return format_int(int(q))
    whole, frac = f"{q:f}".split(".")
    return f"{format_int(int(whole))},{frac.rstrip('0')}"


def fraction_quantity(x: Decimal, unit: str, case: str = "nom") -> str:
    """'2,5 рабочего дня': a fractional number governs the genitive singular in every case."""
    _check_case(case)
    p = _unit(unit)
    return f"{format_decimal(x)}{NBSP}{p._phrase(p.adj_sg, p.sg, 'gen', 'gen')}"


def any_quantity(x: Decimal | int, unit: str, case: str = "nom") -> str:
    """quantity() for a whole number, fraction_quantity() for a fraction."""
    if isinstance(x, Decimal) and x != x.to_integral_value():
        return fraction_quantity(x, unit, case)
    return quantity(int(x), unit, case)


#: Currencies by ISO code: the noun's forms after a number (1 рубль, 2 рубля, 5 рублей) and a fraction.
CURRENCIES = {
    "RUB": ("рубль", "рубля", "рублей", "рубля"),
    "USD": ("доллар США", "доллара США", "долларов США", "доллара США"),
    "EUR": ("евро", "евро", "евро", "евро"),
}
#: Units a price is quoted per: "за час", "за инцидент" (accusative after "за").
PER_UNIT = {
    "hour": "час", "incident": "инцидент", "request": "заявку", "day": "день", "month": "месяц",
    "year": "год", "user": "пользователя", "device": "устройство", "license": "лицензию", "visit": "выезд",
}


def price_ru(amount: Decimal, currency: str, per: str | None = None) -> str:
    """'1 500 рублей за час', '2 доллара США', '1 500,50 рубля'."""
    one, few, many, frac = CURRENCIES[currency]
    if amount == amount.to_integral_value():
        n = int(amount)
        noun = plural(n, one, few, many) if n else many
    else:
        noun = frac
    text = f"{format_decimal(amount)}{NBSP}{noun}"
    return f"{text} за{NBSP}{PER_UNIT[per]}" if per else text


_WINDOWS = {"month": "календарный месяц", "quarter": "календарный квартал", "year": "календарный год"}


def percentile_ru(percent: Decimal, per: str) -> str:
    """'не менее 95 % заявок за календарный месяц' (a no-break space before %, ГОСТ 8.417)."""
    return f"не менее {format_decimal(percent)}{NBSP}% заявок за {_WINDOWS[per]}"


# --------------------------------------------------------------------------- time zones

_ZONES = {
    "Europe/Kaliningrad": "калининградскому", "Europe/Moscow": "московскому", "Europe/Samara": "самарскому",
    "Asia/Yekaterinburg": "екатеринбургскому", "Asia/Omsk": "омскому", "Asia/Novosibirsk": "новосибирскому",
    "Asia/Krasnoyarsk": "красноярскому", "Asia/Irkutsk": "иркутскому", "Asia/Yakutsk": "якутскому",
    "Asia/Vladivostok": "владивостокскому", "Asia/Magadan": "магаданскому", "Asia/Kamchatka": "камчатскому",
}

#: Zones with summer time, by the city a person names them after, in the genitive («по времени Берлина»).
_CITIES = {
    "Europe/Amsterdam": "Амстердама", "Europe/Athens": "Афин", "Europe/Belgrade": "Белграда",
    "Europe/Berlin": "Берлина", "Europe/Brussels": "Брюсселя", "Europe/Bucharest": "Бухареста",
    "Europe/Budapest": "Будапешта", "Europe/Chisinau": "Кишинева", "Europe/Copenhagen": "Копенгагена",
    "Europe/Dublin": "Дублина", "Europe/Helsinki": "Хельсинки", "Europe/Kiev": "Киева", "Europe/Kyiv": "Киева",
    "Europe/Lisbon": "Лиссабона", "Europe/London": "Лондона", "Europe/Madrid": "Мадрида",
    "Europe/Oslo": "Осло", "Europe/Paris": "Парижа", "Europe/Prague": "Праги", "Europe/Riga": "Риги",
    "Europe/Rome": "Рима", "Europe/Sofia": "Софии", "Europe/Stockholm": "Стокгольма",
    "Europe/Tallinn": "Таллина", "Europe/Vienna": "Вены", "Europe/Vilnius": "Вильнюса",
    "Europe/Warsaw": "Варшавы", "Europe/Zurich": "Цюриха",
    "America/Chicago": "Чикаго", "America/Denver": "Денвера", "America/Los_Angeles": "Лос-Анджелеса",
    "America/New_York": "Нью-Йорка", "America/Toronto": "Торонто", "America/Vancouver": "Ванкувера",
    "Australia/Melbourne": "Мельбурна", "Australia/Sydney": "Сиднея",
}

#: The years whose offsets decide how a zone is named: a zone with one offset in all of them is
#: named by it; otherwise by its standard and summer time.
ZONE_YEARS = (2024, 2040)


def _offset_ru(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_offsets(zone: str) -> tuple[tuple[timedelta, str], ...]:
    """The (UTC offset, abbreviation) pairs `zone` uses in ZONE_YEARS, smallest offset first;
    one pair: a fixed-offset zone.  The 1st and 15th of every month, at noon, are asked."""
    return tuple(sorted({o: n for year in _zone_years(zone) for o, n in year.items()}.items()))


def _zone_years(zone: str) -> list[dict[timedelta, str]]:
    """Per year of ZONE_YEARS, the offsets `zone` uses (sampled on the 1st and 15th at noon)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    years = []
    for year in range(ZONE_YEARS[0], ZONE_YEARS[1] + 1):
        seen: dict[timedelta, str] = {}
        for month in range(1, 13):
            for day in (1, 15):
                at = datetime(year, month, day, 12, tzinfo=tz)
                offset = at.utcoffset()
                if offset is not None:
                    seen.setdefault(offset, at.tzname() or "")
        years.append(seen)
    return years


def _summer_time(zone: str, years: list[dict[timedelta, str]]) -> bool:
    """Whether `zone` keeps standard time and summer time every year alike: the same two offsets
    each year, one in January and the other in July (both hemispheres).  Not so for a zone whose
    offset changed in these years, or one that leaves its usual offset for a month that moves
    (Africa/Casablanca in Ramadan)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    first = set(years[0])
    if len(first) != 2 or any(set(y) != first for y in years):
        return False
    return all(datetime(y, 1, 15, 12, tzinfo=tz).utcoffset() != datetime(y, 7, 15, 12, tzinfo=tz).utcoffset()
               for y in range(ZONE_YEARS[0], ZONE_YEARS[1] + 1))


def zone_ru(zone: str) -> str:
    """How a contract names a calendar's zone, true on every day of the year.

    «по московскому времени» (the Russian zones); «по всемирному координированному времени (UTC)»;
    a zone with one UTC offset in ZONE_YEARS by that offset, «по времени UTC+09:00»; a zone with
    summer time by its city, «по времени Берлина (CET/CEST)», or when the city is not in the table,
    «по местному времени часового пояса America/Santiago (UTC−04:00, в период летнего времени —
    UTC−03:00)»; any other zone by its offsets, «… (UTC+00:00 или UTC+01:00 в зависимости от
    даты)».  Never an offset that holds only part of the year.
    """
    if zone in _ZONES:
        return f"по {_ZONES[zone]} времени"
    if zone in ("UTC", "Etc/UTC", "GMT"):
        return "по всемирному координированному времени (UTC)"
    if zone not in _NAMED:
        _NAMED[zone] = _zone_by_offsets(zone)
    return _NAMED[zone]


_NAMED: dict[str, str] = {}  # zone -> zone_ru(zone): each zone's years are asked once


def _zone_by_offsets(zone: str) -> str:
    try:
        years = _zone_years(zone)
    except Exception:  # noqa: BLE001 - an unknown zone cannot reach here (the checker), but never fail a render
        return f"по местному времени часового пояса {zone}"
    offsets = sorted({o: n for year in years for o, n in year.items()}.items())
    if len(offsets) == 1:
        return f"по времени {_offset_ru(offsets[0][0])}"
    if _summer_time(zone, years):
        (standard, std_name), (summer, dst_name) = offsets
        if zone in _CITIES and std_name.isalpha() and dst_name.isalpha():
            return f"по времени {_CITIES[zone]} ({std_name}/{dst_name})"
        return (f"по местному времени часового пояса {zone} ({_offset_ru(standard)}, "
                f"в период летнего времени — {_offset_ru(summer)})")
    listed = join_ru((_offset_ru(o) for o, _n in offsets), "или")
    return f"по местному времени часового пояса {zone} ({listed} в зависимости от даты)"


# --------------------------------------------------------------------------- provisional years

def years_ru(years: Iterable[int]) -> str:
    """'2028\u00a0г.', '2028 и 2029\u00a0гг.', '2028–2030\u00a0гг.' (consecutive years as a range)."""
    ys = sorted(set(years))
    if not ys:
        raise ValueError("no years to name")
    if len(ys) == 1:
        return f"{ys[0]}{NBSP}г."
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}\u2013{ys[-1]}{NBSP}гг."
    return f"{join_ru(str(y) for y in ys)}{NBSP}гг."


def provisional_ru(years: Iterable[int], titles: Iterable[str] = ()) -> str:
    """The one sentence saying a deadline is provisional: its working days fall in `years`, whose
    non-working days come from Labour Code art. 112 while the transfer decree is not published.

    No `titles`: the answer's one deadline («Срок предварительный: ...»); else the targets whose
    deadlines are («Срок по показателю «Время решения» предварительный: ...»).
    """
    ys = sorted(set(years))
    named = [quote(t) for t in dict.fromkeys(titles)]
    if not named:
        subject = "Срок предварительный"
    elif len(named) == 1:
        subject = f"Срок по показателю {named[0]} предварительный"
    else:
        subject = f"Сроки по показателям {join_ru(named)} предварительные"
    decree = ("постановления Правительства Российской Федерации" if len(ys) == 1
              else "постановлений Правительства Российской Федерации")
    return (f"{subject}: нерабочие дни {years_ru(ys)} определены по ст.{NBSP}112 Трудового кодекса "
            f"Российской Федерации до опубликования {decree} о переносе выходных дней.")


# --------------------------------------------------------------------------- party labels

def label_genitive(label: str) -> str:
    """ИСПОЛНИТЕЛЬ -> ИСПОЛНИТЕЛЯ, ЗАКАЗЧИК -> ЗАКАЗЧИКА: the capitalised masculine party labels of
    Russian contracts; any other label is returned as written (it is quoted where it is used)."""
    if not label or not label.isupper() or " " in label:
        return label
    if label.endswith("Ь"):
        return label[:-1] + "Я"
    if label.endswith("Й"):
        return label[:-1] + "Я"
    if label[-1] in "БВГДЖЗКЛМНПРСТФХЦЧШЩ":
        return label + "А"
    return label


# --------------------------------------------------------------------------- citations

def cite(clause: str | None) -> str:
    """A clause reference: "п. 2.6 (3)" for a numbered clause, the quoted title otherwise."""
    if not clause:
        return ""
    return f"п.{NBSP}{clause}" if clause[0].isdigit() else f"раздел «{clause}»"


def duration_ru(seconds: int | float, working: bool = False, verb: tuple[str, str, str] | None = None) -> str:
    """A span of time in hours and minutes, rounded to the minute: '2 рабочих часа 30 минут'
    (`working`: the hours are working hours), '1 час', '0 минут'. With `verb` (its masculine,
    feminine and neuter forms, e.g. ("остался", "осталась", "осталось")) the verb comes first and
    agrees with the first quantity: 'остался 1 час', 'осталась 21 минута', 'осталось 2 часа'."""
    minutes = round(seconds / 60)
    hours, minutes = divmod(max(minutes, 0), 60)
    parts = []
    first: tuple[int, str] | None = None
    if hours:
        unit = "business_hour" if working else "hour"
        parts.append(quantity(hours, unit))
        first = (hours, unit)
    if minutes or not hours:
        parts.append(quantity(minutes, "minute"))
        first = first or (minutes, "minute")
    text = " ".join(parts)
    if verb is None:
        return text
    n, unit = first  # type: ignore[misc]
    form = verb[2] if plural_category(n) != "one" or n == 0 else verb[0 if unit_gender(unit) == "m" else 1]
    return f"{form} {text}"
