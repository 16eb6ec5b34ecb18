"""Russian wording of annexes, checked against grammar tables written out here by hand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from policy_lang.ru_format import (
    CASES,
    NBSP,
    UNIT_KEYS,
    date_ru,
    datetime_ru,
    format_int,
    join_ru,
    legal_quantity,
    month_ru,
    nbsp_numbers,
    number_words,
    plural,
    quantity,
    quote,
    time_ru,
    unit_form,
    unit_gender,
    weekday_range_ru,
    weekday_ru,
)


def T(text: str) -> str:
    """Expected text with "~" marking a no-break space, like a TeX tie."""
    return text.replace("~", NBSP)


def category(n: int) -> str:
    """Russian plural category, restated here independently of the module."""
    if n % 100 in (11, 12, 13, 14):
        return "many"
    if n % 10 == 1:
        return "one"
    if n % 10 in (2, 3, 4):
        return "few"
    return "many"


def digits(n: int) -> str:
    """4 digits as is, 5 and more grouped by three with no-break spaces."""
    s = str(n)
    if n < 10_000:
        return s
    groups = []
    while s:
        groups.insert(0, s[-3:])
        s = s[:-3]
    return NBSP.join(groups)


# ----------------------------------------------------------------- units: the grammar table
# For each unit and case: the form after 1 (21, 101...), after 2-4 (22-24...), after 5-20, 0, 11-14.

UNIT_TABLE: dict[str, dict[str, tuple[str, str, str]]] = {
    "minute": {
        "nom": ("минута", "минуты", "минут"),
        "gen": ("минуты", "минут", "минут"),
        "dat": ("минуте", "минутам", "минутам"),
        "acc": ("минуту", "минуты", "минут"),
        "ins": ("минутой", "минутами", "минутами"),
        "prep": ("минуте", "минутах", "минутах"),
    },
    "hour": {
        "nom": ("час", "часа", "часов"),
        "gen": ("часа", "часов", "часов"),
        "dat": ("часу", "часам", "часам"),
        "acc": ("час", "часа", "часов"),
        "ins": ("часом", "часами", "часами"),
        "prep": ("часе", "часах", "часах"),
    },
    "business_hour": {
        "nom": ("рабочий час", "рабочих часа", "рабочих часов"),
        "gen": ("рабочего часа", "рабочих часов", "рабочих часов"),
        "dat": ("рабочему часу", "рабочим часам", "рабочим часам"),
        "acc": ("рабочий час", "рабочих часа", "рабочих часов"),
        "ins": ("рабочим часом", "рабочими часами", "рабочими часами"),
        "prep": ("рабочем часе", "рабочих часах", "рабочих часах"),
    },
    "day": {
        "nom": ("день", "дня", "дней"),
        "gen": ("дня", "дней", "дней"),
        "dat": ("дню", "дням", "дням"),
        "acc": ("день", "дня", "дней"),
        "ins": ("днем", "днями", "днями"),
        "prep": ("дне", "днях", "днях"),
    },
    "calendar_day": {
        "nom": ("календарный день", "календарных дня", "календарных дней"),
        "gen": ("календарного дня", "календарных дней", "календарных дней"),
        "dat": ("календарному дню", "календарным дням", "календарным дням"),
        "acc": ("календарный день", "календарных дня", "календарных дней"),
        "ins": ("календарным днем", "календарными днями", "календарными днями"),
        "prep": ("календарном дне", "календарных днях", "календарных днях"),
    },
    "business_day": {
        "nom": ("рабочий день", "рабочих дня", "рабочих дней"),
        "gen": ("рабочего дня", "рабочих дней", "рабочих дней"),
        "dat": ("рабочему дню", "рабочим дням", "рабочим дням"),
        "acc": ("рабочий день", "рабочих дня", "рабочих дней"),
        "ins": ("рабочим днем", "рабочими днями", "рабочими днями"),
        "prep": ("рабочем дне", "рабочих днях", "рабочих днях"),
    },
    "week": {
        "nom": ("неделя", "недели", "недель"),
        "gen": ("недели", "недель", "недель"),
        "dat": ("неделе", "неделям", "неделям"),
        "acc": ("неделю", "недели", "недель"),
        "ins": ("неделей", "неделями", "неделями"),
        "prep": ("неделе", "неделях", "неделях"),
    },
    "month": {
        "nom": ("месяц", "месяца", "месяцев"),
        "gen": ("месяца", "месяцев", "месяцев"),
        "dat": ("месяцу", "месяцам", "месяцам"),
        "acc": ("месяц", "месяца", "месяцев"),
        "ins": ("месяцем", "месяцами", "месяцами"),
        "prep": ("месяце", "месяцах", "месяцах"),
    },
    "year": {
        "nom": ("год", "года", "лет"),
        "gen": ("года", "лет", "лет"),
        "dat": ("году", "годам", "годам"),
        "acc": ("год", "года", "лет"),
        "ins": ("годом", "годами", "годами"),
        "prep": ("годе", "годах", "годах"),
    },
    "voucher": {
        "nom": ("ваучер", "ваучера", "ваучеров"),
        "gen": ("ваучера", "ваучеров", "ваучеров"),
        "dat": ("ваучеру", "ваучерам", "ваучерам"),
        "acc": ("ваучер", "ваучера", "ваучеров"),
        "ins": ("ваучером", "ваучерами", "ваучерами"),
        "prep": ("ваучере", "ваучерах", "ваучерах"),
    },
    "incident": {
        "nom": ("инцидент", "инцидента", "инцидентов"),
        "gen": ("инцидента", "инцидентов", "инцидентов"),
        "dat": ("инциденту", "инцидентам", "инцидентам"),
        "acc": ("инцидент", "инцидента", "инцидентов"),
        "ins": ("инцидентом", "инцидентами", "инцидентами"),
        "prep": ("инциденте", "инцидентах", "инцидентах"),
    },
    "contact": {
        "nom": ("контакт", "контакта", "контактов"),
        "gen": ("контакта", "контактов", "контактов"),
        "dat": ("контакту", "контактам", "контактам"),
        "acc": ("контакт", "контакта", "контактов"),
        "ins": ("контактом", "контактами", "контактами"),
        "prep": ("контакте", "контактах", "контактах"),
    },
    "trip": {
        "nom": ("поездка", "поездки", "поездок"),
        "gen": ("поездки", "поездок", "поездок"),
        "dat": ("поездке", "поездкам", "поездкам"),
        "acc": ("поездку", "поездки", "поездок"),
        "ins": ("поездкой", "поездками", "поездками"),
        "prep": ("поездке", "поездках", "поездках"),
    },
    "check": {
        "nom": ("проверка", "проверки", "проверок"),
        "gen": ("проверки", "проверок", "проверок"),
        "dat": ("проверке", "проверкам", "проверкам"),
        "acc": ("проверку", "проверки", "проверок"),
        "ins": ("проверкой", "проверками", "проверками"),
        "prep": ("проверке", "проверках", "проверках"),
    },
}

GENDER = {
    "minute": "f", "hour": "m", "business_hour": "m", "day": "m", "calendar_day": "m",
    "business_day": "m", "week": "f", "month": "m", "year": "m", "voucher": "m",
    "incident": "m", "contact": "m", "trip": "f", "check": "f",
}

FORM_INDEX = {"one": 0, "few": 1, "many": 2}

# Beyond 1000, a sample that exercises тысяча/миллион as the last word and compounds.
BIG = [1001, 1002, 1005, 1011, 1021, 1111, 2000, 9999, 10_000, 10_001, 21_000, 100_000,
       1_000_000, 1_000_001, 1_000_022]


def expected_unit(n: int, unit: str, case: str) -> str:
    if n == 0 or n % 1000 == 0:
        # ноль, тысяча, миллион are nouns: the counted word is genitive plural in every case.
        return UNIT_TABLE[unit]["gen"][2]
    return UNIT_TABLE[unit][case][FORM_INDEX[category(n)]]


def test_the_table_covers_exactly_the_module_units():
    assert set(UNIT_KEYS) == set(UNIT_TABLE) == set(GENDER)
    assert set(CASES) == {"nom", "gen", "dat", "acc", "ins", "prep"}


@pytest.mark.parametrize("unit", sorted(UNIT_TABLE))
def test_unit_gender(unit):
    assert unit_gender(unit) == GENDER[unit]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("unit", sorted(UNIT_TABLE))
def test_quantity_0_to_1000_and_beyond(unit, case):
    wrong = []
    for n in [*range(1001), *BIG]:
        want = f"{digits(n)}{NBSP}{expected_unit(n, unit, case)}"
        got = quantity(n, unit, case)
        if got != want or unit_form(n, unit, case) != expected_unit(n, unit, case):
            wrong.append((n, got, want))
    assert wrong == []


# ----------------------------------------------------------------- numbers in words
# Columns: nom gen dat acc ins prep; "m/f/n" where the word changes with gender.

ONES = """
1  один/одна/одно одного/одной/одного одному/одной/одному один/одну/одно одним/одной/одним одном/одной/одном
2  два/две/два    двух        двум        два/две/два  двумя       двух
3  три            трех        трем        три          тремя       трех
4  четыре         четырех     четырем     четыре       четырьмя    четырех
5  пять           пяти        пяти        пять         пятью       пяти
6  шесть          шести       шести       шесть        шестью      шести
7  семь           семи        семи        семь         семью       семи
8  восемь         восьми      восьми      восемь       восемью     восьми
9  девять         девяти      девяти      девять       девятью     девяти
"""
TEENS = """
10 десять         десяти          десяти          десять         десятью          десяти
11 одиннадцать    одиннадцати     одиннадцати     одиннадцать    одиннадцатью     одиннадцати
12 двенадцать     двенадцати      двенадцати      двенадцать     двенадцатью      двенадцати
13 тринадцать     тринадцати      тринадцати      тринадцать     тринадцатью      тринадцати
14 четырнадцать   четырнадцати    четырнадцати    четырнадцать   четырнадцатью    четырнадцати
15 пятнадцать     пятнадцати      пятнадцати      пятнадцать     пятнадцатью      пятнадцати
16 шестнадцать    шестнадцати     шестнадцати     шестнадцать    шестнадцатью     шестнадцати
17 семнадцать     семнадцати      семнадцати      семнадцать     семнадцатью      семнадцати
18 восемнадцать   восемнадцати    восемнадцати    восемнадцать   восемнадцатью    восемнадцати
19 девятнадцать   девятнадцати    девятнадцати    девятнадцать   девятнадцатью    девятнадцати
"""
TENS = """
20 двадцать       двадцати        двадцати        двадцать       двадцатью        двадцати
30 тридцать       тридцати        тридцати        тридцать       тридцатью        тридцати
40 сорок          сорока          сорока          сорок          сорока           сорока
50 пятьдесят      пятидесяти      пятидесяти      пятьдесят      пятьюдесятью     пятидесяти
60 шестьдесят     шестидесяти     шестидесяти     шестьдесят     шестьюдесятью    шестидесяти
70 семьдесят      семидесяти      семидесяти      семьдесят      семьюдесятью     семидесяти
80 восемьдесят    восьмидесяти    восьмидесяти    восемьдесят    восемьюдесятью   восьмидесяти
90 девяносто      девяноста       девяноста       девяносто      девяноста        девяноста
"""
HUNDREDS = """
100 сто           ста             ста             сто            ста              ста
200 двести        двухсот         двумстам        двести         двумястами       двухстах
300 триста        трехсот         тремстам        триста         тремястами       трехстах
400 четыреста     четырехсот      четыремстам     четыреста      четырьмястами    четырехстах
500 пятьсот       пятисот         пятистам        пятьсот        пятьюстами       пятистах
600 шестьсот      шестисот        шестистам       шестьсот       шестьюстами      шестистах
700 семьсот       семисот         семистам        семьсот        семьюстами       семистах
800 восемьсот     восьмисот       восьмистам      восемьсот      восемьюстами     восьмистах
900 девятьсот     девятисот       девятистам      девятьсот      девятьюстами     девятистах
"""
ZERO = dict(zip(CASES, "ноль нуля нулю ноль нулем нуле".split()))
ONE_THOUSAND = dict(zip(CASES, ["одна тысяча", "одной тысячи", "одной тысяче",
                                "одну тысячу", "одной тысячей", "одной тысяче"]))


def parse_table(text: str) -> dict[int, dict[str, dict[str, str]]]:
    """{number: {case: {gender: word}}} from the rows above."""
    table = {}
    for line in text.strip().splitlines():
        number, *cells = line.split()
        assert len(cells) == 6, line
        row = {}
        for case, cell in zip(CASES, cells):
            by_gender = cell.split("/")
            if len(by_gender) == 1:
                by_gender *= 3
            row[case] = dict(zip("mfn", by_gender))
        table[int(number)] = row
    return table


WORDS = {**parse_table(ONES), **parse_table(TEENS), **parse_table(TENS), **parse_table(HUNDREDS)}


def spell(n: int, case: str, gender: str) -> str:
    """0..1000 in words, every part in the same case, the last word agreeing in gender."""
    if n == 0:
        return ZERO[case]
    if n == 1000:
        return ONE_THOUSAND[case]
    parts = []
    if n >= 100:
        parts.append(n - n % 100)
    rest = n % 100
    if rest in WORDS:  # 1..19 and round tens
        parts.append(rest)
    elif rest:
        parts += [rest - rest % 10, rest % 10]
    return " ".join(WORDS[p][case][gender] for p in parts)


@pytest.mark.parametrize("gender", ["m", "f", "n"])
@pytest.mark.parametrize("case", CASES)
def test_number_words_0_to_1000(case, gender):
    wrong = [(n, number_words(n, case, gender), spell(n, case, gender))
             for n in range(1001) if number_words(n, case, gender) != spell(n, case, gender)]
    assert wrong == []


def test_default_case_and_gender_are_nominative_masculine():
    assert number_words(21) == "двадцать один"
    assert number_words(60) == "шестьдесят"


# (n, case, gender, expected): what a reader checks by eye.
NUMBER_SAMPLES = [
    (0, "nom", "m", "ноль"),
    (0, "gen", "m", "нуля"),
    (1, "nom", "m", "один"),
    (1, "nom", "f", "одна"),
    (1, "nom", "n", "одно"),
    (1, "gen", "m", "одного"),
    (1, "gen", "f", "одной"),
    (1, "acc", "m", "один"),
    (1, "acc", "f", "одну"),
    (2, "nom", "m", "два"),
    (2, "nom", "f", "две"),
    (2, "gen", "f", "двух"),
    (2, "acc", "f", "две"),
    (3, "gen", "m", "трех"),
    (4, "ins", "m", "четырьмя"),
    (5, "nom", "m", "пять"),
    (8, "gen", "m", "восьми"),
    (8, "ins", "m", "восемью"),
    (11, "nom", "m", "одиннадцать"),
    (11, "gen", "m", "одиннадцати"),
    (14, "nom", "m", "четырнадцать"),
    (20, "gen", "m", "двадцати"),
    (21, "nom", "m", "двадцать один"),
    (21, "nom", "f", "двадцать одна"),
    (21, "gen", "m", "двадцати одного"),
    (21, "gen", "f", "двадцати одной"),
    (21, "acc", "f", "двадцать одну"),
    (22, "nom", "f", "двадцать две"),
    (22, "gen", "m", "двадцати двух"),
    (30, "nom", "m", "тридцать"),
    (40, "nom", "m", "сорок"),
    (40, "gen", "m", "сорока"),
    (50, "gen", "m", "пятидесяти"),
    (60, "nom", "m", "шестьдесят"),
    (60, "gen", "m", "шестидесяти"),
    (80, "gen", "m", "восьмидесяти"),
    (90, "nom", "m", "девяносто"),
    (90, "gen", "m", "девяноста"),
    (100, "nom", "m", "сто"),
    (100, "gen", "m", "ста"),
    (101, "nom", "f", "сто одна"),
    (101, "gen", "m", "ста одного"),
    (111, "nom", "m", "сто одиннадцать"),
    (120, "gen", "m", "ста двадцати"),
    (200, "nom", "m", "двести"),
    (200, "gen", "m", "двухсот"),
    (300, "gen", "m", "трехсот"),
    (365, "nom", "m", "триста шестьдесят пять"),
    (365, "gen", "m", "трехсот шестидесяти пяти"),
    (400, "gen", "m", "четырехсот"),
    (500, "nom", "m", "пятьсот"),
    (500, "gen", "m", "пятисот"),
    (720, "gen", "m", "семисот двадцати"),
    (999, "nom", "m", "девятьсот девяносто девять"),
    (999, "gen", "m", "девятисот девяноста девяти"),
    (1000, "nom", "m", "одна тысяча"),
    (1000, "gen", "m", "одной тысячи"),
    (1000, "acc", "m", "одну тысячу"),
    (1001, "nom", "m", "одна тысяча один"),
    (1001, "gen", "f", "одной тысячи одной"),
    (2000, "nom", "m", "две тысячи"),
    (2000, "gen", "m", "двух тысяч"),
    (2000, "dat", "m", "двум тысячам"),
    (5000, "nom", "m", "пять тысяч"),
    (10_000, "nom", "m", "десять тысяч"),
    (21_000, "nom", "m", "двадцать одна тысяча"),
    (21_000, "acc", "m", "двадцать одну тысячу"),
    (21_000, "gen", "m", "двадцати одной тысячи"),
    (22_000, "nom", "m", "двадцать две тысячи"),
    (100_000, "gen", "m", "ста тысяч"),
    (999_999, "nom", "m", "девятьсот девяносто девять тысяч девятьсот девяносто девять"),
    (1_000_000, "nom", "m", "один миллион"),
    (1_000_000, "gen", "m", "одного миллиона"),
    (2_000_000, "nom", "f", "два миллиона"),
    (5_000_000, "gen", "m", "пяти миллионов"),
    (1_001_001, "nom", "f", "один миллион одна тысяча одна"),
    (2_500_000_000, "nom", "m", "два миллиарда пятьсот миллионов"),
]


@pytest.mark.parametrize("n, case, gender, expected", NUMBER_SAMPLES)
def test_number_words_samples(n, case, gender, expected):
    assert number_words(n, case, gender) == expected


def test_number_words_sample_block_is_large_enough():
    assert len(NUMBER_SAMPLES) >= 50


# ----------------------------------------------------------------- what a lawyer reads

LAWYER_EXAMPLES = [
    (quantity(1, "hour"), "1~час"),
    (quantity(2, "hour"), "2~часа"),
    (quantity(5, "hour"), "5~часов"),
    ("в течение " + quantity(1, "hour", "gen"), "в течение 1~часа"),
    ("в течение " + quantity(21, "business_day", "gen"), "в течение 21~рабочего дня"),
    ("в течение " + quantity(20, "business_day", "gen"), "в течение 20~рабочих дней"),
    ("в течение " + quantity(2, "business_day", "gen"), "в течение 2~рабочих дней"),
    ("в течение " + quantity(1, "business_hour", "gen"), "в течение 1~рабочего часа"),
    ("в течение " + quantity(2, "business_hour", "gen"), "в течение 2~рабочих часов"),
    ("в течение " + quantity(8, "business_hour", "gen"), "в течение 8~рабочих часов"),
    ("в течение " + quantity(5, "year", "gen"), "в течение 5~лет"),
    ("в течение " + quantity(1, "year", "gen"), "в течение 1~года"),
    ("в течение " + quantity(21, "year", "gen"), "в течение 21~года"),
    (quantity(30, "minute"), "30~минут"),
    (quantity(1, "minute", "acc"), "1~минуту"),
    (quantity(21, "minute", "acc"), "21~минуту"),
    (quantity(1, "week", "acc"), "1~неделю"),
    (quantity(1, "year"), "1~год"),
    (quantity(2, "year"), "2~года"),
    (quantity(5, "year"), "5~лет"),
    (quantity(111, "year"), "111~лет"),
    (quantity(1, "business_hour"), "1~рабочий час"),
    (quantity(2, "business_hour"), "2~рабочих часа"),
    (quantity(5, "business_hour"), "5~рабочих часов"),
    (quantity(21, "business_day"), "21~рабочий день"),
    (quantity(2, "business_day"), "2~рабочих дня"),
    (quantity(5, "business_day"), "5~рабочих дней"),
    (quantity(11, "business_day"), "11~рабочих дней"),
    (quantity(14, "calendar_day"), "14~календарных дней"),
    (quantity(3, "calendar_day"), "3~календарных дня"),
    (quantity(12, "month"), "12~месяцев"),
    (quantity(4, "voucher"), "4~ваучера"),
    (quantity(0, "incident"), "0~инцидентов"),
    (quantity(3, "contact"), "3~контакта"),
    (quantity(1, "trip"), "1~поездка"),
    (quantity(2, "trip"), "2~поездки"),
    (quantity(5, "check"), "5~проверок"),
    (quantity(2, "business_day", "ins"), "2~рабочими днями"),
    (quantity(1000, "day", "dat"), "1000~дней"),
    (quantity(10_000, "day"), "10~000~дней"),
    (legal_quantity(60, "day"), "шестьдесят~(60)~дней"),
    (legal_quantity(1, "year"), "один~(1)~год"),
    (legal_quantity(90, "day"), "девяносто~(90)~дней"),
    (legal_quantity(60, "day", "gen"), "шестидесяти~(60)~дней"),
    (legal_quantity(1, "year", "gen"), "одного~(1)~года"),
    (legal_quantity(1, "minute", "acc"), "одну~(1)~минуту"),
    (legal_quantity(2, "minute"), "две~(2)~минуты"),
    (legal_quantity(21, "business_day", "gen"), "двадцати одного~(21)~рабочего дня"),
    (legal_quantity(3, "business_day", "gen"), "трех~(3)~рабочих дней"),
    (legal_quantity(2, "week", "ins"), "двумя~(2)~неделями"),
    (legal_quantity(1000, "day"), "одна тысяча~(1000)~дней"),
    (date_ru(date(2026, 1, 1)), "1~января 2026~г."),
]


@pytest.mark.parametrize("got, expected", LAWYER_EXAMPLES, ids=[T(e) for _, e in LAWYER_EXAMPLES])
def test_lawyer_examples(got, expected):
    assert got == T(expected)


# ----------------------------------------------------------------- plural()

@pytest.mark.parametrize("n, form", [
    (0, "many"), (1, "one"), (2, "few"), (4, "few"), (5, "many"), (11, "many"), (12, "many"),
    (14, "many"), (20, "many"), (21, "one"), (22, "few"), (24, "few"), (25, "many"),
    (30, "many"), (101, "one"), (111, "many"), (112, "many"), (114, "many"), (121, "one"),
    (1001, "one"), (1011, "many"),
])
def test_plural(n, form):
    assert plural(n, "one", "few", "many") == form


def test_plural_agrees_with_rule_0_to_10000():
    assert all(plural(n, "one", "few", "many") == category(n) for n in range(10_001))


# ----------------------------------------------------------------- digits

@pytest.mark.parametrize("n, text", [
    (0, "0"), (7, "7"), (999, "999"), (1000, "1000"), (2026, "2026"), (9999, "9999"),
    (10_000, "10~000"), (12_345, "12~345"), (100_000, "100~000"), (1_000_000, "1~000~000"),
])
def test_format_int(n, text):
    assert format_int(n) == T(text)


# ----------------------------------------------------------------- dates and times

@pytest.mark.parametrize("d, text", [
    (date(2026, 1, 1), "1~января 2026~г."),
    (date(2026, 2, 28), "28~февраля 2026~г."),
    (date(2026, 3, 10), "10~марта 2026~г."),
    (date(2026, 4, 5), "5~апреля 2026~г."),
    (date(2026, 5, 9), "9~мая 2026~г."),
    (date(2026, 6, 12), "12~июня 2026~г."),
    (date(2026, 7, 1), "1~июля 2026~г."),
    (date(2026, 8, 31), "31~августа 2026~г."),
    (date(2026, 9, 1), "1~сентября 2026~г."),
    (date(2026, 10, 15), "15~октября 2026~г."),
    (date(2026, 11, 4), "4~ноября 2026~г."),
    (date(2026, 12, 31), "31~декабря 2026~г."),
])
def test_date_ru(d, text):
    assert date_ru(d) == T(text)


def test_month_names():
    assert [month_ru(m) for m in (1, 5, 12)] == ["январь", "май", "декабрь"]
    assert [month_ru(m, "prep") for m in (1, 5, 12)] == ["январе", "мае", "декабре"]
    with pytest.raises(ValueError):
        month_ru(13)
    with pytest.raises(ValueError):
        month_ru(1, "ins")


@pytest.mark.parametrize("t, text", [
    (time(8, 0), "08:00"), (time(0, 5), "00:05"), (time(23, 59), "23:59"), (time(8, 0, 30), "08:00:30"),
])
def test_time_ru(t, text):
    assert time_ru(t) == text


def test_datetime_ru_states_the_offset():
    moscow = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert datetime_ru(moscow) == T("10~марта 2026~г., 10:00 (UTC+03:00)")
    assert datetime_ru(datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)) == T("1~января 2026~г., 00:00 (UTC+00:00)")
    new_york = datetime(2026, 1, 2, 9, 30, tzinfo=timezone(-timedelta(hours=5)))
    assert datetime_ru(new_york) == T("2~января 2026~г., 09:30 (UTC\u221205:00)")
    kolkata = datetime(2026, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert datetime_ru(kolkata).endswith("(UTC+05:30)")


def test_datetime_ru_refuses_a_naive_moment():
    with pytest.raises(ValueError):
        datetime_ru(datetime(2026, 3, 10, 10, 0))


# ----------------------------------------------------------------- weekdays

def test_weekday_names():
    assert [weekday_ru(i) for i in range(7)] == [
        "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
    assert [weekday_ru(i, "gen") for i in range(7)] == [
        "понедельника", "вторника", "среды", "четверга", "пятницы", "субботы", "воскресенья"]
    assert [weekday_ru(i, "acc") for i in range(7)] == [
        "понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"]


@pytest.mark.parametrize("start, end, text", [
    (0, 4, "с понедельника по пятницу"),
    (0, 6, "с понедельника по воскресенье"),
    (1, 2, "со вторника по среду"),
    (2, 5, "со среды по субботу"),
    (3, 4, "с четверга по пятницу"),
    (5, 6, "с субботы по воскресенье"),
    (6, 0, "с воскресенья по понедельник"),
    (0, 0, "в понедельник"),
    (1, 1, "во вторник"),
    (2, 2, "в среду"),
])
def test_weekday_range_ru(start, end, text):
    assert weekday_range_ru(start, end) == text


# ----------------------------------------------------------------- quotes, lists, spaces

@pytest.mark.parametrize("raw, text", [
    ("Поставщик", "«Поставщик»"),
    ('ООО "Ромашка"', "«ООО „Ромашка“»"),
    ('"Вектор" и "Ромашка"', "«„Вектор“ и „Ромашка“»"),
    ("ООО «Ромашка»", "«ООО „Ромашка“»"),
    ("ООО “Romashka”", "«ООО „Romashka“»"),
    ('тариф ("Премиум")', "«тариф („Премиум“)»"),
])
def test_quote(raw, text):
    assert quote(raw) == text


@pytest.mark.parametrize("items, conj, text", [
    ([], "и", ""),
    (["a"], "и", "a"),
    (["a", "b"], "и", "a и b"),
    (["a", "b", "c"], "и", "a, b и c"),
    (["a", "b", "c"], "или", "a, b или c"),
    (iter(["электронная почта", "телефон", "портал"]), "или", "электронная почта, телефон или портал"),
])
def test_join_ru(items, conj, text):
    assert join_ru(items, conj) == text


def test_nbsp_numbers():
    assert nbsp_numbers("Приложение № 2 от 1 января 2026 г., 5 дней") == T(
        "Приложение №~2~от 1~января 2026~г., 5~дней")


# ----------------------------------------------------------------- refusals

def test_refusals():
    with pytest.raises(ValueError, match="unknown unit"):
        quantity(1, "fortnight")
    with pytest.raises(ValueError, match="unknown case"):
        quantity(1, "day", "genitive")
    with pytest.raises(ValueError, match="negative"):
        quantity(-1, "day")
    with pytest.raises(TypeError):
        quantity(1.5, "day")
    with pytest.raises(TypeError):
        number_words(True)
    with pytest.raises(ValueError, match="gender"):
        number_words(1, "nom", "x")
    with pytest.raises(ValueError):
        number_words(10**12)
    assert number_words(10**12 - 1).startswith("девятьсот девяносто девять миллиардов")
