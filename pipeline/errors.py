"""The exception family, each kind with its documented exit code.

Library code raises these with a message meant for the user; the CLI prints
one line per error (`error: FILE: line N: message`) and exits with the code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # a source could not be built, rendered or delivered
EXIT_USAGE = 2  # bad command line or configuration

# Characters that could forge a second line or drive the terminal: C0 and C1
# controls, DEL, the Unicode line/paragraph separators and bidi overrides.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


def printable(text: str) -> str:
    """`text` on one line, with every control character escaped (a file name
    holding a newline and ESC cannot forge an `error:` line or colour the
    terminal)."""
    return text.translate(_UNPRINTABLE)


class PipelineError(Exception):
    exit_code = EXIT_FAILED

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        parts.append(self.message)
        text = ": ".join(parts)
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class UsageError(PipelineError):
    exit_code = EXIT_USAGE


class ConfigError(PipelineError):
    """One problem in a configuration file."""

    exit_code = EXIT_USAGE


class ConfigErrors(PipelineError):
    """Several configuration problems, all reported at once."""

    exit_code = EXIT_USAGE

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__(f"{len(errors)} configuration error(s)")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class SourceError(PipelineError):
    """An article that cannot be read or understood."""


class RenderError(PipelineError):
    """A brief that could not be turned into an artifact."""


class OutputError(PipelineError):
    """An artifact that could not be written."""


class DeliveryError(PipelineError):
    """A message the mail server did not accept (it stays in the outbox)."""
