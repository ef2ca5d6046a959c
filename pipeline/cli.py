"""Command line: parses arguments, calls the stages, formats what they report.

`main(argv, stdout, stderr)` returns the exit code, so tests call it in
process; `run()` is the process entry point around it. Library code raises
`PipelineError`s; only this module prints them, one line each, with a
traceback only under --debug.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from pipeline.cli_parser import DEFAULT_PROG, invoked_as, make_parser
from pipeline.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigErrors,
    PipelineError,
    UsageError,
    printable,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipeline.build.plan import BuildPlan
    from pipeline.build.render_server import RenderService
    from pipeline.build.source import SourceResult
    from pipeline.config.model import Config
    from pipeline.deliver.mail import PreparedMessage, Recipients


@dataclass(frozen=True)
class Talk:
    """What the command says besides its data, on stderr: stdout carries only
    data (`config`, `schema`, `themes`, an artifact with `-o -`).
    -q keeps only errors; -v adds details."""

    err: TextIO
    quiet: bool = False
    verbose: bool = False

    @classmethod
    def of(cls, args: argparse.Namespace, err: TextIO) -> Talk:
        return cls(err, getattr(args, "quiet", False), getattr(args, "verbose", False))

    @property
    def stream(self) -> TextIO | None:
        """Where progress and "wrote" lines go (None: nowhere)."""
        return None if self.quiet else self.err

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.err, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            print(text, file=self.err, flush=True)

    def warn(self, text: str) -> None:
        self.say(f"warning: {printable(text)}")


def _load(args: argparse.Namespace, talk: Talk) -> tuple[Config, Path]:
    """The effective config (file found or given, --set applied) and the output folder."""
    from pipeline.config.effective import load_effective

    settings = list(args.settings)
    if getattr(args, "css", None):
        settings.append(("layout.extra_css", str(Path(args.css).resolve())))
    config, path = load_effective(args.config, settings)
    shown = _relative(str(path)) if path is not None else "none found; built-in defaults"
    talk.detail(f"config: {shown}" + "".join(f"; --set {k}={v}" for k, v in args.settings))
    out = Path(args.out) if getattr(args, "out", None) else config.base_dir / config.output_dir
    return config, out


def _build_inputs(
    args: argparse.Namespace, talk: Talk, digest: bool = False
) -> tuple[Config, Path, list[str]]:
    """The config with the command line's overrides, the output folder, and the
    sources: the SOURCE arguments, else `sources:` from the config (for a
    digest: `digest.sources`, else `sources:`), expanded (a warning names
    each link that leads out of a source folder)."""
    from pipeline.read.fetch import is_url
    from pipeline.read.sources import expand_sources

    config, out_dir = _load(args, talk)
    if args.pdf_variant:
        config = config.model_copy(
            update={"pdf": config.pdf.model_copy(update={"variant": args.pdf_variant})}
        )
    if args.theme:
        config = config.model_copy(update={"theme": args.theme})
    listed = (config.digest.sources or config.sources) if digest else config.sources
    named = args.sources or [_config_source(config, source) for source in listed]
    # One spelling per file ("a.txt", "./a.txt", "/abs/a.txt"), so the
    # manifest recognises a source however it is named.
    refused: list[str] = []
    sources = expand_sources((s if s == "-" or is_url(s) else _relative(s) for s in named), refused)
    for note in refused:
        talk.warn(note)
    talk.detail(f"theme: {config.theme}; {len(sources)} source(s)")
    return config, out_dir, sources


def _config_source(config: Config, source: str) -> str:
    """A source listed in the config: a file relative to it, a URL as it is."""
    from pipeline.read.fetch import is_url

    return source if source == "-" or is_url(source) else str(config.base_dir / source)


def _expand_feeds(
    args: argparse.Namespace, plan: BuildPlan, sources: list[str], talk: Talk
) -> list[str]:
    """Feeds among the sources replaced by their items, read with the plan's
    fetcher (which remembers what it downloaded, for the build that follows)."""
    from pipeline.read.feed import expand_feeds
    from pipeline.read.fetch import Fetcher

    fetcher = plan.fetcher or Fetcher()
    expansion = expand_feeds(sources, fetcher, args.since, plan.limits.max_input_bytes)
    for note in expansion.notes:
        talk.warn(note)
    return expansion.sources


def _single_target(args: argparse.Namespace) -> str | None:
    """The `-o` value when it names one file (FILE.pdf, FILE.docx, FILE.json) or `-`."""
    target: str | None = args.out
    if target is None:
        return None
    if target == "-":
        return target
    path = Path(target)
    if path.suffix.lower().lstrip(".") in ("pdf", "docx", "json") and not path.is_dir():
        return target
    return None


def _cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.render_server import RenderService

    target = _single_target(args)
    formats = args.format
    if target not in (None, "-"):  # -o FILE.pdf|.docx|.json: the extension says
        formats = (Path(str(target)).suffix.lower().lstrip("."),)
    # WeasyPrint's import (~0.6 s) starts now on another core, while this
    # process loads the config and structures the articles.
    with RenderService(formats) as renderers:
        return _build(args, out, err, renderers)


def _plan(
    args: argparse.Namespace,
    config: Config,
    formats: tuple[str, ...] | None = None,
    **options: bool,
) -> BuildPlan:
    """The build plan of `build` and `watch`: the config, with the command line's choices."""
    from pipeline.build.plan import make_plan

    return make_plan(
        config,
        formats or args.format,
        strict=args.strict,
        input_format=args.input_format,
        **options,
    )


def _build(args: argparse.Namespace, out: TextIO, err: TextIO, renderers: RenderService) -> int:
    from pipeline.build.batch import BatchOptions, run_batch
    from pipeline.build.progress import Progress, print_summary
    from pipeline.read.sources import parse_shard

    talk = Talk.of(args, err)
    config, out_dir, sources = _build_inputs(args, talk)
    target = _single_target(args)
    if target is not None:
        return _build_single(args, config, sources, target, out, talk, renderers)
    if args.check and not {"pdf", "docx"} <= set(args.format or config.formats):
        raise UsageError("--check compares the PDF and the DOCX: build both formats")
    plan = _plan(args, config, preview=args.preview, refresh=args.refresh)
    sources = _expand_feeds(args, plan, sources, talk)
    options = BatchOptions(
        jobs=args.jobs,
        # --check compares what this build renders, so nothing is skipped.
        force=args.force or args.check,
        shard=parse_shard(args.shard) if args.shard else None,
        clean=args.clean,
    )
    # Everything but data goes to stderr: a live bar on a terminal, plain
    # progress lines otherwise; nothing with --quiet.
    stream = talk.stream
    live = stream is not None and stream.isatty()
    shown: set[str] = set()
    with Progress(len(sources) if stream else 0, stream or err, live) as progress:

        def finished(result: SourceResult) -> None:
            progress.advance(result)
            if result.error is not None:  # said now, not after the whole batch
                lines = io.StringIO()
                _report(result.error, lines, args.debug)
                progress.say(lines.getvalue(), err)
                shown.add(result.source)

        report = run_batch(plan, sources, out_dir, options, finished, renderers)
    for note in report.notes:
        talk.warn(note)
    mismatched = 0
    for result in report.results:
        for warning in result.warnings:
            talk.warn(f"{result.source}: {warning}")
        for written in result.written:
            talk.say(f"wrote {_relative(str(written.path))} ({_size(written.size)})")
        if args.check and result.brief is not None and result.error is None:
            from pipeline.build.parity import compare

            data = {artifact.format: artifact.data for artifact in result.artifacts}
            problems = compare(data["pdf"], data["docx"], result.brief)
            for problem in problems:
                print(f"error: {printable(f'{result.source}: check: {problem}')}", file=err)
            if problems:
                mismatched += 1
            else:
                talk.say(f"check: {result.source}: PDF and DOCX agree")
    for removed in report.removed:
        talk.say(f"removed {_relative(str(out_dir / removed))}")
    if report.manifest_written:
        talk.say(f"wrote {_relative(str(report.manifest))}")
    if stream is not None and (len(report.results) > 1 or any(r.skipped for r in report.results)):
        print_summary(report.results, stream, rich_table=stream.isatty(), recorded=report.recorded)
    for result in report.failed:
        assert result.error is not None
        if result.source not in shown:  # a failure while writing, after the build
            _report(result.error, err, args.debug)
    return EXIT_FAILED if report.failed or mismatched else EXIT_OK


def _build_single(
    args: argparse.Namespace,
    config: Config,
    sources: list[str],
    target: str,
    out: TextIO,
    talk: Talk,
    renderers: RenderService,
) -> int:
    """`-o FILE.pdf` or `-o -`: one source, one artifact, written as named (as pandoc does)."""
    from pipeline.build.source import build_one

    if len(sources) != 1:
        raise UsageError(
            f"-o {target} writes one brief, and {len(sources)} sources were given",
            hint="give one SOURCE, or an output folder (-o DIR) for several",
        )
    for flag in ("shard", "clean", "check", "preview"):
        if getattr(args, flag):
            raise UsageError(
                f"--{flag} works on an output folder, not on -o {target}", hint="use -o DIR"
            )
    if target == "-":
        formats = tuple(args.format or config.formats)
        if len(formats) != 1:
            raise UsageError(
                "-o - writes one artifact to standard output, and the formats are "
                + ", ".join(formats),
                hint="choose one with -f, e.g. -f pdf",
            )
        if formats[0] != "json" and out.isatty():
            raise UsageError(
                f"refusing to write a {formats[0].upper()} file to the terminal",
                hint=f"redirect it (> brief.{formats[0]}) or use -o FILE",
            )
    else:
        formats = (Path(target).suffix.lower().lstrip("."),)
        if args.format is not None and tuple(args.format) != formats:
            raise UsageError(
                f"-o {target} is a {formats[0].upper()} file, but -f asks for "
                + ", ".join(args.format),
                hint="leave -f out, or name the file with the format's extension",
            )
    plan = _plan(args, config, formats, refresh=args.refresh)
    result = build_one(sources[0], plan, server=renderers.for_build(formats))
    for warning in result.warnings:
        talk.warn(f"{result.source}: {warning}")
    if result.error is not None:
        _report(result.error, talk.err, args.debug)
        return EXIT_FAILED
    (artifact,) = result.artifacts
    if target == "-":
        _write_stdout(artifact.data, artifact.format, out)
        return EXIT_OK
    from pipeline.build.output import write_atomic

    path = Path(target)
    written = write_atomic(path.parent if str(path.parent) else Path("."), path.name, artifact.data)
    talk.say(f"wrote {_relative(str(written.path))} ({_size(written.size)})")
    return EXIT_OK


def _write_stdout(data: bytes, fmt: str, out: TextIO) -> None:
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    elif fmt == "json":
        out.write(data.decode("utf-8"))
    else:
        raise UsageError(f"this standard output takes text only, not a {fmt.upper()} file")


def _cmd_watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.plan import theme_search_path
    from pipeline.build.watch import Rebuild, watch
    from pipeline.config.effective import find_config

    talk = Talk.of(args, err)
    config_file = Path(args.config) if args.config else find_config(Path.cwd())

    def prepare() -> Rebuild:
        # Re-read on every change: the config file is one of the watched files.
        # One process renders (a pool would start cold): the default options.
        config, out_dir, sources = _build_inputs(args, talk)
        sources = [source for source in sources if source != "-"]
        return Rebuild(_plan(args, config), sources, out_dir, theme_search_path(config))

    if "-" in args.sources:
        raise UsageError("watch reads files: standard input (-) cannot be watched")
    if args.out is not None and _single_target(args) is not None:
        raise UsageError(f"watch writes to an output folder, not to -o {args.out}")
    # Status lines are not data: they go to stderr with the warnings (-q: nowhere).
    if talk.quiet:
        with open(os.devnull, "w", encoding="utf-8") as status:
            return watch(prepare, args.sources, config_file, status, err)
    return watch(prepare, args.sources, config_file, err, err)


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
    Talk.of(args, err).say(
        f"wrote {_relative(str(written.path))} ({len(merged.artifacts)} artifacts "
        f"from {len(merged.sources)} sources)"
    )
    return EXIT_OK


def _cmd_themes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.plan import theme_search_path
    from pipeline.render.discovery import find_themes
    from pipeline.render.theme import read_theme_file

    talk = Talk.of(args, err)
    config, _ = _load(args, talk)
    if args.themes_command == "new":
        from pipeline.render.scaffold import new_theme

        folder = new_theme(args.name, args.base, config)
        talk.say(f"wrote {_relative(str(folder))}/ (from {args.base})")
        talk.say(f"use it with: theme: {args.name} in the config, or --theme {args.name}")
        return EXIT_OK
    for name, folder in find_themes(theme_search_path(config)):
        description = read_theme_file(folder).description
        print(
            f"{name}\t{_relative(str(folder))}" + (f"\t{description}" if description else ""),
            file=out,
        )
    return EXIT_OK


def _cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.config.effective import config_yaml
    from pipeline.config.model import Config

    config = Config() if args.default else _load(args, Talk.of(args, err))[0]
    out.write(config_yaml(config))
    return EXIT_OK


# What `check` may use to read two files it did not make (a PDF or DOCX
# can be a deflate bomb: 2 MB that inflate to gigabytes).
CHECK_TIMEOUT = 120.0
CHECK_MEMORY_MB = 1024


def _compare_bounded(compare: Callable[..., list[str]], *args: object) -> list[str]:
    """`compare(*args)` in a forked child with a clock and a memory cap."""
    from pipeline.build.isolation import run_isolated
    from pipeline.errors import RenderError, SourceError

    try:
        return run_isolated(
            compare, *args, timeout=CHECK_TIMEOUT, memory_mb=CHECK_MEMORY_MB, what="the check"
        )
    except SourceError:
        raise
    except RenderError as error:
        raise SourceError(
            f"{error.message}; the files may be damaged or built to exhaust memory",
            hint="compare briefs this tool built",
        ) from None


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.parity import availability, brief_from_json, compare
    from pipeline.errors import SourceError

    talk = Talk.of(args, err)
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
        talk.say(f"note: no {brief_path.name}; comparing the PDF and the DOCX only")
    problems = _compare_bounded(compare, blobs["pdf"], blobs["docx"], brief)
    for problem in problems:
        print(f"error: check: {printable(problem)}", file=err)
    if problems:
        return EXIT_FAILED
    talk.say("check: PDF and DOCX agree")
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


def _cmd_digest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.build.digest import run_digest
    from pipeline.build.plan import make_plan

    talk = Talk.of(args, err)
    config, out_dir, sources = _build_inputs(args, talk, digest=True)
    if args.title is not None:  # part of the config: a new title rebuilds the digest
        digest = config.digest.model_copy(update={"title": args.title})
        config = config.model_copy(update={"digest": digest})
    plan = make_plan(config, args.format, refresh=args.refresh)
    sources = _expand_feeds(args, plan, sources, talk)
    if not sources:
        raise UsageError(
            "nothing to put in the digest: give a SOURCE or list digest.sources in the config file"
        )
    report = run_digest(plan, config.digest, sources, out_dir, force=args.force)
    for result in report.results:
        for warning in result.warnings:
            talk.warn(f"{result.source}: {warning}")
    for warning in report.warnings:
        talk.warn(f"digest: {warning}")
    for written in report.written:
        talk.say(f"wrote {_relative(str(written.path))} ({_size(written.size)})")
    if report.manifest is not None:
        talk.say(f"wrote {_relative(str(report.manifest))}")
    if report.skipped:
        name = _relative(str(out_dir / config.digest.name))
        talk.say(f"digest is up to date: {name}.{{{','.join(plan.formats)}}}")
    for result in report.failed:
        assert result.error is not None
        _report(result.error, err, args.debug)
    if report.failed:
        print(
            f"error: digest: left out {len(report.failed)} of {len(report.results)} sources "
            "(named above)",
            file=err,
        )
    if report.error is not None:
        _report(report.error, err, args.debug)
        return report.error.exit_code
    return EXIT_FAILED if report.failed else EXIT_OK


def _messages(
    args: argparse.Namespace,
    config: Config,
    sources: list[str],
    out_dir: Path,
    recipients: Recipients,
    talk: Talk,
) -> list[PreparedMessage]:
    """One message per source, or with --digest one for them all (feeds expanded)."""
    from pipeline.build.plan import make_plan
    from pipeline.deliver.mail import prepare_messages

    if args.title is not None:
        if not args.digest:
            raise UsageError("--title names a digest: use it with --digest")
        digest = config.digest.model_copy(update={"title": args.title})
        config = config.model_copy(update={"digest": digest})
    formats = tuple(dict.fromkeys(config.email.attach)) or ("pdf",)
    plan = make_plan(config, formats, refresh=args.refresh)
    sources = _expand_feeds(args, plan, sources, talk)
    if not args.digest:
        return prepare_messages(config, sources, out_dir, recipients)
    from pipeline.deliver.digest_mail import prepare_digest_message

    if not sources:
        raise UsageError("nothing to put in the digest: give a SOURCE or list digest.sources")
    return prepare_digest_message(config, plan, sources, out_dir, recipients)


def _cmd_email(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pipeline.deliver.mail import describe, recipients_for
    from pipeline.deliver.outbox import flush, pending, queue, smtp_settings
    from pipeline.read.fetch import is_url

    talk = Talk.of(args, err)
    config, out_dir = _load(args, talk)
    settings = smtp_settings(config.email.smtp, config.base_dir, os.environ) if args.send else None
    failed = 0
    if not args.outbox:
        recipients = recipients_for(config.email, sender=args.sender, to=args.to, cc=args.cc)
        if args.sources:
            sources = list(args.sources)
        else:
            listed = (config.digest.sources or config.sources) if args.digest else config.sources
            sources = [
                s if s == "-" or is_url(s) else _relative(s)
                for s in (_config_source(config, s) for s in listed)
            ]
        for item in _messages(args, config, sources, out_dir, recipients, talk):
            for warning in item.warnings:
                talk.warn(f"{item.source}: {warning}")
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
            talk.say(f"wrote {_relative(str(written.path))} ({_size(written.size)})")
            if args.send:
                queued = queue(out_dir, item.stem, item.data)
                done = "queued" if queued.new else "already queued"
                talk.say(f"{done} {_relative(str(queued.path))}")
    elif not args.send:
        raise UsageError("--outbox only makes sense with --send")
    if settings is not None:
        waiting = pending(out_dir)
        if args.dry_run:
            for message in waiting:
                print(f"would send {_relative(str(message))} to {settings.server}", file=out)
            return EXIT_FAILED if failed else EXIT_OK
        if not waiting:
            talk.say("the outbox is empty: nothing to send")
        for delivery in flush(out_dir, settings):
            if delivery.error is not None:
                failed += 1
                _report(delivery.error, err, args.debug)
                continue
            assert delivery.sent is not None
            for recipient, why in delivery.refused.items():
                talk.warn(f"{delivery.message.name}: {recipient} refused: {why}")
            talk.say(
                f"sent {delivery.message.name} via {settings.server}: {delivery.reply} "
                f"-> {_relative(str(delivery.sent))}"
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
    # The first model pydantic builds makes it scan every installed
    # distribution's entry points for plugins (~0.02 s at every start); this
    # command uses none. A value the user set stays.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main(prog=invoked_as(sys.argv[0]))
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
    argv: list[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    prog: str = DEFAULT_PROG,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        parser = make_parser(prog)
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
            "digest": _cmd_digest,
            "config": _cmd_config,
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
