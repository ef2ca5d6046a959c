"""Feeds as sources: an RSS or Atom URL or file expands to its items, newest
first, bounded by --since and fetch.max_items; each item is built, skipped
and listed like any URL, and one failing item does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_fetch import PARAGRAPHS, briefs, build
from web_support import Response, WebServer, html, html_page

from pipeline.read import fetch

ITEMS = [  # (path, title, RFC 822 date), in no particular order
    ("/2025/11/20/budget", "Budget agreed", "Thu, 20 Nov 2025 09:00:00 GMT"),
    ("/2025/11/24/vote", "Vote next week", "Mon, 24 Nov 2025 09:00:00 GMT"),
    ("/2025/11/22/plan", "Plan unveiled", "Sat, 22 Nov 2025 09:00:00 GMT"),
]


def rss(server: WebServer, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link><pubDate>{date}</pubDate></item>"
        for path, title, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>{server.url('/')}</link><description>d</description>{entries}</channel></rss>"
    ).encode()


@pytest.fixture
def news(server: WebServer) -> WebServer:
    for path, title, _ in ITEMS:
        server.routes[path] = html(html_page(title, PARAGRAPHS))
    server.routes["/feed.xml"] = Response(
        200, {"Content-Type": "application/rss+xml"}, rss(server, ITEMS)
    )
    return server


def sources_in_manifest(project: Path) -> list[str]:
    data = json.loads((project / "out" / "manifest.json").read_text("utf-8"))
    return [entry["source"] for entry in data["sources"]]


def test_feed_of_three_items_newest_first(news: WebServer, project: Path) -> None:
    code, out, err = build(project, news.url("/feed.xml"), "-j", "1")
    assert code == 0, err
    assert err.count(".json (") == 3  # one "wrote" line per item
    assert sorted(b.title for b in briefs(project)) == sorted(t for _, t, _ in ITEMS)
    assert sorted(sources_in_manifest(project)) == sorted(news.url(p) for p, _, _ in ITEMS)
    fetched = [p for p in news.paths() if p.startswith("/2025")]
    assert fetched == ["/2025/11/24/vote", "/2025/11/22/plan", "/2025/11/20/budget"]
    for brief in briefs(project):
        assert brief.source_url is not None and brief.source_url.startswith(news.url("/2025"))
    # Incremental: nothing changed, nothing rebuilt.
    code, out, err = build(project, news.url("/feed.xml"))
    assert code == 0, err
    assert ".json (" not in err  # the "wrote" lines go to stderr


def test_since_and_max_items(news: WebServer, project: Path) -> None:
    code, _, err = build(project, news.url("/feed.xml"), "--since", "2025-11-22")
    assert code == 0, err
    assert sorted(b.title for b in briefs(project)) == ["Plan unveiled", "Vote next week"]
    (project / "config.yaml").write_text(
        "fetch: {allow_private: true, cache_dir: cache, max_items: 1}\n"
    )
    code, _, err = build(project, news.url("/feed.xml"), out="one")
    assert code == 0, err
    assert [b.title for b in briefs(project, "one")] == ["Vote next week"]
    code, out, err = build(project, news.url("/feed.xml"), "--since", "2030-01-01")
    assert "the feed has no item dated 2030-01-01 or later" in err


def test_feed_file_on_disk(news: WebServer, project: Path) -> None:
    feed = project / "news.rss"
    feed.write_bytes(rss(news, ITEMS[:2]))
    code, _, err = build(project, str(feed))
    assert code == 0, err
    assert sorted(b.title for b in briefs(project)) == ["Budget agreed", "Vote next week"]


def test_one_failing_item_does_not_stop_the_others(
    news: WebServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 127.0.0.1 counts as public here, so allow_private can stay off and the
    # item pointing at the cloud metadata address is refused before any connection.
    original = fetch.refused_kind
    monkeypatch.setattr(
        fetch, "refused_kind", lambda a: None if str(a) == "127.0.0.1" else original(a)
    )
    (project / "config.yaml").write_text("fetch: {cache_dir: cache, timeout: 2}\n")
    items = [*ITEMS, ("/missing", "Gone", "Tue, 25 Nov 2025 09:00:00 GMT")]
    feed = rss(news, items).replace(
        news.url("/2025/11/22/plan").encode(), b"http://169.254.169.254/latest/meta-data/"
    )
    news.routes["/feed.xml"] = Response(200, {"Content-Type": "application/atom+xml"}, feed)
    code, _, err = build(project, news.url("/feed.xml"), "-j", "1")
    assert code == 1
    assert sorted(b.title for b in briefs(project)) == ["Budget agreed", "Vote next week"]
    assert "error: http://169.254.169.254/latest/meta-data/: refused to connect" in err
    assert f"error: {news.url('/missing')}: the server answered HTTP 404" in err
    assert sorted(sources_in_manifest(project)) == sorted(
        news.url(p) for p in ("/2025/11/20/budget", "/2025/11/24/vote")
    )


def test_atom_feed(news: WebServer, project: Path) -> None:
    entries = "".join(
        f'<entry><title>{t}</title><link href="{p}"/><id>{p}</id><updated>{d}</updated></entry>'
        for p, t, d in (
            ("/2025/11/20/budget", "Budget agreed", "2025-11-20T09:00:00Z"),
            ("/2025/11/24/vote", "Vote next week", "2025-11-24T09:00:00Z"),
        )
    )
    news.routes["/atom"] = Response(
        200,
        {"Content-Type": "application/atom+xml"},
        (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>'
            f"<id>urn:x</id><updated>2025-11-24T09:00:00Z</updated>{entries}</feed>"
        ).encode(),
    )
    code, _, err = build(project, news.url("/atom"))
    assert code == 0, err
    # Relative links resolve against the feed's address.
    assert sorted(b.source_url or "" for b in briefs(project)) == [
        news.url("/2025/11/20/budget"),
        news.url("/2025/11/24/vote"),
    ]
