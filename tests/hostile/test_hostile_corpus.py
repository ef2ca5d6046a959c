"""The hostile-input corpus, end to end through the CLI (in process).

Every case builds one article with one config and asserts the same things:
the documented exit code, no traceback (every stderr line is `error:` or
`warning:`), no byte of a planted secret file in any artifact (PDF streams
decompressed, PDF attachments, every DOCX part, the JSON), no request
reaching a local HTTP server, no temp file in the output folder, and, when
the build fails, the previous artifact in the output folder untouched.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from hostile_support import (
    CliRun,
    Secret,
    Server,
    assert_no_partial,
    assert_no_secret,
    assert_one_line_errors,
    is_manifest,
    run_cli,
)

from pipeline.read import ingest
from tests.clock import EPOCH

PREVIOUS = b"%PDF-1.7 previous good artifact %%EOF"

BODY = (
    "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données. "
    "Les députés examineront le texte au cours des prochaines semaines.\n"
)


@dataclass(frozen=True)
class Ctx:
    tmp: Path
    secret: Secret
    server: Server

    def write(self, name: str, data: bytes | str) -> str:
        path = self.tmp / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(path)


Check = Callable[[CliRun, Path, Ctx], None]


@dataclass(frozen=True)
class Case:
    name: str
    source: Callable[[Ctx], str]
    expect: int
    config: Callable[[Ctx], str] | None = None
    check: Check | None = None
    needs_reader: str | None = None  # an input format another issue adds
    args: tuple[str, ...] = ()
    skip_reason: Callable[[], str | None] | None = None


def text(name: str, content: str | bytes) -> Callable[[Ctx], str]:
    return lambda ctx: ctx.write(name, content)


def article(title: str, body: str = BODY) -> str:
    return f"{title}\n\n{body}\n"


def hostile_markup(ctx: Ctx) -> str:
    secret, web = ctx.secret.url, ctx.server.url
    return "\n".join(
        [
            f'<link rel="attachment" href="{secret}">',
            f'<img src="{secret}"> <img src="{web}/img.png">',
            f'<style>@import url("{web}/import.css"); @font-face {{ src: url({secret}) }}</style>',
            f'<object data="{secret}"></object>',
            f'<svg><image href="{secret}"/></svg>',
            f'<p style="background: url({web}/bg.png)">x</p>',
        ]
    )


# --- checks ---------------------------------------------------------------


def written(folder: Path, suffix: str) -> Path:
    found = [p for p in folder.iterdir() if p.suffix == suffix and not is_manifest(p)]
    assert len(found) == 1, found
    return found[0]


def brief_json(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(written(folder, ".json").read_text(encoding="utf-8"))


def docx_text(folder: Path) -> str:
    document = docx.Document(str(written(folder, ".docx")))
    return "\n".join(p.text for p in document.paragraphs)


def error_says(*words: str) -> Check:
    def check(run: CliRun, out: Path, ctx: Ctx) -> None:
        for word in words:
            assert word in run.err, (word, run.err)

    return check


def docx_says(*words: str) -> Check:
    def check(run: CliRun, out: Path, ctx: Ctx) -> None:
        body = docx_text(out)
        for word in words:
            assert word in body, word

    return check


def all_of(*checks: Check) -> Check:
    def check(run: CliRun, out: Path, ctx: Ctx) -> None:
        for item in checks:
            item(run, out, ctx)

    return check


def markup_kept_as_text(run: CliRun, out: Path, ctx: Ctx) -> None:
    body = docx_text(out)
    assert "<link rel=" in body and "attachment" in body
    assert "@import url(" in body and "<object data=" in body
    data = brief_json(out)
    assert "<svg>" in json.dumps(data, ensure_ascii=False)


def file_name_is(stem: str) -> Check:
    def check(run: CliRun, out: Path, ctx: Ctx) -> None:
        names = sorted(
            p.name for p in out.iterdir() if p.name != "previous.pdf" and not is_manifest(p)
        )
        assert names == [f"{stem}.docx", f"{stem}.json", f"{stem}.pdf"], names

    return check


def control_characters_replaced(run: CliRun, out: Path, ctx: Ctx) -> None:
    body = docx_text(out)
    assert "\x00" not in body and "\x1b" not in body and "\ufffe" not in body
    assert "\ufffd" in body
    assert "avant" in body and "après" in body


def bidi_neutralised(run: CliRun, out: Path, ctx: Ctx) -> None:
    data = brief_json(out)
    assert "\u202e" not in data["title"]
    assert all(name.isascii() for name in os.listdir(out))


def long_title(run: CliRun, out: Path, ctx: Ctx) -> None:
    for path in out.iterdir():
        if is_manifest(path):
            continue
        assert len(path.stem) <= 80, path.name
    assert len(brief_json(out)["title"]) <= 120


def nothing_executed(marker: str) -> Check:
    def check(run: CliRun, out: Path, ctx: Ctx) -> None:
        assert not (ctx.tmp / marker).exists()

    return check


def not_root() -> str | None:
    return "runs as root: chmod 000 does not stop reads" if os.geteuid() == 0 else None


def unreadable(ctx: Ctx) -> str:
    path = ctx.write("locked.txt", article("Titre"))
    os.chmod(path, 0)
    return path


def dangling(ctx: Ctx) -> str:
    link = ctx.tmp / "dangling.txt"
    link.symlink_to(ctx.tmp / "gone.txt")
    return str(link)


def fifo(ctx: Ctx) -> str:
    path = ctx.tmp / "pipe.txt"
    os.mkfifo(path)
    return str(path)


def fifty_megabytes(ctx: Ctx) -> str:
    path = ctx.tmp / "huge.txt"
    with path.open("wb") as handle:
        handle.write(article("Titre").encode())
        handle.truncate(50_000_000)  # sparse: cheap to make, 50 MB to read
    return str(path)


def directory(ctx: Ctx) -> str:
    path = ctx.tmp / "folder.txt"
    path.mkdir()
    return str(path)


def sized_yaml(ctx: Ctx) -> str:
    return "organisation: x\n" + "# padding\n" * 120_000


ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""

TABLE = "\n".join(" | ".join(f"r{r}c{c}" for c in range(50)) for r in range(300))

CASES = [
    # --- the source file itself
    Case("empty-file", text("empty.txt", b""), 1, check=error_says("empty")),
    Case("whitespace-only", text("blank.txt", " \n\t\n \r\n"), 1, check=error_says("empty")),
    Case(
        "binary-random",
        text("random.txt", bytes(range(256)) * 4 + os.urandom(4096)),
        1,
        check=error_says("binary"),
    ),
    Case(
        "binary-png",
        text("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\xff" * 2000),
        1,
        check=error_says("binary"),
    ),
    Case("fifty-megabytes", fifty_megabytes, 1, check=error_says("50,000,", "limit")),
    # Directories are batch sources (issue 7): one holding no article is a
    # usage error, reported before anything is built.
    Case("directory", directory, 2, check=error_says("directory holds no article")),
    Case("unreadable", unreadable, 1, check=error_says("permission"), skip_reason=not_root),
    Case(
        "unreadable-through-a-file",
        lambda ctx: ctx.write("plain.txt", "x") + "/inside.txt",
        1,
        check=error_says("cannot read the file"),
    ),
    Case(
        "unreadable-name-too-long",
        lambda ctx: str(ctx.tmp / ("n" * 300 + ".txt")),
        1,
        check=error_says("cannot read the file"),
    ),
    Case("dangling-symlink", lambda ctx: dangling(ctx), 1, check=error_says("no such file")),
    Case("fifo", fifo, 1, check=error_says("not a regular file")),
    Case("dev-zero", lambda ctx: "/dev/zero", 1, check=error_says("not a regular file")),
    Case("missing", lambda ctx: str(ctx.tmp / "nope.txt"), 1, check=error_says("no such file")),
    Case("executable-extension", text("tool.exe", b"MZ\x90\x00"), 1, check=error_says(".exe")),
    # --- encodings
    Case(
        "invalid-utf8",
        text("broken.txt", article("Titre").encode() + b"\xff\xfe\xc3 fin \xe9t\xe9\n"),
        0,
        check=docx_says("présenté", "\ufffd"),
    ),
    Case(
        "utf16-without-bom",
        text("utf16.txt", article("Sécurité des données").encode("utf-16-le")),
        0,
        check=docx_says("Sécurité des données", "députés"),
    ),
    Case(
        "latin1",
        text("latin1.txt", article("Données").encode("latin-1")),
        0,
        check=docx_says("présenté"),
    ),
    Case(
        "control-characters",
        text(
            "controls.txt", article("Titre", "avant\x00\x1b\x07\ufffe\x0b\x0capr\u00e8s. " + BODY)
        ),
        0,
        check=control_characters_replaced,
    ),
    Case("crlf-and-cr", text("crlf.txt", "Titre\r\n\r\n" + BODY + "\rFin.\r"), 0),
    # --- sizes and shapes
    Case("title-5000-chars", text("long.txt", article("Mot " * 1250)), 0, check=long_title),
    Case(
        "ten-thousand-headings",
        text("headings.txt", "\n".join(f"Titre {i}" for i in range(10_000))),
        1,
        check=error_says("10,000 blocks", "limits.max_blocks"),
    ),
    Case(
        "paragraph-too-long",
        text("para.txt", "Titre\n\n" + "mot " * 20_000 + ".\n"),
        1,
        check=error_says("line 3", "limits.max_paragraph_chars"),
    ),
    Case("table-300x50-as-text", text("table.txt", article("Tableau", TABLE)), 0),
    Case("quote-markers-as-text", text("quotes.txt", article("Titre", ">" * 1000)), 0),
    # --- markup and templates in the article: text only
    Case(
        "html-in-text",
        lambda ctx: ctx.write("markup.txt", article("Titre", hostile_markup(ctx))),
        0,
        check=markup_kept_as_text,
    ),
    Case(
        "jinja-in-text",
        text("jinja.txt", article("{{ 7*7 }} {% include '/etc/passwd' %}")),
        0,
        check=docx_says("{{ 7*7 }}", "{% include"),
    ),
    # --- titles that become file names
    Case("title-dot-dot", text("dots.txt", article("../../x")), 0, check=file_name_is("x")),
    Case("title-emoji-only", text("emoji.txt", article("🔥🎉🚀")), 0, check=file_name_is("emoji")),
    Case("title-reserved", text("reserved.txt", article("CON")), 0, check=file_name_is("reserved")),
    Case(
        "title-bidi-override",
        text("bidi.txt", article("Rapport \u202eexe.fdp")),
        0,
        check=bidi_neutralised,
    ),
    # --- the config file
    Case(
        "css-colour-injection",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: (
            f'layout: {{colors: {{accent: "#fff; background: url({ctx.secret.url})"}}}}\n'
        ),
        check=error_says("layout.colors.accent", "line 1"),
    ),
    Case(
        "css-font-injection",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: (
            "layout: {fonts: {body: {family: \"x'; } @import url("
            + ctx.server.url
            + '/f.css); a {", size: 10pt}}}\n'
        ),
        check=error_says("layout.fonts.body.family"),
    ),
    Case(
        "css-length-injection",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "layout: {page: {margins: {top: '1mm} * {background: red'}}}\n",
        check=error_says("layout.page.margins.top"),
    ),
    Case(
        "css-string-in-header-slot",
        text("a.txt", article("Titre")),
        0,
        config=lambda ctx: (
            f"layout: {{header: {{left: '\"); @import url({ctx.server.url}/h.css); a{{b:c'}}}}\n"
        ),
    ),
    Case(
        "html-in-organisation",
        text("a.txt", article("Titre")),
        0,
        config=lambda ctx: (
            f"organisation: '</p><link rel=attachment href={ctx.secret.url}>"
            f"<img src={ctx.server.url}/o.png>'\n"
        ),
        # The DOCX shows it as text (in capitals through its style, not its text).
        check=docx_says("<link rel=attachment"),
    ),
    Case(
        "unquoted-hex-colour",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "layout:\n  colors:\n    accent: #fff\n",
        check=error_says("line 3", "must be quoted"),
    ),
    Case(
        "yaml-alias-bomb",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: ALIAS_BOMB,
        check=error_says("aliases", "line 2"),
    ),
    Case(
        "yaml-python-tag",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: (
            f"organisation: !!python/object/apply:os.system ['touch {ctx.tmp / 'pwned'}']\n"
        ),
        check=all_of(error_says("unsupported YAML tag"), nothing_executed("pwned")),
    ),
    Case(
        "yaml-too-large",
        text("a.txt", article("Titre")),
        2,
        config=sized_yaml,
        check=error_says("larger than"),
    ),
    Case(
        "config-control-character",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: 'organisation: "Org\\x00"\n',
        check=error_says("organisation", "U+0000"),
    ),
    Case(
        "config-unknown-key",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "limits: {max_block: 3}\n",
        check=error_says("did you mean 'max_blocks'"),
    ),
    Case(
        "config-dev-zero",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "",
        args=("-c", "/dev/zero"),
        check=error_says("not a regular file"),
    ),
    Case(
        "config-fifo",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "",
        args=("-c", "{fifo}"),
        check=error_says("not a regular file"),
    ),
    Case(
        "config-is-a-directory",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "",
        args=("-c", "{tmp}"),
        check=error_says("not a regular file"),
    ),
    Case(
        "config-not-utf8",
        text("a.txt", article("Titre")),
        2,
        config=lambda ctx: "organisation: caf\udce9\n",
        check=error_says("not UTF-8"),
    ),
    # --- limits and the render worker
    Case(
        "input-over-configured-limit",
        text("a.txt", article("Titre")),
        1,
        config=lambda ctx: "limits: {max_input_bytes: 100}\n",
        check=error_says("limits.max_input_bytes"),
    ),
    Case(
        "render-timeout",
        text("a.txt", article("Titre")),
        1,
        config=lambda ctx: "limits: {render_timeout: 0.001}\n",
        check=error_says("was stopped"),
    ),
    Case(
        "render-memory-cap",
        text("a.txt", article("Titre")),
        1,
        config=lambda ctx: "limits: {render_memory_mb: 16}\n",
        check=error_says("ran out of memory (limit 16 MB)"),
    ),
    Case(
        "strict-warning-fails",
        # Declared Russian, written in Latin script: a warning (German is detected).
        text(
            "de.md",
            "---\nlang: ru\n---\n\nDie Regierung hat heute angekündigt, dass die Steuern im "
            "nächsten Jahr steigen werden. Das ist eine schlechte Nachricht für alle Bürger.\n",
        ),
        1,
        config=lambda ctx: "language: auto\n",
        args=("--strict",),
        check=error_says("warning: ", "--strict"),
    ),
    # --- Markdown and HTML input (readers added by another issue)
    Case(
        "markdown-deep-quotes",
        text("quotes.md", "# Titre\n\n" + ">" * 1000 + " deep\n"),
        0,
        needs_reader=".md",
    ),
    Case(
        "markdown-raw-html-img",
        lambda ctx: ctx.write("img.md", f'# Titre\n\n<img src="{ctx.secret.url}">\n\n{BODY}'),
        0,
        needs_reader=".md",
    ),
    Case(
        "html-link-attachment",
        lambda ctx: ctx.write(
            "attach.html",
            f"<h1>Titre</h1><link rel=attachment href='{ctx.secret.url}'><p>{BODY}</p>",
        ),
        0,
        needs_reader=".html",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(
    case: Case, tmp_path: Path, secret: Secret, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.needs_reader and case.needs_reader not in ingest.READERS:
        pytest.skip(f"no reader for {case.needs_reader} files on this branch yet")
    reason = case.skip_reason() if case.skip_reason else None
    if reason:
        pytest.skip(reason)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    ctx = Ctx(tmp_path, secret, server)
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.pdf").write_bytes(PREVIOUS)
    source = case.source(ctx)
    config = tmp_path / "config.yaml"
    config_text = case.config(ctx) if case.config else "language: fr\n"
    config.write_bytes(config_text.encode("utf-8", "surrogateescape"))
    before = len(server.requests)

    fifo = tmp_path / "config-fifo.yaml"
    os.mkfifo(fifo)
    args = [arg.format(fifo=fifo, tmp=tmp_path) for arg in case.args]
    run = run_cli(
        ["build", source, "-c", str(config), "-o", str(out), "-f", "pdf,docx,json", *args]
    )

    assert run.code == case.expect, run.err
    assert_one_line_errors(run.err)
    assert server.requests[before:] == []
    assert_no_partial(out)
    assert (out / "previous.pdf").read_bytes() == PREVIOUS
    produced = [p for p in out.iterdir() if p.name != "previous.pdf" and not is_manifest(p)]
    if case.expect == 0:
        assert {p.suffix for p in produced} == {".pdf", ".docx", ".json"}
        assert all(p.stat().st_mode & stat.S_IRUSR for p in produced)
    else:
        assert produced == [], "a failed build must leave no file"
        assert run.err.count("error: ") >= 1
    assert_no_secret(produced, secret)
    if case.check:
        case.check(run, out, ctx)


def test_one_bad_source_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    good = tmp_path / "good.txt"
    good.write_text(article("Bon titre"), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    config = tmp_path / "config.yaml"
    config.write_text("language: fr\n", encoding="utf-8")
    run = run_cli(
        ["build", "-q", str(bad), str(good), "-o", str(out), "-f", "docx", "-c", str(config)]
    )
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert run.err.count("error: ") == 1 and "bad.txt" in run.err
    assert [p.name for p in out.iterdir() if not is_manifest(p)] == ["bon-titre.docx"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    run = run_cli(["build", str(bad), "-o", str(tmp_path / "out"), "-f", "docx", "--debug"])
    assert run.code == 1
    assert "Traceback" in run.err and "SourceError" in run.err
    assert run.err.rstrip().splitlines()[-1].startswith("error: ")


def test_bad_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday; rm -rf /")
    source = tmp_path / "a.txt"
    source.write_text(article("Titre"), encoding="utf-8")
    run = run_cli(["build", str(source), "-o", str(tmp_path / "out"), "-f", "json"])
    assert run.code == 2
    assert_one_line_errors(run.err)
    assert not (tmp_path / "out").exists()


def test_binary_on_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    class Stdin:
        buffer = io.BytesIO(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)

    monkeypatch.setattr(sys, "stdin", Stdin)
    run = run_cli(["build", "-", "-o", str(tmp_path / "out"), "-f", "docx"])
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert run.err.startswith("error: -: ") and "binary" in run.err
    assert not (tmp_path / "out").exists()
