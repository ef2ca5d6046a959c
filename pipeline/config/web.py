"""The `fetch:` section of config.yaml, declared once.

Kept apart from model.py (which includes it) so the web reading stage
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
    max_items: int = Field(20, ge=1, le=1000, description="most items read from one feed")
    cache_dir: str | None = Field(
        None,
        description="folder of the download cache, relative to config.yaml "
        "(default: $XDG_CACHE_HOME/pipeline-briefs, else ~/.cache/pipeline-briefs)",
    )
