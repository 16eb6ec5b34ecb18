"""The older name of `policy_lang.runtime.ru_text`, the one module of Russian wording."""

from policy_lang.runtime.ru_text import *  # noqa: F403
from policy_lang.runtime.ru_text import NBSP, _check_case, _unit  # noqa: F401
