"""The Russian wording of decision reasons: one sentence per reason code, nowhere else.

`decide` computes what a contract decides and calls `reason(code, clause, **args)`; the model
keeps the code, its arguments and the sentence, and both backends print the sentence as is.
Arguments arrive already quoted or formatted (titles in «ёлочках», durations with units).
"""
from __future__ import annotations

from . import model
from .runtime.ru_text import cite

#: code -> sentence; `{cite}` is the clause citation, the other fields are the arguments.
SENTENCES = {
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


def reason(code: str, clause: str | None = None, **args: str) -> model.Reason:
    """A Reason with its sentence; `clause` is cited where the sentence has `{cite}`."""
    template = SENTENCES[code]
    if not clause:  # a policy without clause numbers: no empty "()"
        template = template.replace(" ({cite})", "")
    text = template.format(cite=cite(clause), **args)
    return model.Reason(code, tuple(sorted(args.items())), clause, text)
