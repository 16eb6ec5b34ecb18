"""policy_lang: one checked model of a support contract, compiled to code and to Russian annexes."""

__version__ = "0.1.0"

from .runtime.errors import CalendarHorizonError, PolicyQueryError  # noqa: E402


def load(path, root=None):  # type: ignore[no-untyped-def]
    """Compile a policy and load its generated evaluator module (see `policy_lang.loading.load`).

    The compiler is imported lazily, so that `import policy_lang.runtime` (all a generated module
    needs) stays cheap. The module is called `loading`, not `load`: a submodule named like this
    function would replace it as an attribute of the package once imported.
    """
    from .loading import load as _compile_and_load

    return _compile_and_load(path, root)


def contract(path, policies=None):  # type: ignore[no-untyped-def]
    """The evaluator of a contract instance's program bound to it (see `policy_lang.instances.contract`):
    `contract("contracts/acme.toml").response(channel="phone", registered_at=...)`."""
    from .instances import contract as _bind

    return _bind(path, policies)


__all__ = ["CalendarHorizonError", "PolicyQueryError", "__version__", "contract", "load"]
