"""The `fetch:` and `digest:` sections of config.yaml, declared once.

Kept apart from model.py (which includes them) so the web reading stage
imports its settings without the layout's declarations.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The most redirects the fetcher follows for one URL (not a setting: 5 is plenty).
MAX_REDIRECTS = 5


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fetch(_Section):
    """How URL and feed sources are downloaded (see docs/inputs.md, docs/security.md)."""

    timeout: float = Field(
        20.0, gt=0, le=600, description="seconds to connect, and seconds of silence while reading"
    )
    robots: bool = Field(True, description="respect the site's robots.txt")
    allow_private: bool = Field(
        False,
        description="allow private, loopback, link-local and multicast addresses (a local server)",
    )
    images: bool = Field(
        False,
        description="for a page or Markdown file on disk, fetch its pictures on the web",
    )
    max_items: int = Field(20, ge=1, le=1000, description="most items read from one feed")
    cache_dir: str | None = Field(
        None,
        description="folder of the download cache, relative to config.yaml "
        "(default: $XDG_CACHE_HOME/pipeline-briefs, else ~/.cache/pipeline-briefs)",
    )


class Digest(_Section):
    """The document `python -m pipeline digest` builds from many articles."""

    title: str = Field(
        "", max_length=200, description="the digest's title (default: the language's 'Digest')"
    )
    name: str = Field(
        "digest",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$",
        description="output file name, without extension",
    )
    sources: tuple[str, ...] = Field(
        (), description="articles, URLs and feeds of the digest when no SOURCE is given"
    )
