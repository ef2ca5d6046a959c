"""URL -> `Fetched` bytes, through one guarded HTTP client (urllib3).

Every page, feed and image the reading stage downloads goes through
`Fetcher.get`, which enforces, for every hop of a redirect chain:

- http and https only, at most MAX_REDIRECTS redirects;
- the host name resolved here, every address checked (private, loopback,
  link-local, multicast, reserved and unspecified addresses are refused
  unless `fetch.allow_private`), and the connection made to the checked
  address itself, with the name sent as Host and TLS server name, so a DNS
  answer that changes between check and connect cannot bypass the check;
- robots.txt (unless `fetch.robots: false`);
- connect and read timeouts (`fetch.timeout`) and a size cap counted while
  streaming the decoded body, so a huge or endless response is cut early;
- an allowed content type, named in the error when it is not.

Responses are cached (fetch_cache.py) and revalidated with a conditional
request. The renderer never downloads anything: it gets bytes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from pipeline import __version__
from pipeline.config.web import MAX_REDIRECTS, Fetch
from pipeline.errors import SourceError
from pipeline.read import fetch_cache
from pipeline.read.fetch_cache import Fetched

if TYPE_CHECKING:
    from urllib.robotparser import RobotFileParser

USER_AGENT_TOKEN = "pipeline-briefs"
USER_AGENT = f"{USER_AGENT_TOKEN}/{__version__} (+printable briefs from articles)"

PAGE_TYPES: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

ROBOTS_MAX_BYTES = 500_000
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
ALLOW_HINT = "set fetch.allow_private: true in the config to allow it"


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


# --- addresses ---------------------------------------------------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this to control DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refused_kind(address: IPAddress) -> str | None:
    """Why an address is off limits without allow_private, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refused_kind(address.ipv4_mapped)
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    return None


# --- robots.txt --------------------------------------------------------------


def _robots(data: bytes | None) -> RobotFileParser:
    from urllib.robotparser import RobotFileParser

    parser = RobotFileParser()
    if data is None:
        parser.parse(["User-agent: *", "Disallow: /"])
    else:
        parser.parse(data.decode("utf-8", errors="replace").splitlines())
    return parser


# --- the client --------------------------------------------------------------


@dataclass
class Fetcher:
    """Downloads under `settings`; one instance per build (it remembers robots.txt
    files and what it fetched, so a URL is downloaded once per build)."""

    settings: Fetch = field(default_factory=Fetch)
    cache_dir: Path | None = None  # None: no cache
    today: dt.date = field(default_factory=dt.date.today)
    refresh: bool = False  # ignore the cache's validators: download again
    trust_cache: bool = False  # a cached copy is used as is (a build's workers)
    # time.monotonic() after which no download goes on (`until`), and why
    deadline: float | None = None
    deadline_reason: str = ""
    _seen: dict[str, Fetched | SourceError] = field(default_factory=dict, repr=False)
    _robots: dict[str, RobotFileParser] = field(default_factory=dict, repr=False)

    def for_workers(self) -> Fetcher:
        """A copy for the build's workers: it reads what this one just fetched
        from the cache without asking the server again, and knows its failures."""
        failures: dict[str, Fetched | SourceError] = {
            url: seen for url, seen in self._seen.items() if isinstance(seen, SourceError)
        }
        return replace(self, trust_cache=True, refresh=False, _seen=failures, _robots={})

    def until(self, deadline: float, reason: str) -> Fetcher:
        """This fetcher (what it fetched is shared) with every download
        stopped at `deadline` (time.monotonic()): connect and read waits are
        shortened to the time left, and a download still running then fails
        with `OutOfTime` (`reason` its message)."""
        return replace(self, deadline=deadline, deadline_reason=reason)

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _wait(self, url: str) -> float:
        """How long one network wait may take: fetch.timeout, or the time left."""
        if self.deadline is None:
            return self.settings.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime(self.deadline_reason, file=url)
        return min(self.settings.timeout, left)

    def _network_error(self, exc: Exception, url: str) -> SourceError:
        if self.out_of_time():  # a wait shortened to the deadline ran out
            return OutOfTime(self.deadline_reason, file=url)
        return SourceError(_network_message(exc), file=url)

    def get(self, url: str, accept: Collection[str], max_bytes: int) -> Fetched:
        """The resource at `url`, its content type among `accept`; SourceError otherwise."""
        known = self._seen.get(url)
        if known is None:
            try:
                known = self._get(url, max_bytes)
            except SourceError as error:
                known = error
            if not isinstance(known, OutOfTime):  # another time, it may be read
                self._seen[url] = known
        if isinstance(known, SourceError):
            raise known
        if known.media_type not in accept:
            wanted = ", ".join(sorted(accept))
            raise SourceError(
                f"the server sent {known.media_type or 'no content type'}, not {wanted}",
                file=url,
                hint="give the address of an article page or a feed",
            )
        return known

    def _get(self, url: str, max_bytes: int) -> Fetched:
        cached = fetch_cache.load(self.cache_dir, url) if self.cache_dir else None
        if self.trust_cache and cached is not None:
            return cached
        validators = None if self.refresh or cached is None else cached
        fetched = self._download(url, max_bytes, validators)
        if fetched is None:  # 304 Not Modified
            assert cached is not None
            return cached
        if self.cache_dir is not None:
            fetch_cache.store(self.cache_dir, fetched)
        return fetched

    def _download(self, url: str, max_bytes: int, cached: Fetched | None) -> Fetched | None:
        import urllib3

        current = url
        visited: list[str] = []
        while True:
            parts = _checked_url(current, url)
            if self.settings.robots and not self._robots_allow(parts, current):
                raise SourceError(
                    f"the site's robots.txt does not allow fetching {current}",
                    file=url,
                    hint="respect it, or set fetch.robots: false in the config",
                )
            headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
            if cached is not None and len(visited) == 0:
                if cached.etag:
                    headers["If-None-Match"] = cached.etag
                if cached.last_modified:
                    headers["If-Modified-Since"] = cached.last_modified
            try:
                response = self._open(parts, headers)
            except urllib3.exceptions.HTTPError as exc:
                raise self._network_error(exc, url) from None
            try:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise SourceError(f"HTTP {response.status} without a Location", file=url)
                    visited.append(current)
                    current = urljoin(current, location.strip())
                    if current in visited:
                        raise SourceError(f"redirect loop at {current}", file=url)
                    if len(visited) > MAX_REDIRECTS:
                        raise SourceError(
                            f"more than {MAX_REDIRECTS} redirects (last to {current})", file=url
                        )
                    continue
                if response.status == 304 and cached is not None:
                    return None
                if response.status != 200:
                    status = f"{response.status} {response.reason or ''}".strip()
                    raise SourceError(
                        f"the server answered HTTP {status}",
                        file=url,
                        hint="check the address" if response.status == 404 else None,
                    )
                data = self._read(response, max_bytes, url)
                media_type, charset = parse_content_type(response.headers.get("Content-Type"))
                return Fetched(
                    url=url,
                    final_url=current,
                    media_type=media_type,
                    charset=charset,
                    data=data,
                    retrieved=self.today,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
            finally:
                response.release_conn()

    def _open(self, parts: Any, headers: dict[str, str]) -> Any:
        """One request to a checked address of the URL's host (no redirect followed)."""
        import urllib3

        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self._checked_address(host, port, parts.geturl())
        wait = self._wait(parts.geturl())
        timeout = urllib3.Timeout(connect=wait, read=wait)
        pool: Any
        if parts.scheme == "https":
            import ssl

            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                ssl_context=ssl.create_default_context(),
                server_hostname=host,
                assert_hostname=host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        default = 443 if parts.scheme == "https" else 80
        host_header = host if ":" not in host else f"[{host}]"
        if parts.port and parts.port != default:
            host_header += f":{parts.port}"
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return pool.urlopen(
            "GET",
            target,
            headers={"Host": host_header, "User-Agent": USER_AGENT, **headers},
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )

    def _checked_address(self, host: str, port: int, url: str) -> str:
        """The address to connect to: every address the name resolves to is checked."""
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = resolve_host(host, port)
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
            except (OSError, UnicodeError) as exc:
                raise SourceError(
                    f"cannot resolve the host name {host} ({exc})",
                    file=url,
                    hint="check the address and the network",
                ) from None
        if not addresses:
            raise SourceError(f"the host name {host} has no address", file=url)
        if not self.settings.allow_private:
            for address in addresses:
                kind = refused_kind(address)
                if kind is not None:
                    raise SourceError(
                        f"refused to connect to {address} ({kind} address of {host})",
                        file=url,
                        hint=ALLOW_HINT,
                    )
        return str(addresses[0])

    def _read(self, response: Any, max_bytes: int, url: str) -> bytes:
        """The body, streamed: stops as soon as it passes max_bytes, or stalls too long."""
        import urllib3

        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(url, max_bytes)
        # Each read waits at most `timeout` (or the time left before the
        # fetcher's deadline when the request was made); a server dripping
        # bytes is cut off after ten times that in all, or at the deadline.
        # read1 answers with what has come, so the limits are checked while
        # a small picture drips in, not once it is whole.
        deadline = time.monotonic() + 10 * self.settings.timeout
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                self._wait(url)  # OutOfTime once the fetcher's deadline has passed
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(url, max_bytes)
                if time.monotonic() > deadline:
                    raise SourceError(
                        f"the download took longer than {10 * self.settings.timeout:g} s", file=url
                    )
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise self._network_error(exc, url) from None
        return b"".join(chunks)

    def _robots_allow(self, parts: Any, url: str) -> bool:
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(origin)
        if parser is None:
            try:
                data = self._robots_file(origin)
            except SourceError as error:  # named after the page the user asked for
                error.file = url
                raise
            parser = self._robots[origin] = _robots(data)
        return parser.can_fetch(USER_AGENT_TOKEN, url)

    def _robots_file(self, origin: str) -> bytes | None:
        """robots.txt's bytes; b"" (allow all) when there is none (4xx), None
        (disallow all) when the server fails (5xx), as RFC 9309 says."""
        import urllib3

        robots_url = origin + "/robots.txt"
        checker = replace(self, settings=self.settings.model_copy(update={"robots": False}))
        checker._seen, checker._robots = {}, {}
        parts = _checked_url(robots_url, robots_url)
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = checker._open(parts, {"Accept": "text/plain"})
            except urllib3.exceptions.HTTPError as exc:
                raise SourceError(_network_message(exc), file=robots_url) from None
            try:
                if response.status in _REDIRECTS and response.headers.get("Location"):
                    target = urljoin(parts.geturl(), response.headers["Location"])
                    parts = _checked_url(target, robots_url)
                    continue
                if 400 <= response.status < 500:
                    return b""
                if response.status != 200:
                    return None
                return checker._read(response, ROBOTS_MAX_BYTES, robots_url)
            finally:
                response.release_conn()
        return b""


class OutOfTime(SourceError):
    """A download stopped at its fetcher's deadline (`Fetcher.until`): the
    time given to it ran out, which says nothing of the server, so it is not
    remembered as the address's answer."""


def _checked_url(url: str, asked: str) -> Any:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise SourceError(
            f"only http and https addresses are fetched, not {parts.scheme or 'this'}: {url}",
            file=asked,
        )
    if not parts.hostname:
        raise SourceError(f"no host name in {url}", file=asked)
    return parts


def _too_large(url: str, max_bytes: int) -> SourceError:
    return SourceError(
        f"the response is larger than {max_bytes:,} bytes",
        file=url,
        hint="raise limits.max_input_bytes in the config if this is intended",
    )


_NO_ANSWER = ("timed out connecting", "timed out waiting", "cannot connect")


def no_answer(message: str) -> bool:
    """Whether a download failed because the server did not answer (asking it
    for something else would cost the same wait)."""
    return message.startswith(_NO_ANSWER)


def _network_message(exc: Exception) -> str:
    import urllib3

    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "timed out connecting to the server"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return "timed out waiting for the server"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "cannot connect to the server"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "the connection broke off"
    return f"download failed: {type(exc).__name__}"


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """'text/html; charset=ISO-8859-1' -> ('text/html', 'iso-8859-1')."""
    from email.message import Message

    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    charset = message.get_content_charset()
    return message.get_content_type(), charset


def page_text(fetched: Fetched) -> str | None:
    """The page decoded with the header's charset, else the page's <meta> one;
    None when neither is given or valid (the caller then guesses)."""
    for name in (fetched.charset, _meta_charset(fetched.data)):
        if not name:
            continue
        try:
            return fetched.data.decode(name, errors="replace")
        except LookupError:
            continue
    return None


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return match[1].decode("ascii").lower() if match else None


def fetcher_for(settings: Fetch, base_dir: Path, today: dt.date, refresh: bool = False) -> Fetcher:
    """The build's fetcher: its cache folder from the config, else the user's cache."""
    folder = (
        base_dir / settings.cache_dir if settings.cache_dir else fetch_cache.default_cache_dir()
    )
    return Fetcher(settings=settings, cache_dir=folder, today=today, refresh=refresh)
