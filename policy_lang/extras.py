"""Optional parts of the compiler, installed as extras of the `policy_lang` distribution.

`pip install policy_lang` builds the evaluators and the Markdown, HTML and DOCX annexes; the PDF
annexes need WeasyPrint (about twenty packages and 60-90 MB with Pillow, fonttools and the Pango
bindings), which is the `[pdf]` extra. A build that needs an extra that is not installed is a usage
error naming it (the caller adds how to do without), never an ImportError.
"""

from __future__ import annotations

import importlib.util

__all__ = ["EXTRAS", "missing_extra"]

#: extra -> (the module it provides, what needs it)
EXTRAS = {"pdf": ("weasyprint", "PDF annexes")}


def missing_extra(extra: str) -> str | None:
    """A sentence saying how to install `extra` when its module cannot be found here, else None."""
    module, what = EXTRAS[extra]
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-removed install
        found = False
    if found:
        return None
    return (f"{what} need the [{extra}] extra of policy_lang, which is not installed ({module} cannot be "
            f"imported): pip install 'policy_lang[{extra}]'")
