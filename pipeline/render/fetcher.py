"""The one URL fetcher every WeasyPrint object uses.

It serves only files that resolve inside the theme's folders (after symlinks
are followed) and `data:` URLs; everything else (http, https, ftp, files
elsewhere) is refused and recorded, so refusals reach the build report.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=5)
        self.roots = tuple(root.resolve() for root in roots)
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
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "outside the theme and asset folders")
        if not path.is_file():
            raise self._refuse(url, "not a regular file")
        return URLFetcherResponse(url, body=path.read_bytes())
