"""config.yaml -> frozen, typed `Config`, validated once.

Every option is declared here with its type, default and description, so the
same declarations drive validation, the JSON Schema (`pipeline schema`) and
the README's key list. All problems are collected and reported together, each
with the file, the line and the dotted key; unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from pipeline.config.web import Digest, Fetch
from pipeline.config.yamlfile import MAX_YAML_BYTES, load_yaml
from pipeline.errors import ConfigError, ConfigErrors
from pipeline.files import FileTooLarge, NotRegularFile, read_capped
from pipeline.render.discovery import find_themes

# Values that end up in CSS are validated by pattern, so nothing like `;`,
# `}` or `url(` can ever reach a stylesheet.
LENGTH_RE = r"^\d+(\.\d+)?(mm|cm|in|pt)$"
COLOR_RE = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
FONT_RE = r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$"

Length = Annotated[str, Field(pattern=LENGTH_RE, description="a length: 20mm, 2cm, 1in or 12pt")]
Color = Annotated[str, Field(pattern=COLOR_RE, description='a hex colour in quotes: "#1f4e79"')]
FontFamily = Annotated[str, Field(pattern=FONT_RE, description="a font family name")]

_POINTS_PER = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}

PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
}

BlockName = Literal["title", "key_points", "lede", "intro", "sections", "sources", "entities"]
Format = Literal["pdf", "docx", "json"]


def points(length: str) -> float:
    """A validated length ("20mm") in PostScript points."""
    match = re.match(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$", length)
    if match is None:  # pragma: no cover - values are validated on load
        raise ValueError(length)
    return float(match[1]) * _POINTS_PER[match[2]]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Margins(_Section):
    top: Length = "22mm"
    right: Length = "22mm"
    bottom: Length = "22mm"
    left: Length = "22mm"


class Page(_Section):
    size: Literal["A4", "A5", "Letter", "Legal", "custom"] = Field(
        "A4", description="paper size; 'custom' takes width and height"
    )
    orientation: Literal["portrait", "landscape"] = Field(
        "portrait", description="portrait or landscape (swaps width and height)"
    )
    width: Length | None = Field(None, description="page width when size is custom")
    height: Length | None = Field(None, description="page height when size is custom")
    margins: Margins = Field(Margins(), description="the text block's distance from each edge")

    @model_validator(mode="after")
    def _custom_needs_dimensions(self) -> Page:
        if self.size == "custom" and (self.width is None or self.height is None):
            raise ValueError("size 'custom' needs both width and height")
        if self.size != "custom" and (self.width is not None or self.height is not None):
            raise ValueError("width and height only apply when size is 'custom'")
        return self

    def dimensions_pt(self) -> tuple[float, float]:
        """(width, height) in points, orientation applied."""
        if self.size == "custom":
            assert self.width is not None and self.height is not None
            width, height = points(self.width), points(self.height)
        else:
            width_mm, height_mm = PAGE_SIZES_MM[self.size]
            width, height = width_mm * _POINTS_PER["mm"], height_mm * _POINTS_PER["mm"]
        if self.orientation == "landscape":
            width, height = max(width, height), min(width, height)
        return width, height


class Font(_Section):
    family: FontFamily
    size: Length


class FontFile(_Section):
    """A font file under the project, embedded in the PDF and in the DOCX."""

    family: FontFamily = Field(description="the family name the fonts above use for this file")
    path: str = Field(
        min_length=1, max_length=400, description="a .ttf or .otf file, relative to config.yaml"
    )
    weight: Literal["normal", "bold"] = "normal"
    style: Literal["normal", "italic"] = "normal"


FONT_SUFFIXES = (".ttf", ".otf")


class Fonts(_Section):
    """The four text fonts; a font given with only a family (or only a size)
    keeps the default of the other."""

    body: Font = Field(Font(family="DejaVu Serif", size="10.5pt"), description="body text font")
    heading: Font = Field(Font(family="DejaVu Sans", size="12pt"), description="section headings")
    title: Font = Field(Font(family="DejaVu Sans", size="18pt"), description="the brief's title")
    monospace: Font = Field(
        Font(family="DejaVu Sans Mono", size="9pt"), description="code and other monospace text"
    )
    line_height: float = Field(1.35, ge=1.0, le=3.0, description="body line spacing, as a factor")
    files: tuple[FontFile, ...] = Field(
        (), description="font files under the project (family, path, weight, style), embedded"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_from_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for name in ("body", "heading", "title", "monospace"):
            given = filled.get(name)
            default = cls.model_fields[name].default
            if isinstance(given, dict) and isinstance(default, Font):
                filled[name] = {**default.model_dump(), **given}
        return filled


class Colors(_Section):
    accent: Color = Field("#1f4e79", description="headings, rules, links, banner")
    text: Color = Field("#222222", description="body text")
    muted: Color = Field("#666666", description="meta lines, header and footer")
    box: Color = Field("#eef3f8", description="background of boxes (lede, key points)")


class Slots(_Section):
    """Left, centre and right text of a header or footer.

    Placeholders: {title} {date} {organisation} {page} {pages} {classification}.
    """

    left: str = Field("", max_length=200, description="left-aligned text, with placeholders")
    center: str = Field("", max_length=200, description="centred text, with placeholders")
    right: str = Field("", max_length=200, description="right-aligned text, with placeholders")

    @model_validator(mode="after")
    def _known_placeholders(self) -> Slots:
        for text in (self.left, self.center, self.right):
            for name in re.findall(r"\{([^{}]*)\}", text):
                if name not in PLACEHOLDERS:
                    raise ValueError(
                        f"unknown placeholder {{{name}}}; use one of "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    )
        return self


PLACEHOLDERS = ("title", "date", "organisation", "page", "pages", "classification")


class Logo(_Section):
    """An image (PNG, JPEG or SVG) under the project folder, shown in the title block."""

    path: str = Field(
        min_length=1, max_length=400, description="image file, relative to config.yaml"
    )
    width: Length = Field("30mm", description="width the logo is drawn at")
    position: Literal["left", "center", "right"] = Field(
        "right", description="where the logo sits in the title block (or on the cover)"
    )
    alt: str = Field("", max_length=200, description="alternative text (default: organisation)")


LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


# The widest line the text block may set: about 85 characters of a serif
# text face (half an em wide on average), in ems of the body size.
MAX_LINE_EMS = 45.0
COLUMN_GAP_MM = 8.0


class Images(_Section):
    """Pictures taken from web pages (see docs/inputs.md)."""

    lead: bool = Field(True, description="show a web page's lead image after the title block")
    figures: bool = Field(
        False, description="show the figures of a web page's body in place, with their captions"
    )
    max_height: Length = Field("60mm", description="tallest the lead image or a figure is drawn")


class Layout(_Section):
    page: Page = Field(Page(), description="paper size, orientation and margins")
    fonts: Fonts = Field(Fonts(), description="font families and sizes (installed fonts)")
    colors: Colors = Field(Colors(), description="the four colours of the brief")
    justify: bool = Field(True, description="justify and hyphenate body text")
    header: Slots = Field(
        Slots(left="{organisation}", right="{date}"),
        description="header slots; placeholders {title} {date} {organisation} {page} {pages} "
        "{classification}",
    )
    footer: Slots = Field(
        Slots(right="page {page} / {pages}"), description="footer slots, same placeholders"
    )
    blocks: tuple[BlockName, ...] = Field(
        ("title", "key_points", "lede", "intro", "sections", "sources"),
        description="which blocks appear, in this order",
    )
    key_points_min_words: int = Field(
        1000,
        ge=0,
        description="with a lede ('En bref') too, show the key points box only on an article "
        "of at least this many words; 0: always",
    )
    first_page_header: bool = Field(
        False, description="show the header on the first page too (off: the title block is there)"
    )
    classification: str = Field(
        "",
        max_length=80,
        description="classification marking, e.g. DIFFUSION RESTREINTE; {classification} in slots",
    )
    banner: bool = Field(
        True, description="print the classification as a banner at the top of every page"
    )
    heading_numbers: bool = Field(False, description="number the section headings 1., 2., ...")
    columns: Literal[1, 2] = Field(1, description="body text in 1 or 2 columns")
    cover: bool = Field(False, description="a cover page with the title block, then the brief")
    toc: bool = Field(False, description="a table of contents of the section headings")
    logo: Logo | None = Field(None, description="an image shown in the title block")
    extra_css: str | None = Field(
        None,
        min_length=1,
        max_length=400,
        description="a .css file (relative to config.yaml) applied after the theme's "
        "stylesheet, for small PDF tweaks; the DOCX does not read CSS",
    )
    images: Images = Field(Images(), description="a web page's pictures: lead, figures, max_height")

    def margins_pt(self) -> tuple[float, float, float, float]:
        """The margins both renderers draw, in points (top, right, bottom, left):
        the configured ones, with the side margins widened equally when the
        text block would set lines of more than about 85 characters (a
        landscape page in one column)."""
        margins = self.page.margins
        top, right, bottom, left = (
            points(value) for value in (margins.top, margins.right, margins.bottom, margins.left)
        )
        gap = COLUMN_GAP_MM * _POINTS_PER["mm"] * (self.columns - 1)
        widest = MAX_LINE_EMS * points(self.fonts.body.size) * self.columns + gap
        extra = self.page.dimensions_pt()[0] - left - right - widest
        if extra > 0:
            left, right = left + extra / 2, right + extra / 2
        return top, right, bottom, left


def _known_labels(value: dict[str, str]) -> dict[str, str]:
    """Only the labels the Brief has (pipeline.labels.Labels is their one declaration)."""
    from pipeline.labels import Labels

    known = list(Labels.model_fields)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            raise ValueError(
                f"unknown label '{key}'; "
                + (f"did you mean '{close[0]}'?" if close else "labels are " + ", ".join(known))
            )
    return value


def _label_schema(schema: dict[str, Any]) -> None:
    from pipeline.labels import Labels

    schema["properties"] = {name: {"type": "string"} for name in Labels.model_fields}
    schema["additionalProperties"] = False


# Per-language overrides of the words the brief shows, any subset of the Brief's
# labels (pipeline/understand/languages/*.yaml hold the defaults).
LabelOverrides = Annotated[
    dict[str, Annotated[str, Field(max_length=200)]],
    AfterValidator(_known_labels),
    Field(json_schema_extra=_label_schema),
]


class KeyPoints(_Section):
    enabled: bool = Field(True, description="pick key sentences for the key points box")
    count: int = Field(4, ge=1, le=10, description="how many sentences (3 to 5 suit a brief)")


class Entities(_Section):
    enabled: bool = Field(
        True, description="find people, places, organisations and keywords (block 'entities')"
    )
    method: Literal["builtin", "spacy"] = Field(
        "builtin", description="builtin (light, no model) or spacy (the [ner] extra)"
    )


# PDF variants WeasyPrint 70 produces, plus the one combination it does not
# name but whose parts it writes (PDF/A-3b with tags and the PDF/UA-1 claim).
PdfVariant = Literal["none", "pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/a-3b+ua-1"]


class Pdf(_Section):
    """How the PDF is produced: which standard it claims (see docs/accessibility.md)."""

    variant: PdfVariant = Field(
        default="pdf/ua-1",
        description="none (tagged, no standard claimed), pdf/a-3b, pdf/a-3a, pdf/ua-1 "
        "or pdf/a-3b+ua-1",
    )
    attach_json: bool = Field(
        default=True, description="with PDF/A-3, embed the Brief JSON as an associated file"
    )


class Limits(_Section):
    """Caps on the work one article may cause (hostile or broken input fails alone)."""

    max_input_bytes: int = Field(
        20_000_000, ge=1, le=200_000_000, description="largest article file, in bytes"
    )
    max_blocks: int = Field(
        5_000, ge=1, le=100_000, description="most headings, paragraphs and list items"
    )
    max_paragraph_chars: int = Field(
        50_000, ge=100, le=5_000_000, description="longest single paragraph, in characters"
    )
    max_table_cells: int = Field(
        5_000, ge=1, le=1_000_000, description="most cells in one table (Markdown/HTML input)"
    )
    render_timeout: float = Field(
        120.0, gt=0, le=3600, description="seconds one render may take before it is stopped"
    )
    render_memory_mb: int = Field(
        2_048, ge=0, le=65_536, description="address-space cap of a render worker (0: none)"
    )


MAIL_PLACEHOLDERS = ("title", "date", "organisation")


def _check_address(value: str) -> str:
    """One mailbox ("Name <user@host>" or "user@host"); nothing that could end a header."""
    from email.utils import getaddresses

    if any(char in value for char in "\r\n\0"):
        raise ValueError("an address cannot contain a line break")
    parsed = getaddresses([value])
    if len(parsed) != 1 or "@" not in parsed[0][1] or " " in parsed[0][1]:
        raise ValueError(f"{value!r} is not one e-mail address such as name@example.org")
    return value


MailAddress = Annotated[str, AfterValidator(_check_address), Field(max_length=320)]


class Smtp(_Section):
    """Where `email --send` delivers. The password is never read from this file."""

    host: str = Field(
        default="localhost",
        pattern=r"^[A-Za-z0-9.:\[\]-]{1,253}$",
        description="SMTP server (PIPELINE_SMTP_HOST overrides)",
    )
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="default 587 (starttls), 465 (ssl), 25 (none); PIPELINE_SMTP_PORT overrides",
    )
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = Field(
        default=None,
        max_length=320,
        description="login; the password comes from PIPELINE_SMTP_PASSWORD",
    )
    ca_file: str | None = Field(
        default=None,
        description="PEM file of extra certificate authorities (relative to the config file)",
    )
    timeout: float = Field(default=30.0, gt=0, le=600, description="seconds per network operation")
    retries: int = Field(
        default=3, ge=0, le=10, description="new attempts after a temporary failure"
    )
    backoff: float = Field(
        default=2.0, ge=0, le=300, description="seconds before the first retry, doubled each time"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "password is not read from the config file; "
                "set the PIPELINE_SMTP_PASSWORD environment variable instead"
            )
        return data


class Email(_Section):
    """The message `python -m pipeline email` writes (and sends with --send)."""

    sender: MailAddress | None = Field(default=None, description="From address (--from overrides)")
    reply_to: MailAddress | None = Field(default=None, description="Reply-To address")
    to: tuple[MailAddress, ...] = Field(default=(), description="recipients (--to overrides)")
    cc: tuple[MailAddress, ...] = Field(default=(), description="copy recipients (--cc overrides)")
    subject: str = Field(
        default="Brief : {title}",
        max_length=300,
        description="subject template; placeholders {title} {date} {organisation}",
    )
    attach: tuple[Literal["pdf", "docx"], ...] = Field(
        default=("pdf", "docx"), description="formats attached to the message"
    )
    max_bytes: int = Field(
        default=10_000_000, ge=1, description="size budget of all attachments together, in bytes"
    )
    on_oversize: Literal["error", "pdf_only"] = Field(
        default="error", description="over the budget: fail, or attach only the PDF"
    )
    smtp: Smtp = Smtp()

    @model_validator(mode="after")
    def _known_placeholders(self) -> Email:
        for name in re.findall(r"\{([^{}]*)\}", self.subject):
            if name not in MAIL_PLACEHOLDERS:
                raise ValueError(
                    f"subject: unknown placeholder {{{name}}}; use one of "
                    + ", ".join("{" + p + "}" for p in MAIL_PLACEHOLDERS)
                )
        return self


class Config(_Section):
    sources: tuple[str, ...] = Field((), description="articles built when no SOURCE is given")
    output_dir: str = Field("dist", description="where artifacts are written")
    formats: tuple[Format, ...] = Field(("pdf", "docx"), min_length=1)
    language: str = Field(
        "auto",
        pattern=r"^(auto|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$",
        description="'auto' (declared, else detected) or a language tag: de, pt-BR",
    )
    theme: str = Field(
        "note",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$",
        description="a theme folder name: under theme_dirs, or shipped (note, dossier)",
    )
    theme_dirs: tuple[str, ...] = Field(
        ("themes",),
        description="folders (relative to config.yaml) searched for user themes first",
    )
    reference_docx: str | None = Field(
        None,
        description="a .docx whose styles are the DOCX base (layout values the config sets apply)",
    )
    organisation: str = Field("", max_length=200, description="shown in the title block")
    layout: Layout = Layout()
    key_points: KeyPoints = KeyPoints()
    entities: Entities = Entities()
    undated: Literal["build", "file"] = Field(
        "build",
        description="date of an article that gives none: the build date or the file's mtime",
    )
    languages_dir: str | None = Field(
        None, description="a folder of extra language files (<code>.yaml), relative to this file"
    )
    pdf: Pdf = Pdf()
    labels: dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], LabelOverrides] = Field(
        default_factory=dict, description="label overrides per language code"
    )
    limits: Limits = Limits()
    email: Email = Field(default=Email(), description="the message of `python -m pipeline email`")
    fetch: Fetch = Field(default=Fetch(), description="downloading URL and feed sources")
    digest: Digest = Field(default=Digest(), description="the document of the digest command")

    # Where the file was read from: relative paths resolve against it.
    base_dir: Path = Field(Path("."), exclude=True)


_SECTION_KEYS: dict[tuple[str, ...], type[BaseModel]] = {}


def _model_at(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


_PLAIN: dict[str, str] = {
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "string_type": "expected text",
    "dict_type": "expected a mapping of keys to values (key: value)",
    "model_type": "expected a mapping of keys to values (key: value)",
    "model_attributes_type": "expected a mapping of keys to values (key: value)",
    "missing": "is required",
    "string_pattern_mismatch": "has a value that is not allowed",
    "extra_forbidden": "unknown key",
}


def _list_example(loc: tuple[Any, ...]) -> str:
    """ "[pdf, docx]" for a list of choices, "[a, b]" otherwise."""
    parent = _model_at(loc[:-1])
    field = parent.model_fields.get(str(loc[-1])) if parent is not None and loc else None
    if field is not None:
        for item in getattr(field.annotation, "__args__", ()):
            choices = getattr(item, "__args__", ())
            if getattr(item, "__origin__", None) is Literal or (
                choices and all(isinstance(c, str) for c in choices)
            ):
                return "[" + ", ".join(map(str, choices[:2])) + "]"
    return "[a, b]"


def describe_error(error: Any) -> str:
    """A pydantic error in plain words."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("tuple_type", "list_type"):
        return f"expected a list such as {_list_example(tuple(error['loc']))}"
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {ctx.get(key, '')}"
    if kind in ("string_too_long", "too_long"):
        return f"is too long (at most {ctx.get('max_length', '?')})"
    if kind in ("string_too_short", "too_short"):
        return f"is too short (at least {ctx.get('min_length', '?')})"
    return str(error["msg"]).lower().removeprefix("input should be ").join(("expected ", ""))


def _read_config_bytes(path: Path, filename: str) -> bytes:
    """A regular file's bytes, capped: `-c /dev/zero` or a FIFO must not hang or fill memory."""
    try:
        return read_capped(path, MAX_YAML_BYTES)
    except NotRegularFile:
        raise ConfigError("the config file is not a regular file", file=filename) from None
    except FileTooLarge:
        raise ConfigError(
            f"the file is larger than {MAX_YAML_BYTES // 1000} kB; a layout file is much smaller",
            file=filename,
        ) from None


@dataclass(frozen=True)
class Origin:
    """Where each key of the raw config came from: a line of the file, or a
    `--set KEY=VALUE` of the command line (`settings`), for error messages."""

    filename: str = "<config>"
    line_of: Callable[[tuple[Any, ...]], int | None] | None = None
    settings: frozenset[tuple[str, ...]] = frozenset()

    def error(self, loc: tuple[Any, ...], message: str, hint: str | None = None) -> ConfigError:
        dotted = ".".join(str(part) for part in loc)
        text = f"{dotted}: {message}" if dotted else message
        for end in range(len(loc), 0, -1):
            if tuple(str(part) for part in loc[:end]) in self.settings:
                return ConfigError(text, file="--set", hint=hint)
        line = self.line_of(loc) if self.line_of is not None else None
        return ConfigError(text, file=self.filename, line=line, hint=hint)


def read_config_file(path: Path) -> tuple[dict[str, Any], Origin]:
    """A config file's raw mapping and where each key sits in it."""
    filename = str(path)
    try:
        raw = _read_config_bytes(path, filename)
    except FileNotFoundError:
        raise ConfigError(
            "config file not found", file=filename, hint="pass -c FILE or create config.yaml"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror}", file=filename) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("the config file is not UTF-8 text", file=filename) from None
    doc = load_yaml(text, filename)
    if not isinstance(doc.data, dict):
        raise ConfigError("the config file must be a mapping of keys to values", file=filename)
    return doc.data, Origin(filename, doc.line_of)


def load_config(path: Path) -> Config:
    """Read, parse and validate a config file; raise ConfigErrors with every problem."""
    data, origin = read_config_file(path)
    return parse_config(data, origin=origin, base_dir=path.resolve().parent)


def parse_config(
    data: dict[str, Any],
    filename: str = "<config>",
    line_of: Any = None,
    *,
    base_dir: Path = Path("."),
    origin: Origin | None = None,
) -> Config:
    """Validate raw config data; every problem is collected, sorted by line."""
    origin = origin or Origin(filename, line_of)
    bad_text = _control_characters(data, origin)
    try:
        config = Config.model_validate({**data, "base_dir": base_dir})
        if bad_text:
            raise ConfigErrors(bad_text)
    except ValidationError as exc:
        errors = list(bad_text)
        for error in exc.errors():
            loc = tuple(error["loc"])
            hint = None
            if error["type"] == "extra_forbidden":
                parent = _model_at(loc[:-1])
                if parent is not None:
                    allowed = [name for name in parent.model_fields if name != "base_dir"]
                    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
                    hint = (
                        f"did you mean '{close[0]}'?"
                        if close
                        else "allowed keys: " + ", ".join(allowed)
                    )
            elif error.get("input") is None and error["type"] in (
                "string_type",
                "string_pattern_mismatch",
            ):
                hint = "empty value; colours like #fff must be quoted, '#' starts a YAML comment"
            elif error["type"] == "string_pattern_mismatch" and "Color" in str(error):
                hint = 'use a hex colour such as "#1f4e79"'
            if hint is None:
                hint = _hint_for(loc)
            errors.append(origin.error(loc, describe_error(error), hint))
        raise ConfigErrors(_by_line(errors)) from None
    return _resolve_files(config, origin)


def _by_line(errors: list[ConfigError]) -> list[ConfigError]:
    """File errors in line order, then those of the command line's --set."""
    return sorted(errors, key=lambda e: (e.file == "--set", e.line is None, e.line or 0))


def _project_file(
    value: str,
    key: tuple[str | int, ...],
    suffixes: tuple[str, ...],
    config: Config,
    origin: Origin,
    errors: list[ConfigError],
) -> Path | None:
    """`value` resolved against the config's folder; it must be a file inside it."""
    root = config.base_dir.resolve()
    path = (root / value).resolve()
    if path.suffix.lower() not in suffixes:
        kinds = "/".join(s[1:].upper() for s in suffixes)
        errors.append(origin.error(key, f"'{value}' is not a {kinds} file"))
    elif not path.is_relative_to(root):
        errors.append(
            origin.error(key, f"'{value}' is outside the project folder", f"copy it under {root}")
        )
    elif not path.is_file():
        errors.append(
            origin.error(key, f"file '{value}' not found", f"paths are relative to {root}")
        )
    else:
        return path
    return None


def _resolve_files(config: Config, origin: Origin) -> Config:
    """Check that the files the layout names exist; store them as absolute paths."""
    errors: list[ConfigError] = []
    update: dict[str, Any] = {}
    themes = [
        name for name, _ in find_themes(tuple(config.base_dir / d for d in config.theme_dirs))
    ]
    if config.theme not in themes:
        errors.append(
            origin.error(
                ("theme",),
                f"unknown theme '{config.theme}'",
                "available: " + ", ".join(themes) + "; see 'python -m pipeline themes'",
            )
        )
    logo = config.layout.logo
    if logo is not None:
        path = _project_file(
            logo.path, ("layout", "logo", "path"), LOGO_SUFFIXES, config, origin, errors
        )
        if path is not None:
            layout = config.layout.model_copy(
                update={"logo": logo.model_copy(update={"path": str(path)})}
            )
            update["layout"] = layout
    if config.layout.fonts.files:
        files = []
        for index, font in enumerate(config.layout.fonts.files):
            key = ("layout", "fonts", "files", index, "path")
            path = _project_file(font.path, key, FONT_SUFFIXES, config, origin, errors)
            files.append(font.model_copy(update={"path": str(path) if path else font.path}))
        fonts = config.layout.fonts.model_copy(update={"files": tuple(files)})
        base = update.get("layout", config.layout)
        update["layout"] = base.model_copy(update={"fonts": fonts})
    if config.layout.extra_css is not None:
        css_key: tuple[str | int, ...] = ("layout", "extra_css")
        path = _project_file(config.layout.extra_css, css_key, (".css",), config, origin, errors)
        if path is not None:
            base = update.get("layout", config.layout)
            update["layout"] = base.model_copy(update={"extra_css": str(path)})
    if config.reference_docx is not None:
        path = _project_file(
            config.reference_docx, ("reference_docx",), (".docx",), config, origin, errors
        )
        if path is not None:
            update["reference_docx"] = str(path)
    if errors:
        raise ConfigErrors(_by_line(errors))
    return config.model_copy(update=update) if update else config


# Characters no renderer can carry (python-docx raises on them) or that
# reorder what the reader sees: config text is user text, checked here once.
_UNSAFE_TEXT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def _control_characters(
    data: Any, origin: Origin, path: tuple[str | int, ...] = ()
) -> list[ConfigError]:
    """A ConfigError for every string value holding a control or bidi-override character."""
    found: list[ConfigError] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_control_characters(value, origin, (*path, str(key))))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_control_characters(value, origin, (*path, index)))
    elif isinstance(data, str):
        match = _UNSAFE_TEXT.search(data)
        if match is not None:
            found.append(
                origin.error(
                    path,
                    f"contains the control character U+{ord(match[0]):04X}",
                    "remove it; write plain text",
                )
            )
    return found


def _hint_for(loc: tuple[Any, ...]) -> str | None:
    leaf = str(loc[-1]) if loc else ""
    if leaf in Margins.model_fields or leaf in ("size", "width", "height") and "fonts" in loc:
        return "use a length such as 20mm, 2cm, 1in or 12pt"
    if "colors" in loc:
        return 'use a quoted hex colour such as "#1f4e79"'
    if leaf == "family":
        return "use a font family name of letters, digits, spaces and hyphens"
    return None


def schema() -> dict[str, Any]:
    """JSON Schema of config.yaml, for editors."""
    result = Config.model_json_schema()
    result.get("properties", {}).pop("base_dir", None)
    result["title"] = "pipeline config.yaml"
    return result
