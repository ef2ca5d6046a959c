"""A fetched URL <-> its cached copy on disk (body, validators, retrieval date).

One entry per URL: `<sha256 of the URL>.json` (what the server said) and
`<same>.body` (the bytes). The fetcher sends the stored ETag and
Last-Modified back as a conditional request and reuses the body on a 304.
Entries are written to a temporary file and renamed, so a killed build
never leaves half an entry. The folder is `fetch.cache_dir`, else
$XDG_CACHE_HOME/pipeline-briefs, else ~/.cache/pipeline-briefs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

CACHE_FOLDER_NAME = "pipeline-briefs"


@dataclass(frozen=True)
class Fetched:
    """One downloaded resource: where it ended up, what it is, its bytes."""

    url: str  # as asked for
    final_url: str  # after redirects: relative links resolve against it
    media_type: str  # "text/html", without parameters
    charset: str | None  # from the Content-Type header, if it gave one
    data: bytes
    retrieved: dt.date
    etag: str | None = None
    last_modified: str | None = None
    from_cache: bool = False  # the server answered 304, or no request was made


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / CACHE_FOLDER_NAME


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def load(folder: Path, url: str) -> Fetched | None:
    """The cached copy of `url`, or None (never cached, or unreadable)."""
    stem = folder / _key(url)
    try:
        meta = json.loads((stem.with_suffix(".json")).read_text("utf-8"))
        data = stem.with_suffix(".body").read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            return None  # a torn or edited entry: download again
        return Fetched(
            url=url,
            final_url=str(meta["final_url"]),
            media_type=str(meta["media_type"]),
            charset=meta.get("charset"),
            data=data,
            retrieved=dt.date.fromisoformat(meta["retrieved"]),
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
            from_cache=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def store(folder: Path, fetched: Fetched) -> None:
    """Keep `fetched` for the next build; a cache that cannot be written is skipped."""
    meta = asdict(fetched)
    del meta["data"], meta["from_cache"], meta["url"]
    meta["retrieved"] = fetched.retrieved.isoformat()
    meta["url"] = fetched.url
    meta["sha256"] = hashlib.sha256(fetched.data).hexdigest()
    stem = folder / _key(fetched.url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Body first: an entry whose JSON exists always has its body.
        _write_atomic(stem.with_suffix(".body"), fetched.data)
        _write_atomic(stem.with_suffix(".json"), json.dumps(meta, sort_keys=True).encode())
    except OSError:
        pass  # a read-only home or a full disk costs a download next time, nothing more
