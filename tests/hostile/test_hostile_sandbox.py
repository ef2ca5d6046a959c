"""The resource sandbox, attacked directly: hostile HTML and CSS given to the
one factory (`make_html`/`make_css`) as if a future input format let markup
through. Nothing outside the allowed folders or the validated assets may be
read, nothing may reach the network, and every refusal is reported.
"""

from __future__ import annotations

import ast
import base64
import io
import logging
from pathlib import Path

import pytest
from hostile_support import Secret, Server, pdf_payloads

from pipeline.render.fetcher import SandboxFetcher, make_css, make_html
from tests.clock import BUILD_DATE

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline"

# A 1x1 red PNG, inline.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def hostile_html(secret: Secret, web: str, theme: Path) -> str:
    s = secret.url
    return f"""<!doctype html><html><head>
<link rel="attachment" href="{s}">
<link rel="stylesheet" href="{web}/remote.css">
<link rel="stylesheet" href="{theme.as_uri()}/escape.css">
<style>
@import url("{web}/import.css");
@import url("{s}");
@font-face {{ font-family: Evil; src: url({s}) }}
body {{ background: url({web}/bg.png); }}
h1 {{ font-family: Evil; }}
</style></head><body>
<h1>Title</h1>
<img src="{s}"><img src="{web}/img.png"><img src="ftp://127.0.0.1/x.png">
<img src="file://127.0.0.1{secret.path}">
<object data="{s}"></object><embed src="{s}">
<svg width="10" height="10"><image href="{s}" width="10" height="10"/></svg>
<iframe src="{s}"></iframe>
<a rel="attachment" href="{s}">attached</a>
<img src="ok.png"><img src="logo.png">
</body></html>"""


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, secret: Secret, server: Server
) -> tuple[bytes, SandboxFetcher, list[str], list[str]]:
    theme = tmp_path_factory.mktemp("theme")
    (theme / "ok.png").write_bytes(PIXEL)
    (theme / "escape.css").symlink_to(secret.path)  # a link inside pointing out
    before = len(server.requests)
    # The validated logo lives outside the theme: only its checked bytes are served.
    logo_dir = tmp_path_factory.mktemp("assets")
    (logo_dir / "logo.png").write_bytes(PIXEL)
    fetcher = SandboxFetcher((theme,), assets={theme / "logo.png": PIXEL})
    base = theme.as_uri() + "/"
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Keep(logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        css = make_css(f"@import url({secret.url}); p {{ color: red }}", fetcher, base, None)
        data = make_html(hostile_html(secret, server.url, theme), fetcher, base).write_pdf(
            stylesheets=[css]
        )
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    return data, fetcher, server.requests[before:], records


def test_no_secret_in_any_stream_or_attachment(rendered, secret: Secret) -> None:  # type: ignore[no-untyped-def]
    data, _, _, _ = rendered
    for payload in pdf_payloads(data):
        assert secret.token not in payload


def test_no_request_reaches_the_network(rendered) -> None:  # type: ignore[no-untyped-def]
    _, _, requests, _ = rendered
    assert requests == []


def test_every_refusal_is_recorded(rendered, secret: Secret, server: Server) -> None:  # type: ignore[no-untyped-def]
    _, fetcher, _, _ = rendered
    refused = "\n".join(fetcher.refused)
    assert secret.url in refused
    assert f"{server.url}/img.png" in refused
    assert f"{server.url}/import.css" in refused
    assert "ftp://" in refused
    assert "escape.css" in refused  # the symlink that leads out of the theme
    assert "another host" in refused
    assert all(line.startswith("refused resource ") for line in fetcher.refused)


def test_allowed_files_are_still_served(rendered) -> None:  # type: ignore[no-untyped-def]
    # The positive control: the sandbox is not simply refusing everything.
    data, fetcher, _, _ = rendered
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2  # ok.png from the theme and the validated logo
    assert not any("ok.png" in line or "logo.png" in line for line in fetcher.refused)


def test_redirects_are_not_followed() -> None:
    fetcher = SandboxFetcher(())
    assert not any(type(handler).__name__ == "HTTPRedirectHandler" for handler in fetcher.handlers)
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/")


def _calls(name: str, importing: str = "") -> list[str]:
    """Every call of `name(...)` in the package (in modules mentioning `importing`)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if importing not in path.read_text(encoding="utf-8"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_one_factory_builds_every_weasyprint_object() -> None:
    for name in ("HTML", "CSS"):
        calls = _calls(name)
        assert calls and all(call.startswith("render/fetcher.py:") for call in calls), calls


def test_user_text_is_never_compiled_as_a_template() -> None:
    # Jinja compiles only the theme's template files, never a string.
    assert _calls("from_string", importing="jinja2") == []
    assert _calls("Template", importing="jinja2") == []
    # Every environment is the sandbox of render/sandbox.py.
    assert _calls("Environment") == []
    assert _calls("ThemeSandbox") == [call for call in _calls("ThemeSandbox") if "sandbox" in call]


def test_every_jinja_environment_autoescapes() -> None:
    from pipeline.render.discovery import templates_root
    from pipeline.render.html import environment

    for folder in templates_root().iterdir():
        if (folder / "brief.html.j2").is_file():
            env = environment(folder)
            assert env.autoescape is True
    assert [call.split(":")[0] for call in _calls("template_environment")] == [
        "render/html.py",
        "deliver/mail.py",
    ]
    # The mail body's environment escapes its HTML templates; only the plain
    # text part (never shown as markup) is left unescaped.
    from pipeline.deliver.mail import _environment, mail_templates

    mail_env = _environment(mail_templates())
    assert mail_env.autoescape("body.html.j2") is True  # type: ignore[attr-defined]
    assert mail_env.autoescape("body.txt.j2") is False  # type: ignore[attr-defined]


def test_markup_in_the_brief_is_escaped() -> None:

    from pipeline.brief import Brief, Paragraph, Run
    from pipeline.config.model import Layout
    from pipeline.render.html import render_html
    from pipeline.render.theme import load_theme
    from pipeline.understand.languages import get_language

    language = get_language("en")
    evil = '</title><link rel=attachment href="file:///etc/passwd"><script>x</script>'
    brief = Brief(
        title=evil,
        language="en",
        date=BUILD_DATE,
        organisation="} body { background: url(file:///etc/passwd) } x {",
        lede=(Paragraph(runs=(Run(text=evil),)),),
        labels=language.labels,
    )
    html, css = render_html(brief, load_theme("note", Layout()))
    assert "<link rel=attachment" not in html and "<script>" not in html
    assert "&lt;link rel=attachment" in html
    assert "url(file:" not in css


def test_refusals_reach_the_build_report(tmp_path: Path, secret: Secret, server: Server) -> None:
    """A theme that asks for a remote or outside file: the PDF still renders,
    each refusal is an artifact warning (which the CLI prints and --strict fails on)."""
    import shutil

    from pipeline.brief import Brief
    from pipeline.config.model import Layout
    from pipeline.render.discovery import templates_root
    from pipeline.render.pdf import render_pdf
    from pipeline.render.theme import Theme
    from pipeline.understand.languages import get_language

    folder = tmp_path / "evil-theme"
    shutil.copytree(templates_root() / "note", folder)
    style = folder / "style.css.j2"
    style.write_text(
        f'@import url("{server.url}/theme.css");\n'  # @import must come first
        + '{% extends "_base/style.css.j2" %}\n'
        + f"{{% block theme %}}body {{ background: url({secret.url}); }}{{% endblock %}}\n",
        encoding="utf-8",
    )
    before = len(server.requests)
    language = get_language("en")
    brief = Brief(title="T", language="en", date=BUILD_DATE, labels=language.labels)
    artifact = render_pdf(brief, Theme("evil-theme", folder, Layout()))
    assert server.requests[before:] == []
    refusals = [w for w in artifact.warnings if w.startswith("refused resource")]
    assert any(server.url in w for w in refusals) and any(secret.url in w for w in refusals)
    for payload in pdf_payloads(artifact.data):
        assert secret.token not in payload
