"""Decision reasons: one sentence per reason code, from the one table of sentences (runtime/sentences.py).

`decide` computes what a contract decides and calls `reason(code, clause, **args)`; the model
keeps the code, its arguments and the sentence, and both backends print the sentence as is.
Arguments arrive already quoted or formatted (titles in «ёлочках», durations with units).
"""
from __future__ import annotations

from policy_lang.runtime import sentences
from policy_lang.runtime.ru_text import cite
from policy_lang.semantics import model

#: code -> sentence; `{cite}` is the clause citation, the other fields are the arguments: the
#: "reasons" group of the table of sentences
SENTENCES = sentences.REASONS

#: the intake tables' words (`decide.intake`): the "intake" group of the table of sentences
INTAKE = sentences.INTAKE


def reason(code: str, clause: str | None = None, **args: str) -> model.Reason:
    """A Reason with its sentence; `clause` is cited where the sentence has `{cite}`."""
    template = SENTENCES[code]
    if not clause:  # a policy without clause numbers: no empty "()"
        template = template.replace(" ({cite})", "")
    text = template.format(cite=cite(clause), **args)
    return model.Reason(code, tuple(sorted(args.items())), clause, text)
