"""The sentences of the `policyc replay` report, in one table (str.format templates; the fields arrive
formatted: numbers with their nouns agreed, dates in Russian). The runtime's own sentences are
policy_lang/runtime/sentences.py; these are the report's only."""
from __future__ import annotations

#: sentence key -> template
TEXT: dict[str, str] = {
    "title": "Отчет о соблюдении сроков: {program}",
    "contract": "Договор № {number}, срок действия с {start} по {end}; уровень поддержки «{tier}».",
    "source": "Журнал событий: {events}. Состояние заявок — на {at}.",
    "totals": "В журнале {tickets}; рассчитаны сроки {replayed} (всего сроков: {targets}).",
    "left_out": "Не рассчитаны сроки {left_out}: в их событиях есть ошибки (перечень строк — в файле bad_rows.csv).",
    "refused": "Не рассчитываются сроки заявок, зарегистрированных вне срока действия договора (всего — {refused}).",
    "bad_rows": "В журнале {bad} с ошибками:",
    "bad_reason": "{reason} — {count}",
    "no_bad_rows": "Ошибочных строк в журнале нет.",
    "zone": "Месяц заявки определяется по дате ее регистрации ({zone}).",
    "target": "{title}",
    "target_totals": "Завершенные заявки: {done}; в срок: {met} ({share}); с нарушением срока: {breached}; еще в работе: {open}.",
    "target_none": "Ни одна заявка не завершена по этому сроку.",
    "chart_alt": "{title}: доля выполненных в срок по месяцам",
    "chart_title": "{title}: доля заявок, выполненных в срок",
    "chart_y": "доля в срок, %",
    "chart_all": "все заявки",
    "chart_required": "требуется {required}",
    "table_head": "Месяц|Уровень|Приоритет|Завершено|В срок|Доля|Требуется|Достигнуто",
    "yes": "да",
    "no": "нет",
    "dash": "—",
    "breached_head": "Нарушения срока: {count}; по величине просрочки:",
    "breached_more": "В таблице — {shown} с наибольшей просрочкой (всего нарушений: {total}); "
                     "полный перечень — в файле targets.csv (state = breached).",
    "breached_table": "Заявка|Уровень|Приоритет|Зарегистрирована|Срок|Выполнено|Просрочка",
    "not_done": "не выполнено на {at}",
    "files": "Файлы с данными: targets.parquet и targets.csv (каждая заявка и каждый срок), "
             "attainment.parquet и attainment.csv (доли по периодам), summary.json (итоги расчета).",
}

#: bad-row reason -> its Russian name in the report
REASONS_RU: dict[str, str] = {
    "missing_ticket": "нет номера заявки",
    "missing_time": "нет времени события",
    "bad_time": "время не в формате ISO 8601",
    "naive_time": "время без смещения от UTC",
    "out_of_range": "время вне допустимых лет",
    "unknown_kind": "неизвестный вид события",
    "missing_channel": "регистрация без канала",
    "unknown_channel": "неизвестный канал",
    "unknown_priority": "неизвестный приоритет",
    "missing_priority": "не указан приоритет",
    "unknown_request": "неизвестный тип запроса",
    "unknown_tier": "неизвестный уровень поддержки",
    "missing_tier": "не указан уровень поддержки",
    "unknown_status": "неизвестный статус",
    "unknown_event": "неизвестное событие",
    "unknown_condition": "неизвестное условие",
    "unknown_target": "неизвестный срок в событии met",
    "first_not_registration": "первое событие заявки — не регистрация",
    "second_registration": "повторная регистрация заявки",
    "duplicate": "повтор строки (та же заявка, время, вид и значение)",
    "refused": "событие отклонено расчетом",
}

#: noun forms (one, few, many) of what the report counts
NOUNS: dict[str, tuple[str, str, str]] = {
    "ticket": ("заявка", "заявки", "заявок"),
    "ticket_gen": ("заявки", "заявок", "заявок"),  # «сроки 1 заявки», «сроки 5 заявок»
    "row": ("строка", "строки", "строк"),
}
