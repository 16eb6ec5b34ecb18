"""The one table of the Russian sentences policy_lang writes: named `str.format` templates.

Every full sentence the annex signs and every reason the decisions give is a template here, grouped
by what it is about; the code that writes one names it and passes its fields (`say`), nothing else
composes Russian prose. Fields arrive formatted (titles already in «ёлочках», durations with their
units, party labels in the case the field name says: `customer_dat` is the dative). The annex
templates call `say` through the Jinja global of the same name (backends/annex/filters.py), which
escapes each text field for its format first; `reasons.py` formats the decision reasons.

Runtime module: the standard library only, nothing from the compiler.
"""
from __future__ import annotations

import string
from collections.abc import Mapping

__all__ = [
    "CASES",
    "FIELDS",
    "GROUPS",
    "INTAKE",
    "REASONS",
    "REASON_PARTS",
    "ROLE_LABELS",
    "TABLE",
    "TICKET",
    "fields",
    "label_case",
    "say",
]

NBSP = "\u00a0"

# --------------------------------------------------------------------------- party labels

#: what the annex calls a party that plays a role when the program declares no such party: the
#: designations of the Договор itself, to which the annex is attached (its signatures, its preamble)
ROLE_LABELS = {"provider": "ИСПОЛНИТЕЛЬ", "customer": "ЗАКАЗЧИК", "vendor": "ПРОИЗВОДИТЕЛЬ"}

#: the cases `label_case` declines into (the accusative of these labels is their genitive: a party
#: is a person in law, «возлагает на ИСПОЛНИТЕЛЯ»)
CASES = ("nom", "gen", "dat", "acc", "ins")

_ENDINGS = {  # the last letter of the label -> (what replaces it, the endings for gen, dat, ins)
    "Ь": ("", ("Я", "Ю", "ЕМ")),  # ИСПОЛНИТЕЛЬ, ПРОИЗВОДИТЕЛЬ, ПОЛЬЗОВАТЕЛЬ
    "Й": ("", ("Я", "Ю", "ЕМ")),
}
_HARD = "БВГДЗКЛМНПРСТФХ"  # ЗАКАЗЧИК, ПОСТАВЩИК, ЛИЦЕНЗИАР, ДИСТРИБЬЮТОР: -А, -У, -ОМ
_HUSHING = "ЖШЧЩ"


def label_case(label: str, case: str = "nom") -> str:
    """ИСПОЛНИТЕЛЬ -> ИСПОЛНИТЕЛЯ (gen, acc), ИСПОЛНИТЕЛЮ (dat), ИСПОЛНИТЕЛЕМ (ins); ЗАКАЗЧИК ->
    ЗАКАЗЧИКА, ЗАКАЗЧИКУ, ЗАКАЗЧИКОМ: the capitalised masculine one-word party labels of Russian
    contracts. A label of another form (two words, mixed case, a feminine ending; the instrumental of a
    hushing ending, which depends on the stress) is returned as written."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}: one of {', '.join(CASES)}")
    if case == "nom" or not label or not label.isupper() or " " in label:
        return label
    index = {"gen": 0, "acc": 0, "dat": 1, "ins": 2}[case]
    last = label[-1]
    if last in _ENDINGS:
        return label[:-1] + _ENDINGS[last][1][index]
    if label.endswith("ЕЦ") and len(label) > 3:  # ПРОДАВЕЦ -> ПРОДАВЦА: the vowel drops, the ending is stressed
        return label[:-2] + "Ц" + ("А", "У", "ОМ")[index]
    if last in _HARD:
        return label + ("А", "У", "ОМ")[index]
    if last in _HUSHING and case != "ins":  # ВРАЧ -> ВРАЧА, ВРАЧУ; ВРАЧОМ but СТОРОЖЕМ: by the stress
        return label + ("А", "У")[index]
    return label


# --------------------------------------------------------------------------- decision reasons

#: code -> sentence of a decision (`reasons.reason`, called by decide.py; printed as is by the
#: Python backend and the annex); `{cite}` is the clause citation, dropped with its brackets when
#: the policy has no clause numbers
REASONS = {
    "channel_open_to_all": "Канал {channel} доступен при любом уровне поддержки ({cite}).",
    "service_granted": "Уровень поддержки {tier} даёт право на услугу {service}: {cell} ({cite}).",
    "only_priorities": "По каналу {channel} уровень поддержки {tier} принимает только заявки уровня "
                       "{priorities}: {cell} ({cite}).",
    "service_not_granted": "Уровень поддержки {tier} не даёт права на услугу {service}: {cell} ({cite}).",
    "use_other_channel": "{what} можно подать через канал {channels}.",
    "no_channel": "{what} уровень поддержки {tier} не позволяет подать ни по одному каналу.",
    "report_via": "О заявке уровня {level} сообщается только через канал {channels}; через канал {channel} "
                  "она не принимается ({cite}).",
    "request_type": "Заявка типа {request} рассматривается как заявка уровня {priority} ({cite}).",
    # decide.py: a request that states no priority, in a program with `priorities { default … }`
    "default_priority": "Заявка, в которой уровень критичности не указан, рассматривается как заявка уровня "
                        "{priority} ({cite}).",
    "reclassified": "Об инциденте {reported} сообщено не через канал {via}, поэтому он классифицируется "
                    "как {becomes}{lower} ({cite}).",
    "reclassified_when": "Пока выполняется условие {condition}, инцидент {reported} классифицируется как "
                         "{becomes}{lower} ({cite}).",
    "reclassified_via_when": "Об инциденте {reported} сообщено не через канал {via}, и выполняется условие "
                             "{condition}, поэтому он классифицируется как {becomes}{lower} ({cite}).",
    "confirm": "Заявку через канал {channel} необходимо подтвердить через канал {confirm}{text} ({cite}).",
    "target_missing": "Для уровня поддержки {tier}{level} показатель {target} не установлен ({cite}).",
    "target": "{target} для уровня поддержки {tier}{level}: {term}, {counted}{strength}{percentile} ({cite}).",
    "target_not_regulated": "{target} для уровня поддержки {tier}{level} не регламентируется ({cite}).",
    "no_target_refused": "Срок реакции не устанавливается: заявка не принимается.",
    "channel_closed": "Канал {channel} принимает заявки только {hours} ({cite}); заявка, поданная вне "
                      "этого времени, не принимается.",
}

#: the intake tables' words (`decide.intake`): a cell per (tier, channel, reported priority), and the
#: note under a table, stated only of the cells it is true of
INTAKE = {
    "refused": "не принимается",
    "accepted": "принимается{as_priority}{when}",
    "as_priority": " как {priority}",
    "always": " круглосуточно",
    "hours": " в часы по календарю {calendar}",
    "note_every": "Канал {channel} принимает заявки только в часы по календарю {calendar}; заявка, поданная "
                  "вне этого времени, не принимается.",
    "note_one": "Канал {channel} принимает заявки уровня {levels} только в часы по календарю {calendar}; заявка "
                "этого уровня, поданная вне этого времени, не принимается.",
    "note_some": "Канал {channel} принимает заявки уровней {levels} только в часы по календарю {calendar}; "
                 "заявка этих уровней, поданная вне этого времени, не принимается.",
}

#: the parts decide.py puts into a reason's fields (`target`, `channel_closed`): for decide.py to take
#: from here (it still writes them itself)
REASON_PARTS = {
    "level": " и уровня {level}",
    "efforts": "; {provider} прилагает коммерчески оправданные усилия для соблюдения этого срока, срок не "
               "гарантируется",
    "from_event": "с момента наступления события {event}; {counted}",
    "from_registration_on": "с момента регистрации, {calendar}",
    "from_registration": "с момента регистрации",
    "hours": "в часы по календарю {calendar}",
    "while_condition": " при выполнении условия {condition}",
    "as_written": "продолжительность срока настоящим Приложением не устанавливается",
    "percentile": "; {percentile}",
}

#: what a target cell says beside its term when it is not the table's plain reading (semantics/lower.py:
#: TargetCell.text, which the annex prints and the evaluator answers)
CELL = {
    "on_always": " ({calendar})",
    "on_calendar": " (по календарю {calendar})",
    "efforts": ", коммерчески оправданные усилия",
    "percentile": ", {percentile}",
}

# --------------------------------------------------------------------------- the annex: contract, preamble

#: the annex's title block, footer and preamble (_blocks.j2: annex_ref, footer_text, section, the
#: format modules' title_block)
CONTRACT = {
    "annex_ref": "Приложение №" + NBSP + "{annex} к Договору №" + NBSP + "{contract} от {date}",
    "footer": "Приложение №" + NBSP + "{annex} к Договору №" + NBSP + "{contract} · ред. {edition} · sha256 {sha}",
    "subtitle": "Условия оказания услуг технической поддержки",
    "basis": "Основание: {source}, {cite}.",
    "preamble": "Настоящее Приложение является неотъемлемой частью Договора №" + NBSP + "{contract} от {date} "
                "(далее — Договор) и устанавливает условия оказания услуг, указанных в его наименовании. "
                "Условия изложены в соответствии с документом {source} (далее — Условия), в порядке и с "
                "нумерацией его пунктов; ссылка «п." + NBSP + "N» означает пункт Условий.",
    "calendars_intro": "Для целей настоящего Приложения сроки исчисляются по следующим календарям:",
    "parties_intro": "В настоящем Приложении используются следующие обозначения:",
    "agreed": "Стороны договорились, что {text}",
}

#: a customer's contract (`instance`): its subject, products, incidents, options and vouchers
#: (_blocks.j2, section "preamble")
INSTANCE = {
    "subject": "{provider} оказывает {customer_dat} услуги технической поддержки уровня {tier}{points} в "
               "период с {start} по {end} включительно (далее — срок оказания услуг) в отношении следующих "
               "продуктов:",
    "subject_points": " ({points} пунктов поддержки)",
    "incidents": "Количество приобретенных инцидентов: {count}.",
    "options": "Выбранные {customer_ins} опции: {options}.",
    "vouchers_intro": "Ваучеры, предоставляемые в срок оказания услуг:",
    "voucher_item": "{title}: {count}" + NBSP + "шт., действуют с {start} по {end} включительно",
    "notice": "Уведомление об отказе от продления направляется не позднее {date}{cite}.",
    "outside_term": "Заявка, зарегистрированная вне срока оказания услуг, не принимается.",
}

#: who performs (`performance`): _blocks.j2 macros `performance` and `obliged`
PERFORMANCE = {
    "provider": "{provider} обеспечивает оказание {customer_dat} услуг, предусмотренных настоящим "
                "Приложением{through}. Обязательства, которые настоящее Приложение возлагает на {others}, "
                "{provider} исполняет перед {customer_ins} как свои собственные.",
    "through": ", в том числе силами {through_gen}, и отвечает за действия {through_gen} как за свои собственные "
               "(статьи 313 и 403 Гражданского кодекса Российской Федерации)",
    "others": "иных лиц",
    "vendor_terms": "Условия {whose}, на основе которых составлено настоящее Приложение, приведены в нем в "
                    "объеме, необходимом для его исполнения; настоящее Приложение является самостоятельным "
                    "документом, и изменение таких условий не изменяет обязательств Сторон без подписания "
                    "Сторонами дополнительного соглашения.",
    "third_parties": "третьих лиц",
    "precedence_annex": "В случае противоречия между положениями настоящего Приложения и Договора применяются "
                        "положения настоящего Приложения.",
    "precedence_contract": "В случае противоречия между положениями настоящего Приложения и Договора применяются "
                           "положения Договора.",
    "obliged_through": "{provider} (обеспечивает исполнение силами {through_gen})",
    "either_party": "любая из Сторон",
}

#: support levels (blocks/tiers.j2)
TIERS = {
    "metric": "Уровень поддержки определяется показателем {metric}{cite}:",
    "one": "Услуги оказываются по программе (уровню поддержки), приобретенной {customer_ins}: {tier}.",
    "many": "Предусмотрены следующие варианты (уровни) услуг, приобретаемые отдельно: {tiers}.",
}

#: response and other targets (blocks/targets.j2, blocks/matrices.j2)
TARGETS = {
    "table_caption": "Таблица «{title}»{cite}",
    "single_not_regulated": "{title}{cite}: не регламентируется.",
    "single": "{title}{cite}: {within} {start}; срок исчисляется {counted}.",
    "from_event": "с момента наступления события {event}",
    "from_registration": "с момента регистрации заявки",
    "table": "Значения показателя {title}{service}{cite} указаны в таблице; срок исчисляется {start}{calendar}.",
    "table_calendar": " по календарю {calendar}, если в ячейке не указан иной календарь (см. раздел «Термины и "
                      "определения»)",
    "via": "Срок применяется к заявкам, поданным через: {channels}.",
    "single_as_written": "{title}{cite}: {text}.",
    "cell_when": "; при выполнении условия {condition} — {text}",
    "single_when": "При выполнении условия {condition} применяется значение {text}.",
    "escalation": "Условие {condition} считается выполненным с момента эскалации заявки через канал {channel}.",
}

#: how a target's cells are read, one note per reading the table uses (blocks/targets.j2)
READINGS = {
    "working_time": "Срок, указанный в часах и минутах, исчисляется в рабочее время календаря, по которому он "
                    "считается; на круглосуточном календаре — непрерывно.",
    "business_days": "Срок, указанный в рабочих днях, истекает в 24:00 последнего рабочего дня срока; день "
                     "регистрации заявки в срок не включается.",
    "calendar_days": "Срок, указанный в днях, неделях или месяцах, истекает в 24:00 последнего дня срока; день "
                     "регистрации заявки в срок не включается.",
    "next_day": "Срок «следующий рабочий (календарный) день» истекает в 24:00 дня, следующего за днем "
                "регистрации заявки; заявка, поступившая в нерабочий день или после указанного в ячейке времени, "
                "считается поступившей в ближайший следующий рабочий день.",
    "not_regulated": "Отметка «не регламентируется» означает, что настоящее Приложение срок не устанавливает.",
    "percentile": "Срок с указанием доли заявок считается соблюденным, если он выдержан не менее чем для "
                  "указанной доли заявок этого уровня, зарегистрированных за соответствующий календарный период.",
    "strict": "Срок, перед которым указано слово «менее», считается соблюденным, только если он выполнен до момента "
              "его истечения; выполнение в момент истечения срока является нарушением срока.",
    "as_written": "Значение срока, указанное словами, применяется в изложенной формулировке; продолжительность "
                  "такого срока настоящим Приложением не устанавливается и не исчисляется.",
}

#: how a target's clock runs over a ticket's life: its pauses, stops, restarts and cycles, one sentence
#: per rule the target states (blocks/targets.j2; computed by runtime/ticket.py)
CLOCKS = {
    "pause": "Течение срока приостанавливается на время, в течение которого заявка находится в статусе {statuses}.",
    "pause_time": "Время приостановки в срок, указанный в часах и минутах, не засчитывается.",
    "pause_days": "Срок, указанный в днях, продлевается на число дней{working} со дня перехода заявки в такой "
                  "статус до дня выхода из него, не включая день выхода.",
    "pause_working_days": " (срок в рабочих днях — на число рабочих дней)",
    "pause_after_due": "Приостановка, начавшаяся после истечения срока, его не продлевает.",
    "stop": "Течение срока прекращается с наступлением события {events}; срок считается соблюденным, если это "
            "событие наступило не позднее момента его истечения.",
    "stop_recurring": "Течение сроков прекращается с наступлением события {events}; текущий срок считается "
                      "соблюденным, если это событие наступило не позднее момента его истечения.",
    "restart": "Если после прекращения течения срока наступает событие {events}, срок исчисляется заново, в полном "
               "объеме, с момента наступления этого события.",
    "recurring": "Срок повторяется: первый срок исчисляется {start}, каждый следующий — с момента {since}. Каждый "
                 "срок считается соблюденным, если не позднее момента его истечения {done}.",
    "since_update": "направления {customer_dat} очередного сообщения о ходе работ",
    "since_event": "наступления события {event}",
    "done_update": "{customer_dat} направлено сообщение о ходе работ",
    "done_event": "наступило событие {event}",
    # an obligation's own clock (blocks/obligations.j2; runtime/ticket.py answers it in TicketAnswer.obligations)
    "obligation_pause": "Течение срока исполнения обязательства приостанавливается на время, в течение которого "
                        "заявка находится в статусе {statuses}, и возобновляется после выхода заявки из него.",
    "obligation_pause_days": "Срок продлевается на число {days} приостановки: со дня перехода заявки в такой статус "
                             "до дня выхода из него, не включая день выхода; день, с которого исчисляется срок, "
                             "не учитывается.",
    "obligation_days_working": "рабочих дней",
    "obligation_days_calendar": "дней",
    "obligation_stop": "Обязательство считается исполненным в момент наступления события {events}.",
}

#: what a change of the ticket's priority (or a condition that starts to hold) does to the running
#: terms: the program's `on change` rule (blocks/priorities.j2, blocks/targets.j2; runtime/ticket.py)
CHANGES = {
    "when_priority": "При изменении уровня критичности заявки",
    "when_priority_condition": "При изменении уровня критичности заявки, а также при выполнении условия {conditions}",
    "when_condition": "При выполнении условия {conditions}",
    "recount": "{when} срок пересчитывается по новому значению: он исчисляется с того же момента, что и ранее{paused}; "
               "если по новому значению срок к этому моменту уже истек, он считается нарушенным.",
    "recount_paused": ", без учета времени приостановки",
    "keep": "{when} срок продолжает исчисляться по новому значению: время, засчитанное в срок до этого момента, "
            "засчитывается в новый срок; если оно превышает новое значение, срок считается нарушенным. Если срок до "
            "или после этого момента указан в днях, он пересчитывается по новому значению с того же момента, что и "
            "ранее.",
    "restart": "{when} срок исчисляется заново, с этого момента и в полном объеме, по новому значению.",
    "settled": "Срок, который истек или соблюден до этого момента, не пересчитывается.",
}

#: a reasonable-efforts commitment (blocks/targets.j2)
EFFORTS = {
    "note": "Сроки с отметкой «коммерчески оправданные усилия» не являются гарантированными: {provider} "
            "прилагает коммерчески оправданные усилия для их соблюдения.",
}

#: intake: who may report what through which channel (blocks/decisions.j2, blocks/channels.j2,
#: blocks/requests.j2, blocks/priorities.j2, blocks/reclassification.j2)
INTAKE_ANNEX = {
    "decisions_intro": "Порядок приема заявок (какие заявки принимаются по каждому каналу при каждом уровне "
                       "поддержки) определяется условиями, изложенными выше, и сведен в следующие таблицы.",
    "decisions_caption": "Прием заявок: {tier}",
    "requests_scale": "Соответствие типов заявок значениям показателя {scale}:",
    "requests": "Типы заявок рассматриваются как заявки следующих уровней критичности:",
    "priorities_scale": "Значения показателя {scale} определяются следующим образом:",
    "priorities": "Уровни критичности инцидентов определяются следующим образом:",
    "report_via": " Способ сообщения: {channels}.",
    "default_priority": "Заявка, в которой уровень критичности не указан, рассматривается как заявка уровня {priority}.",
    "channel_calendar": "{calendar} (см. раздел «Термины и определения»)",
    "channel_open_with": "; при уровне поддержки, включающем услугу {service}, заявки{levels} принимаются: {calendar}",
    "channel_open_levels": " уровня {levels}",
    "confirm_by": "через канал {channel}",
    "reclass_when": "пока выполняется условие {condition}, инцидент более высокого уровня классифицируется как "
                    "{becomes}{lower}",
    "reclass_via": "инцидент, о котором сообщено иначе, чем через {channels}{when}, классифицируется как "
                   "{becomes}{lower}",
    "reclass_via_when": ", при выполнении условия {condition}",
    "reclass_lower": " (по усмотрению {vendor_gen} — как {priority})",
}

#: calendars and their holidays (_blocks.j2 `calendar_definition`, blocks/holiday_sets.j2)
CALENDARS = {
    "always": "круглосуточно, 24 часа в сутки, семь дней в неделю, включая выходные и нерабочие праздничные дни",
    "except_ru": ", кроме нерабочих праздничных и выходных дней по производственному календарю Российской "
                 "Федерации{listed}",
    "except_ru_listed": " (перечень {title})",
    "except_listed": ", кроме дней, указанных в перечне {title}",
    "transfers": "; перенесенные рабочие дни являются рабочими; ",
    "shortened": "в предпраздничные дни время сокращается на {minutes}" + NBSP + "мин.",
    "not_shortened": "предпраздничные дни не сокращаются",
    "ru_basis": "производственный календарь Российской Федерации, утверждаемый Правительством Российской "
                "Федерации на соответствующий год{years}",
}

#: a year whose days off no decree has settled yet (blocks/holiday_sets.j2)
PROVISIONAL = {
    "holidays": "Предварительно: нерабочие праздничные дни определены по статье 112 Трудового кодекса "
                "Российской Федерации (праздничный день, совпавший с выходным днём, переносится на следующий "
                "рабочий день). После опубликования постановления Правительства Российской Федерации о переносе "
                "выходных дней на соответствующий год применяется производственный календарь, утверждённый "
                "этим постановлением.",
}

#: terms, renewals, vouchers, warranties, reinstatement (blocks/obligations.j2, periods.j2, vouchers.j2,
#: reinstatement.j2; _blocks.j2 `expr` for blocks/rules.j2)
TERMS = {
    "within": "в течение {duration}",
    "within_calendar": " (календарь {calendar})",
    "before_end": "не менее чем за {duration} до окончания периода {period}",
    "renews": "на {duration}",
    "reinstatement": "за время перерыва в обслуживании и дополнительно за {duration}",
    "greatest": "наибольший из следующих сроков: ",
    "least": "наименьший из следующих сроков: ",
    "remaining_warranty": "оставшийся срок гарантии {warranty}",
}

#: vouchers (blocks/vouchers.j2)
VOUCHERS = {
    "service": " (строка {service})",
    "expires_after": "истекает через {duration}",
    "expires_with_period": "истекает по окончании периода {period}",
}

#: the signature block (the format modules' `signatures`)
SIGNATURES = {
    "title": "Подписи Сторон",
    "org_hint": "(наименование организации)",
    "position_hint": "(должность)",
}

#: group name -> its templates: every group above
#: ticket(): where a ticket stands (runtime/ticket.py)
TICKET = {
    "accepted": "Заявка принята.",
    "accepted_priority": "Заявка принята, приоритет {priority}.",
    "accepted_reported": "Заявка принята, приоритет {priority} (заявлен {reported}).",
    "refused": "Заявка не принимается.",
    "running": "{target}: срок — до {due}; {left}.",
    "running_days": "{target}: срок — до {due}.",
    "paused": "{target}: отсчет срока приостановлен с {since} (статус «{status}»); {left}.",
    "paused_days": "{target}: отсчет срока приостановлен с {since} (статус «{status}»).",
    "met": "{target}: выполнено в срок, {at} (срок — до {due}).",
    "met_late": "{target}: выполнено с нарушением срока, {at} (срок истек {due}).",
    "met_after_breach": "{target}: завершено {at}; срок нарушался (впервые истек {due}).",
    "breached": "{target}: срок истек {due}, не выполнено.",
    "not_regulated": "{target}: не регламентируется.",
    "as_written": "{target}: {text} (срок указан словами и не исчисляется).",
    "not_started": "{target}: отсчет срока начнется с события «{event}».",
    "cycles": "Циклов начато: {cycles}; с нарушением срока: {breaches}.",
    "basis": "Основание: {clauses}.",
}

GROUPS: Mapping[str, Mapping[str, str]] = {
    "reasons": REASONS, "reason_parts": REASON_PARTS, "intake": INTAKE, "contract": CONTRACT, "instance": INSTANCE,
    "performance": PERFORMANCE, "tiers": TIERS, "targets": TARGETS, "readings": READINGS, "clocks": CLOCKS,
    "changes": CHANGES, "efforts": EFFORTS,
    "intake_annex": INTAKE_ANNEX, "calendars": CALENDARS, "provisional": PROVISIONAL, "terms": TERMS,
    "vouchers": VOUCHERS, "signatures": SIGNATURES, "ticket": TICKET, "cell": CELL,
}

#: "group.key" -> template: the whole table
TABLE: Mapping[str, str] = {f"{g}.{k}": t for g, ts in GROUPS.items() for k, t in ts.items()}


def fields(template: str) -> frozenset[str]:
    """The names a template's `{fields}` use."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


#: "group.key" -> the fields its template takes, exactly
FIELDS: Mapping[str, frozenset[str]] = {k: fields(t) for k, t in TABLE.items()}


def say(key: str, **values: object) -> str:
    """The sentence `key` ("group.key") with its fields; a missing or an unknown field is a `KeyError`
    (a typo in a template that calls it is found by the first render, not printed)."""
    template = TABLE[key]
    want = FIELDS[key]
    if set(values) != want:
        raise KeyError(f"sentence {key!r} takes {sorted(want)}, not {sorted(values)}")
    return template.format(**values)
