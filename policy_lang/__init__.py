"""policy_lang: one checked model of a support contract, compiled to code and to Russian annexes."""

__version__ = "0.1.0"

import importlib  # noqa: E402

from .runtime.errors import CalendarHorizonError, PolicyQueryError  # noqa: E402


def load(path, root=None):  # type: ignore[no-untyped-def]
    """Compile a policy and load its generated evaluator module (see `policy_lang.load.load`).

    Imported lazily, so that `import policy_lang.runtime` (all a generated module needs) stays
    cheap; importing the submodule `policy_lang.load` rebinds this name, so it is restored.
    """
    module = importlib.import_module(".load", __name__)
    globals()["load"] = _load
    return module.load(path, root)


_load = load

__all__ = ["CalendarHorizonError", "PolicyQueryError", "__version__", "load"]
