"""Follow every link under a prefix, as a signed-out visitor (or a harvester) would.

``crawl(client, start_urls, prefix)`` fetches each start URL with the Django test client,
then every URL under ``prefix`` it finds: the hrefs of an HTML page, and in a JSON answer
the "next" links, every "url"-like value and every absolute address (an API's links to its records). Breadth first, each URL once; returns
{url: response} in the order they were fetched. Used by the public register's tests
(/public/) and the open data's (/api/v1/).
"""

from __future__ import annotations

import json
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

BASE = "http://testserver"
MAX_PAGES = 2000


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)


def _json_links(value, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [link for k, v in value.items() for link in _json_links(v, k)]
    if isinstance(value, list):
        return [link for item in value for link in _json_links(item, key)]
    if isinstance(value, str) and (
        key in ("next", "previous", "url") or key.endswith("_url") or value.startswith(("http://", "https://"))
    ):
        return [value]
    return []


def links(response, url: str) -> list[str]:
    """The URLs a response points to, absolute (on the test server), without fragments."""
    content_type = response.get("Content-Type", "")
    if "html" in content_type:
        parser = _Links()
        parser.feed(response.content.decode(response.charset or "utf-8"))
        found = parser.hrefs
    elif "json" in content_type:
        try:
            found = _json_links(json.loads(response.content))
        except ValueError:
            found = []
    else:
        found = []
    return [urldefrag(urljoin(BASE + url, href))[0] for href in found]


def _local(absolute: str) -> str:
    parts = urlsplit(absolute)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start_urls, prefix: str) -> dict:
    """Every page under ``prefix`` reachable from ``start_urls``: {url: response}."""
    queue = deque(start_urls)
    seen = set(start_urls)
    fetched = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        fetched[url] = response
        assert len(fetched) <= MAX_PAGES, f"more than {MAX_PAGES} pages under {prefix}: a loop of links?"
        for absolute in links(response, url):
            if not absolute.startswith(BASE + "/"):
                continue
            local = _local(absolute)
            if local.startswith(prefix) and local not in seen:
                seen.add(local)
                queue.append(local)
    return fetched
