"""argv -> argparse.Namespace: the grammar of the command line.

Options that several commands share are declared once, as parent parsers
(`_output_options`, `_config_options`, `_build_options`, `_artifact_options`,
`_force_options`, `_folder_options`); each command adds only its own.
Nothing here imports the stages, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os

from pipeline import __version__
from pipeline.errors import UsageError

FORMATS = ("pdf", "docx", "json")
# Kept in step with config.PdfVariant (a test checks it) so --help needs no pydantic import.
PDF_VARIANTS = ("none", "pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/a-3b+ua-1")
INPUT_FORMATS = ("text", "markdown", "html")
DEFAULT_CONFIG = "config.yaml"
DEFAULT_PROG = "python -m pipeline"

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


def _setting(value: str) -> tuple[str, str]:
    key, equals, text = value.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(
            f"--set {value!r}: write KEY=VALUE, e.g. --set layout.page.size=Letter"
        )
    return key.strip(), text


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


def _output_options() -> _Parser:
    """How much the command says: every command takes these."""
    parent = _Parser(add_help=False)
    loudness = parent.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    loudness.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="say more: which config file is used, the theme, each source's time",
    )
    parent.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    return parent


def _config_options() -> _Parser:
    """Where the settings come from."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help=f"layout and options (default: the nearest {DEFAULT_CONFIG} in this folder or "
        "above it, up to the repository root; else the built-in defaults)",
    )
    parent.add_argument(
        "--set",
        dest="settings",
        action="append",
        type=_setting,
        default=[],
        metavar="KEY=VALUE",
        help="override one config key for this run, validated like the file "
        "(dotted, repeatable): --set theme=dossier --set layout.page.size=Letter",
    )
    return parent


def _folder_option(parent: _Parser, metavar: str = "DIR", more: str = "") -> None:
    parent.add_argument(
        "-o",
        "--out",
        metavar=metavar,
        help="output folder (default: output_dir from the config, dist)" + more,
    )


def _folder_options() -> _Parser:
    """Where the files go, for the commands that write only into a folder (email, digest)."""
    parent = _Parser(add_help=False)
    _folder_option(parent)
    return parent


def _artifact_options() -> _Parser:
    """What each artifact is: its formats, theme and PDF standard (build, watch, digest)."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        "-f",
        "--format",
        type=_formats,
        metavar="LIST",
        help="comma-separated formats among pdf, docx, json (default: formats from the config)",
    )
    parent.add_argument(
        "--theme",
        metavar="NAME",
        help="theme name or theme folder (overrides theme: in the config)",
    )
    parent.add_argument(
        "--pdf-variant",
        choices=PDF_VARIANTS,
        metavar="VARIANT",
        help="standard the PDF claims: " + ", ".join(PDF_VARIANTS) + " (default: pdf.variant "
        "from the config, pdf/ua-1)",
    )
    return parent


def _force_options() -> _Parser:
    """Rebuild what the manifest says is up to date (build, digest)."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        "--force", action="store_true", help="rebuild everything, even what has not changed"
    )
    return parent


def _build_options() -> _Parser:
    """Which sources and how to read them: shared by build and watch."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="article files, directories or glob patterns"
    )
    _folder_option(
        parent,
        "DIR|FILE|-",
        "; with one SOURCE, a file name ending in .pdf, .docx or .json writes that one "
        "file, and - writes the single artifact to standard output",
    )
    parent.add_argument(
        "--css",
        metavar="FILE",
        help="a stylesheet added after the theme's, for small PDF tweaks "
        "(overrides layout.extra_css; the DOCX does not read CSS)",
    )
    parent.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="read every SOURCE as this format (default: from the extension; - is text)",
    )
    parent.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (refused resource, missing font, unsure language) as failures",
    )
    return parent


def _add_build(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    build = commands.add_parser(
        "build",
        parents=parents,
        help="build briefs into the output folder",
        description=(
            "Build a brief from each SOURCE (a .txt, .md or .html article, or - for "
            "standard input). "
            "With no SOURCE, build the sources listed in the config file."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        help="check that each PDF and DOCX agree (text, page size, margins, fonts); exit 1 if not",
    )
    build.add_argument(
        "--preview", action="store_true", help="also write a PNG of page 1 beside each PDF"
    )
    _web_options(build)


def _add_watch(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    commands.add_parser(
        "watch",
        parents=parents,
        help="build, then rebuild the briefs whose source, config or theme changes, on every save",
        description=(
            "Build like 'build' (incrementally), then keep one warm process watching the "
            "sources, the config file and the theme; each save rebuilds what it affects and "
            "prints one line per brief with its time. Stop with Ctrl-C."
        ),
    )


def _add_themes(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    themes = commands.add_parser(
        "themes",
        parents=parents,
        help="list the themes that can be found, or start a new one",
        description="With no ACTION, list the themes (user theme_dirs first, then shipped): "
        "one name a line, then where it lives. 'themes new NAME' starts a theme of your own.",
    )
    actions = themes.add_subparsers(dest="themes_command", metavar="ACTION", parser_class=_Parser)
    actions.add_parser("list", parents=parents, help="list the themes (the default)")
    new = actions.add_parser(
        "new",
        parents=parents,
        help="create themes/NAME/ from a shipped theme, with a commented theme.yaml",
        description="Copy a theme (note unless --from says otherwise) into the first of the "
        "config's theme_dirs (themes/ beside config.yaml), as NAME, with a theme.yaml whose "
        "every setting is explained; then set theme: NAME in the config.",
    )
    new.add_argument("name", metavar="NAME", help="the new theme's folder name (a-z, 0-9, - and _)")
    new.add_argument("--from", dest="base", default="note", metavar="THEME", help="theme to copy")


def _add_check(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    check = commands.add_parser(
        "check",
        parents=parents,
        help="check that a PDF brief and a DOCX brief agree",
        description=(
            "Compare the text of BRIEF.pdf and BRIEF.docx with each other and with the Brief "
            "JSON (BRIEF.json beside the PDF, or --brief), plus page size, orientation, "
            "margins and the fonts each actually uses. Prints the differences; exits 1 when "
            "they disagree."
        ),
    )
    check.add_argument("pdf", metavar="BRIEF.pdf")
    check.add_argument("docx", metavar="BRIEF.docx")
    check.add_argument(
        "--brief", metavar="BRIEF.json", help="the Brief JSON export to compare with"
    )


def _add_manifest(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    manifest = commands.add_parser(
        "manifest",
        help="work with build manifests",
        description="Work with the manifest.json files builds write.",
    )
    actions = manifest.add_subparsers(
        dest="manifest_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    merge = actions.add_parser(
        "merge",
        parents=parents,
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


def _add_email(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    email = commands.add_parser(
        "email",
        parents=parents,
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
    email.add_argument(
        "--digest",
        action="store_true",
        help="one message for all the SOURCEs: the digest (see 'digest') attached",
    )
    email.add_argument("--title", metavar="TEXT", help="with --digest: the digest's title")
    _web_options(email)


def _add_digest(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    digest = commands.add_parser(
        "digest",
        parents=parents,
        help="build one document (PDF, DOCX, JSON) from many articles, URLs and feeds",
        description=(
            "Read every SOURCE (files, directories, globs, URLs, feeds) and build one digest: "
            "a title block and a summary table on page 1, the contents, then each article "
            "as a chapter. With no SOURCE, the digest.sources (else sources) of the config. "
            "A source that cannot be read is named and left out (exit code 1)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    digest.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="articles, URLs and feeds to gather"
    )
    digest.add_argument("--title", metavar="TEXT", help="the digest's title (digest.title)")
    _web_options(digest)


def _add_schema(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    schema = commands.add_parser(
        "schema",
        parents=parents,
        help="print the JSON Schema of config.yaml (or of the Brief)",
        description="Print a JSON Schema, for editors that validate YAML or JSON.",
    )
    schema.add_argument(
        "--brief", action="store_true", help="the schema of the Brief JSON export instead"
    )


def _add_config(commands: argparse._SubParsersAction[_Parser], *parents: _Parser) -> None:
    config = commands.add_parser(
        "config",
        parents=parents,
        help="print the effective configuration as YAML",
        description="Print the configuration a build would use (the config file found or "
        "given with -c, with every --set applied, defaults filled in) as YAML, on standard "
        "output; it loads back with -c.",
    )
    config.add_argument(
        "--default", action="store_true", help="print the built-in defaults instead"
    )


def make_parser(prog: str = DEFAULT_PROG) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Turn an article into a typeset PDF brief and an editable DOCX brief.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    output, config, build = _output_options(), _config_options(), _build_options()
    artifacts, force, folder = _artifact_options(), _force_options(), _folder_options()
    _add_build(commands, output, config, build, artifacts, force)
    _add_watch(commands, output, config, build, artifacts)
    _add_themes(commands, output, config)
    _add_check(commands, output)
    _add_manifest(commands, output)
    _add_email(commands, output, config, folder)
    _add_digest(commands, output, config, folder, artifacts, force)
    _add_schema(commands, output)
    _add_config(commands, output, config)
    return parser


def invoked_as(argv0: str) -> str:
    """The program name as the user typed it: `python -m pipeline` or the script's name."""
    name = os.path.basename(argv0)
    if not name or name in ("__main__.py", "-c") or name.startswith("python"):
        return DEFAULT_PROG
    return name
