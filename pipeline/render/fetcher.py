"""The one URL fetcher every WeasyPrint object uses, and the one factory that builds them.

Every `HTML()` and `CSS()` object is made by `make_html` / `make_css` below,
so none can fall back on WeasyPrint's default fetcher (which reads any local
file and the network). The fetcher serves only:

- the theme's files, listed once when the fetcher is made: regular files
  that resolve inside the theme's folders (after symlinks) and are not too large,
- assets validated up front (`pipeline.render.assets`), served from the bytes that
  were checked, so a file swapped after validation is never read,
- `data:` URLs (they carry their bytes with them; nothing is fetched).

Everything else (http, https, ftp, files elsewhere, redirects) is refused and
recorded, so refusals reach the build report as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A theme file is a stylesheet, a font or a small image; anything larger is refused.
MAX_THEME_FILE_BYTES = 10_000_000


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, roots: tuple[Path, ...], assets: Mapping[Path, bytes] | None = None) -> None:
        # No redirect handler, file and data only: even a bug in `fetch` below
        # that reached the parent class could not go to the network.
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=5)
        self.roots = tuple(root.resolve() for root in roots)
        self.assets = {path.resolve(): data for path, data in (assets or {}).items()}
        self.allowed = _theme_files(self.roots)
        self.refused: list[str] = []

    def _refuse(self, url: str, reason: str) -> ValueError:
        self.refused.append(f"refused resource {url[:120]}: {reason}")
        return ValueError(f"refused by the sandbox: {url[:120]}")

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url, "only files of the theme may be read")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URLs on another host are not allowed")
        path = Path(unquote(parts.path)).resolve()
        if path in self.assets:
            return URLFetcherResponse(url, body=self.assets[path])
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "outside the theme and asset folders")
        if path not in self.allowed:
            raise self._refuse(url, "not a regular theme file (or too large)")
        return URLFetcherResponse(url, body=path.read_bytes())


def _theme_files(roots: tuple[Path, ...]) -> frozenset[Path]:
    """Every file the theme may serve, checked up front: regular, inside its root, capped."""
    allowed = set()
    for root in roots:
        for path in root.rglob("*"):
            resolved = path.resolve()
            if (
                resolved.is_relative_to(root)
                and resolved.is_file()
                and resolved.stat().st_size <= MAX_THEME_FILE_BYTES
            ):
                allowed.add(resolved)
    return frozenset(allowed)


def make_html(string: str, fetcher: SandboxFetcher, base_url: str) -> Any:
    """The only way this project builds a WeasyPrint `HTML` object."""
    return HTML(string=string, base_url=base_url, url_fetcher=fetcher)


def make_css(string: str, fetcher: SandboxFetcher, base_url: str, font_config: Any) -> Any:
    """The only way this project builds a WeasyPrint `CSS` object."""
    return CSS(string=string, base_url=base_url, url_fetcher=fetcher, font_config=font_config)
