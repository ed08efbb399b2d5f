"""What a build contains, read without a browser: its pages, their links, the code readers should copy."""

from __future__ import annotations

import html
import json
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitebuild import SITE_PATH

ORIGIN = "http://site.invalid/"  # a stand-in origin to resolve relative links against


@dataclass(frozen=True)
class Page:
    """One built page. `url` is relative to the site root, as served: "" (home), "redis/", "404.html"."""

    url: str
    path: Path
    diagrams: int  # Mermaid diagrams: pre-rendered SVGs (docs/hooks/diagrams.py) and blocks left to the browser
    in_browser: int = 0  # of those, blocks Mermaid renders in the browser (a source without its SVG; Zensical)

    @property
    def name(self) -> str:
        """A file-name-safe name: "index", "redis", "redis-streams", "404"."""
        stem = self.url.removesuffix("/").removesuffix(".html").replace("/", "-")
        return stem or "index"


def page_url(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return rel.removesuffix("index.html") if rel.endswith("index.html") else rel


def site_pages(site: Path, *, include_404: bool = True) -> list[Page]:
    """Every HTML page of the build (home first), with its diagram count."""
    paths = sorted(site.rglob("*.html"), key=lambda p: (p.relative_to(site).as_posix() != "index.html", p.as_posix()))
    pages = []
    for path in paths:
        if path.name == "404.html" and (not include_404 or path.parent != site):
            continue
        text = path.read_text()
        in_browser = text.count('class="mermaid"')
        pages.append(Page(page_url(site, path), path, in_browser + text.count('class="guide-diagram"'), in_browser))
    return pages


# -- links ----------------------------------------------------------------------------------------


class _LinkParser(HTMLParser):
    """Collects element ids (anchor targets) and every URL the page references."""

    ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        want = self.ATTRS.get(tag)
        if want and a.get(want) is not None:
            self.refs.append((tag, a[want]))


def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text())
    return parser


def _target_file(site: Path, url_path: str) -> Path | None:
    rel = unquote(url_path).lstrip("/")
    candidate = site / rel
    if rel == "" or rel.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


@dataclass
class CrawlResult:
    reached: set[str] = field(default_factory=set)  # page URLs reached from the home page
    broken: list[str] = field(default_factory=list)  # "page: link -> why"
    checked: int = 0  # internal references checked
    external: int = 0  # links to other sites (not followed: no network here)


def crawl(site: Path, served_at: str = SITE_PATH) -> CrawlResult:
    """Follow every internal link, stylesheet, script and image from the home page (and the 404 page).

    A reference is broken when its file is missing or its #fragment names no element of the target. The site
    is taken as served under `served_at`, as GitHub Pages serves it, so 404.html's absolute links resolve.
    """
    result = CrawlResult()
    parsed: dict[Path, _LinkParser] = {}
    todo = [site / "index.html", site / "404.html"]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        url = page_url(site, path)
        if path.name != "404.html":
            result.reached.add(url)
        if path not in parsed:
            parsed[path] = _parse(path)
        page = parsed[path]
        base = urljoin(ORIGIN, served_at.lstrip("/") + url)
        for tag, ref in page.refs:
            target = urljoin(base, ref)
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}/" != ORIGIN:
                result.external += 1
                continue
            result.checked += 1
            inside = parts.path.startswith(served_at)
            file = _target_file(site, parts.path.removeprefix(served_at)) if inside else None
            if file is None:
                result.broken.append(f"{url or '/'}: <{tag}> {ref} -> no such file")
                continue
            if file.suffix == ".html":
                todo.append(file)
                if parts.fragment:
                    if file not in parsed:
                        parsed[file] = _parse(file)
                    if unquote(parts.fragment) not in parsed[file].ids:
                        result.broken.append(f"{url or '/'}: <{tag}> {ref} -> no element with id {parts.fragment!r}")
    return result


# -- what copying a code block must give ----------------------------------------------------------

SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(start|end):([\w-]+)\]\s*$")
ANNOTATION = re.compile(r"\s*#\s*\(\d+\)!\s*$")  # Material strips `# (1)!` annotation markers when copying


def copy_text(lines: list[str]) -> str:
    """A snippet's code as readers should get it from the copy button: no `#>` output lines, no bare
    `'''` output blocks (pytest-examples' long output), no `# --8<--` section markers."""
    kept, in_output = [], False
    for line in lines:
        stripped = line.strip()
        if stripped == "'''":
            in_output = not in_output
            continue
        if in_output or stripped.startswith("#>") or SECTION_MARKER.match(line):
            continue
        kept.append(ANNOTATION.sub("", line))
    return "\n".join(kept).strip("\n").rstrip()


def snippet_copy_texts(snippet: Path) -> list[str]:
    """What copying may give for a page that includes `snippet`: the whole file, or one of its sections."""
    lines = snippet.read_text().splitlines()
    texts = [copy_text(lines)]
    starts: dict[str, int] = {}
    for i, line in enumerate(lines):
        m = SECTION_MARKER.match(line)
        if m and m.group(1) == "start":
            starts[m.group(2)] = i
        elif m and m.group(2) in starts:
            section = textwrap.dedent("\n".join(lines[starts.pop(m.group(2)) + 1 : i])).splitlines()
            texts.append(copy_text(section))
    return texts


PROMPT = re.compile(r"^(\$|>>>|\.\.\.)( |$)")


def console_copy_text(displayed: str) -> str:
    """Commands of a console block without their `$ ` prompts; output lines dropped; `\\` continuations
    and blank lines kept."""
    kept, continued = [], False
    for line in displayed.splitlines():
        m = PROMPT.match(line)
        if m:
            kept.append(line[m.end() :])
        elif continued or not line.strip():
            kept.append(line)
        else:
            continue
        continued = line.rstrip().endswith("\\")
    return "\n".join(kept).strip("\n").rstrip()


# -- search ---------------------------------------------------------------------------------------

TAG = re.compile(r"<[^>]+>")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def unique_search_terms(
    site: Path, count: int = 3, prefer: tuple[str, ...] = ("visibility_timeout",)
) -> dict[str, str]:
    """{term: page URL} for terms of the search index that occur on exactly one page.

    Code identifiers (`decode_responses`) are preferred; `prefer` terms first when they are unique.
    One term per page, pages in URL order, at most `count`.
    """
    index = json.loads((site / "search" / "search_index.json").read_text())
    separator = re.compile(index["config"].get("separator") or r"[\s\-]+")
    pages_of: dict[str, set[str]] = {}
    for doc in index["docs"]:
        page = doc["location"].split("#")[0]
        text = html.unescape(TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")).lower()
        for token in separator.split(text):
            token = token.strip(".,:;!?()[]{}'\"`")
            if token:
                pages_of.setdefault(token, set()).add(page)
    unique = {t: next(iter(p)) for t, p in pages_of.items() if len(p) == 1}
    chosen: dict[str, str] = {t: unique[t] for t in prefer if t in unique}
    for term in sorted(unique, key=lambda t: (unique[t], -len(t), t)):
        if len(chosen) >= count:
            break
        if IDENTIFIER.match(term) and len(term) >= 8 and unique[term] not in chosen.values():
            chosen[term] = unique[term]
    return chosen
