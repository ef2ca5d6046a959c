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
    build.add_argument(
        "--theme",
        metavar="NAME",
        help="theme name or theme folder (overrides theme: in the config)",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="check that each PDF and DOCX agree (text, page size, margins); exit 1 if not",
    )
    build.add_argument(
        "--preview", action="store_true", help="also write a PNG of page 1 beside each PDF"
    )

    themes = commands.add_parser(
        "themes",
        help="list the themes that can be found",
        description="List the themes (user theme_dirs first, then shipped): "
        "one name a line, then where it lives.",
    )
    themes.add_argument("-c", "--config", metavar="FILE", help="config whose theme_dirs to search")

    check = commands.add_parser(
        "check",
        help="check that a PDF brief and a DOCX brief agree",
        description=(
            "Compare the text of BRIEF.pdf and BRIEF.docx with each other and with the Brief "
            "JSON (BRIEF.json beside the PDF, or --brief), plus page size, orientation and "
            "margins. Prints the differences; exits 1 when they disagree."
        ),
    )
    check.add_argument("pdf", metavar="BRIEF.pdf")
    check.add_argument("docx", metavar="BRIEF.docx")
    check.add_argument(
        "--brief", metavar="BRIEF.json", help="the Brief JSON export to compare with"
    )

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
    if args.theme:
        config = config.model_copy(update={"theme": args.theme})
    if args.check and not {"pdf", "docx"} <= set(formats):
        raise UsageError("--check compares the PDF and the DOCX: build both formats")
    results = run_build(config, sources, tuple(formats), out_dir, preview=args.preview)
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
        if args.check and result.brief is not None:
            from .parity import compare

            data = {artifact.format: artifact.data for artifact in result.artifacts}
            problems = compare(data["pdf"], data["docx"], result.brief)
            for problem in problems:
                print(f"error: {result.source}: check: {problem}", file=err)
            if problems:
                failed += 1
            else:
                print(f"check: {result.source}: PDF and DOCX agree", file=out)
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_themes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .build import theme_search_path
    from .config import Config, load_config
    from .render.theme import find_themes, read_theme_file

    if args.config:
        config = load_config(Path(args.config))
    elif Path(DEFAULT_CONFIG).is_file():
        config = load_config(Path(DEFAULT_CONFIG))
    else:
        config = Config()
    for name, folder in find_themes(theme_search_path(config)):
        description = read_theme_file(folder).description
        print(
            f"{name}\t{_relative(str(folder))}" + (f"\t{description}" if description else ""),
            file=out,
        )
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .errors import SourceError
    from .parity import availability, brief_from_json, compare

    missing = availability()
    if missing:
        raise UsageError(missing)
    blobs: dict[str, bytes] = {}
    brief_path = Path(args.brief) if args.brief else Path(args.pdf).with_suffix(".json")
    for key, path in (("pdf", Path(args.pdf)), ("docx", Path(args.docx)), ("json", brief_path)):
        try:
            blobs[key] = path.read_bytes()
        except OSError as exc:
            if key == "json" and not args.brief:
                continue
            raise SourceError(f"cannot read it: {exc.strerror}", file=str(path)) from None
    brief = brief_from_json(blobs["json"]) if "json" in blobs else None
    if brief is None:
        print(f"note: no {brief_path.name}; comparing the PDF and the DOCX only", file=err)
    problems = compare(blobs["pdf"], blobs["docx"], brief)
    for problem in problems:
        print(f"error: check: {problem}", file=err)
    if problems:
        return EXIT_FAILED
    print("check: PDF and DOCX agree", file=out)
    return EXIT_OK


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
        handler = {
            "build": _cmd_build,
            "schema": _cmd_schema,
            "themes": _cmd_themes,
            "check": _cmd_check,
        }[args.command]
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
