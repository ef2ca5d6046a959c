"""Command line: parses arguments, calls the stages, formats what they report.

`main(argv, stdout, stderr)` returns the exit code, so tests call it in
process. Library code raises `PipelineError`s; only this module prints them,
one line each, with a traceback only under --debug.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__
from .errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ConfigErrors, PipelineError, UsageError

if TYPE_CHECKING:
    from .config import Config

FORMATS = ("pdf", "docx", "json")
DEFAULT_CONFIG = "config.yaml"

EPILOG = """\
exit codes:
  0  every brief was built
  1  a source could not be read, structured, rendered or written
  2  bad command line or configuration (nothing was built)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(FORMATS)}"
        )
    return chosen


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pipeline",
        description="Turn an article into a typeset PDF brief and an editable DOCX brief.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    build = commands.add_parser(
        "build",
        help="build briefs into the output folder",
        description=(
            "Build a brief from each SOURCE (a .txt article, or - for standard input). "
            "With no SOURCE, build the sources listed in the config file."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("sources", nargs="*", metavar="SOURCE", help="article files to build")
    build.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help=f"layout and options (default: ./{DEFAULT_CONFIG} if present, else built-in defaults)",
    )
    build.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="output folder (default: output_dir from the config, dist)",
    )
    build.add_argument(
        "-f",
        "--format",
        type=_formats,
        metavar="LIST",
        help="comma-separated formats among pdf, docx, json (default: formats from the config)",
    )
    build.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    email = commands.add_parser(
        "email",
        help="build briefs and write (or send) them as an e-mail message",
        description=(
            "Build a brief from each SOURCE and write OUT/<slug>.eml: a summary in the "
            "body, the PDF and DOCX attached. With --send, queue it in OUT/outbox/ and "
            "deliver everything in the outbox over SMTP (email.smtp in the config; "
            "password from PIPELINE_SMTP_PASSWORD)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    email.add_argument("sources", nargs="*", metavar="SOURCE", help="article files to send")
    email.add_argument("-c", "--config", metavar="FILE", help="layout and options")
    email.add_argument("-o", "--out", metavar="DIR", help="output folder")
    email.add_argument(
        "--to", action="append", default=[], metavar="ADDR", help="recipient (repeatable)"
    )
    email.add_argument(
        "--cc", action="append", default=[], metavar="ADDR", help="copy recipient (repeatable)"
    )
    email.add_argument("--from", dest="sender", metavar="ADDR", help="sender address")
    email.add_argument("--send", action="store_true", help="deliver over SMTP")
    email.add_argument(
        "--outbox",
        action="store_true",
        help="with --send: build nothing, only deliver what is already in the outbox",
    )
    email.add_argument(
        "--dry-run",
        action="store_true",
        help="print each message's headers, parts and sizes; write and send nothing",
    )
    email.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of config.yaml (or of the Brief)",
        description="Print a JSON Schema, for editors that validate YAML or JSON.",
    )
    schema.add_argument(
        "--brief", action="store_true", help="the schema of the Brief JSON export instead"
    )
    return parser


def _load(args: argparse.Namespace) -> tuple[Config, Path]:
    from .config import Config, load_config

    if args.config:
        config = load_config(Path(args.config))
    elif Path(DEFAULT_CONFIG).is_file():
        config = load_config(Path(DEFAULT_CONFIG))
    else:
        config = Config()
    out = Path(args.out) if args.out else config.base_dir / config.output_dir
    return config, out


def _cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .build import run_build

    config, out_dir = _load(args)
    if args.sources:
        sources = list(args.sources)
    else:
        sources = [
            source if source == "-" else str(config.base_dir / source) for source in config.sources
        ]
        sources = [_relative(s) for s in sources]
    formats = args.format or config.formats
    results = run_build(config, sources, tuple(formats), out_dir)
    failed = 0
    for result in results:
        for warning in result.warnings:
            print(f"warning: {result.source}: {warning}", file=err)
        if result.error is not None:
            failed += 1
            _report(result.error, err, args.debug)
            continue
        for written in result.written:
            print(f"wrote {_relative(str(written.path))} ({_size(written.size)})", file=out)
    return EXIT_FAILED if failed else EXIT_OK


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _size(size: int) -> str:
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} B"


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.brief:
        from .brief import Brief

        document = Brief.model_json_schema()
    else:
        from .config import schema

        document = schema()
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return EXIT_OK


def _cmd_email(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import os

    from .mail import describe, prepare_messages, recipients_for
    from .outbox import flush, pending, queue, smtp_settings

    config, out_dir = _load(args)
    settings = smtp_settings(config.email.smtp, config.base_dir, os.environ) if args.send else None
    failed = 0
    if not args.outbox:
        recipients = recipients_for(config.email, sender=args.sender, to=args.to, cc=args.cc)
        if args.sources:
            sources = list(args.sources)
        else:
            sources = [
                _relative(s if s == "-" else str(config.base_dir / s)) for s in config.sources
            ]
        for item in prepare_messages(config, sources, out_dir, recipients):
            for warning in item.warnings:
                print(f"warning: {item.source}: {warning}", file=err)
            if item.error is not None or item.data is None:
                failed += 1
                error = item.error or PipelineError("no message", file=item.source)
                _report(error, err, args.debug)
                continue
            if args.dry_run:
                print(f"message {item.stem}.eml from {item.source}", file=out)
                for line in describe(item.data):
                    print(f"  {line}", file=out)
                if settings is not None:
                    print(f"  would be queued and sent to {settings.server}", file=out)
                continue
            from .output import write_atomic

            written = write_atomic(out_dir, f"{item.stem}.eml", item.data)
            print(f"wrote {_relative(str(written.path))} ({_size(written.size)})", file=out)
            if args.send:
                queued = queue(out_dir, item.stem, item.data)
                print(f"queued {_relative(str(queued.path))}", file=out)
    elif not args.send:
        raise UsageError("--outbox only makes sense with --send")
    if settings is not None:
        waiting = pending(out_dir)
        if args.dry_run:
            for message in waiting:
                print(f"would send {_relative(str(message))} to {settings.server}", file=out)
            return EXIT_FAILED if failed else EXIT_OK
        if not waiting:
            print("the outbox is empty: nothing to send", file=out)
        for delivery in flush(out_dir, settings):
            if delivery.error is not None:
                failed += 1
                _report(delivery.error, err, args.debug)
                continue
            assert delivery.sent is not None
            for recipient, why in delivery.refused.items():
                print(f"warning: {delivery.message.name}: {recipient} refused: {why}", file=err)
            print(
                f"sent {delivery.message.name} via {settings.server}: {delivery.reply} "
                f"-> {_relative(str(delivery.sent))}",
                file=out,
            )
    return EXIT_FAILED if failed else EXIT_OK


def _report(error: BaseException, err: TextIO, debug: bool) -> None:
    if debug:
        traceback.print_exception(error, file=err)
    if isinstance(error, ConfigErrors):
        for item in error.errors:
            print(f"error: {item}", file=err)
    else:
        print(f"error: {error}", file=err)


def main(
    argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return EXIT_USAGE
        handler = {"build": _cmd_build, "schema": _cmd_schema, "email": _cmd_email}[
            args.command
        ]
        return handler(args, out, err)
    except PipelineError as error:
        _report(error, err, debug)
        return error.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=err)
        return EXIT_FAILED
    except Exception as error:  # a bug: say so in one line, traceback on request
        if debug:
            traceback.print_exception(error, file=err)
        print(
            f"error: internal error: {type(error).__name__}: {error} "
            "(run with --debug for the traceback and report it)",
            file=err,
        )
        return EXIT_FAILED
