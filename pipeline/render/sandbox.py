"""Template files -> a Jinja2 environment in which a template cannot reach Python.

Every template the package renders (shipped themes, user themes, the mail
body) is compiled by `template_environment`: Jinja's sandbox refuses
attributes such as `__globals__` or `__subclasses__`, so a theme cannot
import modules, run commands or read files through the objects it is given.
It also caps `range()` (Jinja's own limit) and the size of a string or list
made by `*` or `**`. The rendering itself runs in a forked child with the
configured timeout and memory cap (build/source.py), which bounds whatever
the sandbox lets through: loops, `format` widths, deep recursion.
"""

from __future__ import annotations

from typing import Any

from jinja2 import BaseLoader, StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The largest string or list one `*` may build, and the largest exponent of `**`.
MAX_REPEAT = 1_000_000
MAX_EXPONENT = 1_000


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with `*` and `**` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeats = isinstance(sequence, str | bytes | list | tuple)
                repeats = repeats and isinstance(count, int)
                if repeats and len(sequence) * count > MAX_REPEAT:
                    raise SecurityError(f"a repeated value longer than {MAX_REPEAT:,}")
        return super().call_binop(context, operator, left, right)


def template_environment(loader: BaseLoader, autoescape: Any = True) -> ThemeSandbox:
    """The one way the package compiles templates: sandboxed, strict, escaped."""
    return ThemeSandbox(
        loader=loader,
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
