"""Command line: parses arguments, calls the stages, formats what they report.

`main(argv, stdout, stderr)` returns the exit code, so tests call it in
process; `run()` is the process entry point around it. Library code raises
`PipelineError`s; only this module prints them, one line each, with a
traceback only under --debug.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from pipeline import __version__
from pipeline.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigErrors,
    PipelineError,
    UsageError,
)

if TYPE_CHECKING:
    from pipeline.build.plan import BuildPlan
    from pipeline.build.render_server import RenderService
    from pipeline.config.model import Config

FORMATS = ("pdf", "docx", "json")
# Kept in step with config.PdfVariant (a test checks it) so --help needs no pydantic import.
PDF_VARIANTS = ("none", "pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/a-3b+ua-1")
DEFAULT_CONFIG = "config.yaml"

EPILOG = """\
exit codes:
  0  success
  1  a source could not be read, structured, rendered or written (the others
     were still built), a check found differences, or a message was not sent
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


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"--jobs {value!r}: give a whole number of at least 1")
    return jobs


def _build_options() -> _Parser:
    """The options `build` and `watch` share, declared once (argparse `parents`)."""
    shared = _Parser(add_help=False)
    shared.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="article files, directories or glob patterns"
    )
    shared.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help=f"layout and options (default: ./{DEFAULT_CONFIG} if present, else built-in defaults)",
    )
    shared.add_argument(
        "--pdf-variant",
        choices=PDF_VARIANTS,
        metavar="VARIANT",
        help="standard the PDF claims: " + ", ".join(PDF_VARIANTS) + " (default: pdf.variant "
        "from the config, pdf/ua-1)",
    )
    shared.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="output folder (default: output_dir from the config, dist)",
    )
    shared.add_argument(
        "-f",
        "--format",
        type=_formats,
        metavar="LIST",
        help="comma-separated formats among pdf, docx, json (default: formats from the config)",
    )
    shared.add_argument(
        "--input-format",
        choices=("text", "markdown", "html"),
        help="read every SOURCE as this format (default: from the extension; - is text)",
    )
    shared.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    shared.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (refused resource, missing font, unsure language) as failures",
    )
    shared.add_argument(
        "--theme",
        metavar="NAME",
        help="theme name or theme folder (overrides theme: in the config)",
    )
    return shared


def _since(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since {value!r}: give a date as YYYY-MM-DD") from None


def _web_options(command: argparse.ArgumentParser) -> None:
    """Options of the commands that read URLs and feeds."""
    command.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="from feeds, only the items dated DATE (YYYY-MM-DD) or later",
    )
    command.add_argument(
        "--refresh",
        action="store_true",
        help="download URL sources again instead of asking whether the cached copy changed",
    )


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
    build_options = _build_options()

    build = commands.add_parser(
        "build",
        help="build briefs into the output folder",
        description=(
            "Build a brief from each SOURCE (a .txt, .md or .html article, or - for "
            "standard input). "
            "With no SOURCE, build the sources listed in the config file."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[build_options],
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="render in N worker processes (default: the number of CPUs)",
    )
    build.add_argument(
        "--force", action="store_true", help="rebuild every source, even the unchanged ones"
    )
    build.add_argument(
        "--shard",
        metavar="K/N",
        help="build only the K-th of N stable parts of the sources (CI matrices); "
        "writes manifest-K-of-N.json",
    )
    build.add_argument(
        "--clean",
        action="store_true",
        help="remove artifacts the manifest lists that this build no longer produces",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="check that each PDF and DOCX agree (text, page size, margins); exit 1 if not",
    )
    build.add_argument(
        "--preview", action="store_true", help="also write a PNG of page 1 beside each PDF"
    )
    _web_options(build)

    commands.add_parser(
        "watch",
        help="build, then rebuild the briefs whose source, config or theme changes, on every save",
        description=(
            "Build like 'build' (incrementally), then keep one warm process watching the "
            "sources, the config file and the theme; each save rebuilds what it affects and "
            "prints one line per brief with its time. Stop with Ctrl-C."
        ),
        parents=[build_options],
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

    manifest = commands.add_parser(
        "manifest",
        help="work with build manifests",
        description="Work with the manifest.json files builds write.",
    )
    manifest_commands = manifest.add_subparsers(
        dest="manifest_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    merge = manifest_commands.add_parser(
        "merge",
        help="join the manifest parts of --shard builds into one manifest",
        description=(
            "Join manifest-K-of-N.json parts into one manifest. Every listed artifact "
            "must be in the output manifest's folder with the recorded bytes."
        ),
    )
    merge.add_argument("parts", nargs="+", metavar="PART", help="manifest parts to join")
    merge.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the merged manifest (default: manifest.json beside the first part)",
    )

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


def _load_config(args: argparse.Namespace) -> Config:
    """-c FILE, else ./config.yaml when present, else the built-in defaults."""
    from pipeline.config.model import Config, load_config

    if args.config:
        return load_config(Path(args.config))
    if Path(DEFAULT_CONFIG).is_file():
        return load_config(Path(DEFAULT_CONFIG))
    return Config()


def _load(args: argparse.Namespace) -> tuple[Config, Path]:
    config = _load_config(args)
    out = Path(args.out) if args.out else config.base_dir / config.output_dir
    return config, out


def _build_inputs(args: argparse.Namespace) -> tuple[Config, Path, list[str]]:
    """The config with the command line's overrides, the output folder, and the
    sources: the SOURCE arguments, else `sources:` from the config, expanded."""
    from pipeline.read.fetch import is_url
    from pipeline.read.sources import expand_sources

    config, out_dir = _load(args)
    if args.pdf_variant:
        config = config.model_copy(
            update={"pdf": config.pdf.model_copy(update={"variant": args.pdf_variant})}
        )
    if args.theme:
        config = config.model_copy(update={"theme": args.theme})
    named = args.sources or [_config_source(config, source) for source in config.sources]
    # One spelling per file ("a.txt", "./a.txt", "/abs/a.txt"), so the
    # manifest recognises a source however it is named.
    sources = expand_sources(s if s == "-" or is_url(s) else _relative(s) for s in named)
    return config, out_dir, sources


def _config_source(config: Config, source: str) -> str:
    """A source listed in the config: a file relative to it, a URL as it is."""
    from pipeline.read.fetch import is_url

    return source if source == "-" or is_url(source) else str(config.base_dir / source)


def _expand_feeds(
    args: argparse.Namespace, plan: BuildPlan, sources: list[str], err: TextIO
) -> list[str]:
    """Feeds among the sources replaced by their items, read with the plan's
    fetcher (which remembers what it downloaded, for the build that follows)."""
    from pipeline.read.feed import expand_feeds
    from pipeline.read.fetch import Fetcher

    fetcher = plan.fetcher or Fetcher()
    expansion = expand_feeds(sources, fetcher, args.since, plan.limits.max_input_bytes)
    for note in expansion.notes:
        print(f"warning: {note}", file=err)
    return expansion.sources


def _cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.render_server import RenderService

    # WeasyPrint's import (~0.6 s) starts now on another core, while this
    # process loads the config and structures the articles.
    with RenderService(args.format) as renderers:
        return _build(args, out, err, renderers)


def _plan(args: argparse.Namespace, config: Config, **options: bool) -> BuildPlan:
    """The build plan of `build` and `watch`: the config, with the command line's choices."""
    from pipeline.build.plan import make_plan

    return make_plan(
        config, args.format, strict=args.strict, input_format=args.input_format, **options
    )


def _build(args: argparse.Namespace, out: TextIO, err: TextIO, renderers: RenderService) -> int:
    from pipeline.build.batch import BatchOptions, run_batch
    from pipeline.build.progress import Progress, print_summary
    from pipeline.read.sources import parse_shard

    config, out_dir, sources = _build_inputs(args)
    if args.check and not {"pdf", "docx"} <= set(args.format or config.formats):
        raise UsageError("--check compares the PDF and the DOCX: build both formats")
    plan = _plan(args, config, preview=args.preview, refresh=args.refresh)
    sources = _expand_feeds(args, plan, sources, err)
    options = BatchOptions(
        jobs=args.jobs,
        # --check compares what this build renders, so nothing is skipped.
        force=args.force or args.check,
        shard=parse_shard(args.shard) if args.shard else None,
        clean=args.clean,
    )
    # A live bar on a terminal (stderr); plain progress lines on stdout beside
    # the "wrote" lines, so stderr carries only warnings and errors.
    live = err.isatty()
    with Progress(len(sources), err if live else out, live) as progress:
        report = run_batch(plan, sources, out_dir, options, progress.advance, renderers)
    for note in report.notes:
        print(f"warning: {note}", file=err)
    mismatched = 0
    for result in report.results:
        for warning in result.warnings:
            print(f"warning: {result.source}: {warning}", file=err)
        for written in result.written:
            print(f"wrote {_relative(str(written.path))} ({_size(written.size)})", file=out)
        if args.check and result.brief is not None and result.error is None:
            from pipeline.build.parity import compare

            data = {artifact.format: artifact.data for artifact in result.artifacts}
            problems = compare(data["pdf"], data["docx"], result.brief)
            for problem in problems:
                print(f"error: {result.source}: check: {problem}", file=err)
            if problems:
                mismatched += 1
            else:
                print(f"check: {result.source}: PDF and DOCX agree", file=out)
    for removed in report.removed:
        print(f"removed {_relative(str(out_dir / removed))}", file=out)
    if report.manifest_written:
        print(f"wrote {_relative(str(report.manifest))}", file=out)
    if len(report.results) > 1 or any(r.skipped for r in report.results):
        print_summary(report.results, out, rich_table=out.isatty(), recorded=report.recorded)
    for result in report.failed:
        assert result.error is not None
        _report(result.error, err, args.debug)
    return EXIT_FAILED if report.failed or mismatched else EXIT_OK


def _cmd_watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.plan import theme_search_path
    from pipeline.build.watch import Rebuild, watch

    config_file = Path(args.config) if args.config else None
    if config_file is None and Path(DEFAULT_CONFIG).is_file():
        config_file = Path(DEFAULT_CONFIG)

    def prepare() -> Rebuild:
        # Re-read on every change: the config file is one of the watched files.
        # One process renders (a pool would start cold): the default options.
        config, out_dir, sources = _build_inputs(args)
        sources = [source for source in sources if source != "-"]
        return Rebuild(_plan(args, config), sources, out_dir, theme_search_path(config))

    if "-" in args.sources:
        raise UsageError("watch reads files: standard input (-) cannot be watched")
    return watch(prepare, args.sources, config_file, out, err)


def _cmd_manifest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.manifest import MANIFEST_NAME, load_manifest, merge_manifests
    from pipeline.build.output import write_atomic

    parts = []
    for name in args.parts:
        part = load_manifest(Path(name))
        if part is None:
            raise UsageError("no such manifest part", file=name)
        parts.append((name, part))
    target = Path(args.output) if args.output else Path(args.parts[0]).parent / MANIFEST_NAME
    merged = merge_manifests(parts, target.parent)
    written = write_atomic(target.parent, target.name, merged.to_bytes())
    print(
        f"wrote {_relative(str(written.path))} ({len(merged.artifacts)} artifacts "
        f"from {len(merged.sources)} sources)",
        file=out,
    )
    return EXIT_OK


def _cmd_themes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.plan import theme_search_path
    from pipeline.render.discovery import find_themes
    from pipeline.render.theme import read_theme_file

    config = _load_config(args)
    for name, folder in find_themes(theme_search_path(config)):
        description = read_theme_file(folder).description
        print(
            f"{name}\t{_relative(str(folder))}" + (f"\t{description}" if description else ""),
            file=out,
        )
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.parity import availability, brief_from_json, compare
    from pipeline.errors import SourceError

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
        from pipeline.brief import Brief

        document = Brief.model_json_schema()
    else:
        from pipeline.config.model import schema

        document = schema()
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return EXIT_OK


def _cmd_email(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import os

    from pipeline.deliver.mail import describe, prepare_messages, recipients_for
    from pipeline.deliver.outbox import flush, pending, queue, smtp_settings

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
            from pipeline.build.output import write_atomic

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


def run() -> NoReturn:
    """The process entry point (`python -m pipeline`, `pipeline-brief`): `main`,
    then the exit, without CPython's teardown."""
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its data at exit
    # Every file this command wrote is closed and renamed into place by now.
    # What an ordinary exit would still do is free ~90,000 objects one by one
    # (~0.08 s with pydantic and the language data loaded); the OS reclaims
    # the memory at once. Flush what was printed and leave.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # e.g. a closed pipe (`| head`)
            stream.flush()
    os._exit(code)


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
            "watch": _cmd_watch,
            "schema": _cmd_schema,
            "manifest": _cmd_manifest,
            "themes": _cmd_themes,
            "check": _cmd_check,
            "email": _cmd_email,
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
