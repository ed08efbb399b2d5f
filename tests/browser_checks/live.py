"""The built site in a real browser (Playwright + headless Chromium): one pass over every page.

`check_site()` serves a build folder on 127.0.0.1, opens every page once at 1280 px (light scheme), narrows it to
390 px (a phone) and back, and returns a `SiteReport` with what each check found per page:

- requests: every request the page made; any off the origin (fonts, CDNs, analytics) is a failure, and so is a
  same-origin request that failed or answered >= 400;
- console: console errors and uncaught exceptions;
- Mermaid: every diagram is an SVG (pre-rendered by docs/hooks/diagrams.py into an open declarative shadow root; or
  rendered by Material into a *closed* shadow root, which an init script opens), none shows "Syntax error", no
  Mermaid error SVG was added to the page; and the Mermaid script was requested if and only if the page has a
  diagram left to the browser (none on the real site);
- tabs: clicking each tab label shows its block (and only it); tab sets that share a label switch together;
- copy: the copy button of every code block clicked, and the clipboard read back;
- axe-core: serious/critical violations, with every tab and <details> opened: every rule in the light scheme,
  the colour rules (color-contrast, link-in-text-block) again in the dark one;
- mobile: the page does not scroll sideways at 390 px;
- screenshots (full page, JPEG) of both widths, and site search for given terms.

Pages are checked `jobs` at a time (GUIDE_BROWSER_JOBS, default 2) in one browser context (the HTTP cache is shared).
Only the fixture pages load Mermaid. Reading the clipboard and taking a full-page screenshot need the page in front,
so those steps take turns. The 390 px view is the same page narrowed (Material's layout depends only on the width),
which saves a second load per page. The JavaScript run in the pages is in page_scripts.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from services.browser import async_chromium, serve_dir
from sitebuild import SITE_PATH

from . import page_scripts as js
from .axe import check_axe
from .site import Page, console_copy_text, site_pages, snippet_copy_texts

MERMAID_SCRIPT = "javascripts/vendor/mermaid/esm/mermaid.esm.min.mjs"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
RENDER_TIMEOUT_MS = 30_000
MIN_DIAGRAM_SCALE = 0.7  # Mermaid's 16 px text shown at >= 11 px
MIN_SCALE = {"sequence": 0.64}  # a sequence diagram shrinks to fit the 1280 px column: text >= 10 px

# PageReport problem lists; "errors" is a check that could not finish (a click that timed out, ...)
CHECKS = ("offsite", "failed", "console", "mermaid", "tabs", "copy", "axe", "mobile", "errors")


@dataclass
class CopyResult:
    lang: str
    title: str
    displayed: str
    copied: str | None  # None: the block has no copy button


@dataclass
class PageReport:
    url: str
    diagrams: int
    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    mermaid: list[str] = field(default_factory=list)  # problems
    mermaid_script: bool = False
    diagram_sizes: list[list[int]] = field(default_factory=list)
    tab_sets: int = 0
    tab_clicks: int = 0
    linked_checks: int = 0  # (clicked set, other set with the same label) pairs verified
    tabs: list[str] = field(default_factory=list)  # problems
    copies: list[CopyResult] = field(default_factory=list)
    copy: list[str] = field(default_factory=list)  # problems
    axe: list[str] = field(default_factory=list)  # serious/critical violations
    axe_excepted: list[str] = field(default_factory=list)
    mobile: list[str] = field(default_factory=list)  # problems at 390 px
    screenshots: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step (load, screenshot, axe, ...)


@dataclass
class SiteReport:
    pages: dict[str, PageReport]
    search: dict[str, list[str]] = field(default_factory=dict)  # term -> page URLs listed
    seconds: float = 0.0

    def problems(self, attr: str) -> dict[str, list[str]]:
        return {url: getattr(p, attr) for url, p in self.pages.items() if getattr(p, attr)}


def _rel(base: str, url: str) -> str:
    return url[len(base) :] if url.startswith(base) else url


def _lines(text: str) -> str:
    return "\n".join(f"      | {line}" for line in text.splitlines()) or "      | (empty)"


class _Run:
    def __init__(self, site: Path, base: str, project: Path, screenshots: Path | None, axe: bool):
        self.site, self.base, self.project = site, base, project
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        self.screenshots, self.axe = screenshots, axe
        self.foreground = asyncio.Lock()  # the clipboard and screenshots need the focused page

    # -- per-page event recording -----------------------------------------------------------------

    def watch(self, page, report: PageReport) -> None:
        def on_request(request) -> None:
            url = request.url
            if url.startswith(("data:", "blob:", "about:")):
                return
            report.requests.append(_rel(self.base, url))
            if not url.startswith(self.origin + "/"):
                report.offsite.append(url)

        def on_response(response) -> None:
            if response.status >= 400 and response.url.startswith(self.origin + "/"):
                report.failed.append(f"{response.status} {_rel(self.base, response.url)}")

        def on_failed(request) -> None:
            if request.url.startswith(self.origin + "/"):
                report.failed.append(f"{request.failure} {_rel(self.base, request.url)}")

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        page.on("console", lambda m: m.type == "error" and report.console.append(f"console.error: {m.text}"))
        page.on("pageerror", lambda e: report.console.append(f"uncaught: {e}"))

    async def load(self, page, target: Page, report: PageReport) -> dict:
        await page.goto(self.base + target.url, wait_until="load")
        if target.diagrams:
            with contextlib.suppress(Exception):  # reported below as unrendered diagrams
                await page.wait_for_function(js.DIAGRAMS_SETTLED, arg=target.diagrams, timeout=RENDER_TIMEOUT_MS)
        return await page.evaluate(js.DIAGRAM_STATE % {"reveal": js.REVEAL_FN})

    # -- one page: everything, with a single load ------------------------------------------------

    async def check_page(self, context, target: Page, report: PageReport, mobile: bool) -> None:
        page = await context.new_page()
        self.watch(page, report)
        clock = time.monotonic()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            report.phases[name] = round(report.phases.get(name, 0) + now - clock, 2)
            clock = now

        try:
            state = await self.load(page, target, report)
            self.check_diagrams(target, report, state)
            lap("load")
            if self.screenshots:
                await self.screenshot(page, "desktop", target, report)
                lap("screenshot")
            if mobile:
                await self.check_mobile(page, target, report)
                lap("mobile")
            await self.check_tabs(page, report)
            lap("tabs")
            await self.check_copy(page, report)
            lap("copy")
            if self.axe:
                await check_axe(page, report, self.settle)
                lap("axe")
        finally:
            await page.close()

    def check_diagrams(self, target: Page, report: PageReport, state: dict) -> None:
        report.mermaid_script = any(urlsplit(u).path.endswith("/" + MERMAID_SCRIPT) for u in state["scripts"])
        report.diagram_sizes = state["sizes"]
        if state["rendered"] < target.diagrams or state["unrendered"]:
            report.mermaid.append(
                f"{target.diagrams - state['rendered']} of {target.diagrams} diagram(s) not rendered to an SVG"
            )
        if state["syntaxErrors"]:
            report.mermaid.append(f"{state['syntaxErrors']} Mermaid error diagram(s) ('Syntax error in text')")
        small = [scale for kind, scale in state["scales"] if scale < MIN_SCALE.get(kind, MIN_DIAGRAM_SCALE)]
        if small:
            report.mermaid.append(
                f"diagram(s) shrunk to {small} of their natural size at {DESKTOP['width']} px: text under "
                f"{round(16 * MIN_DIAGRAM_SCALE)} px (docs/overrides/main.html keeps them at >= 0.75)"
            )
        # a flowchart can always be laid out to fit (top-down, shorter labels); a sequence diagram may shrink
        # to fit (docs/hooks/render_diagrams.py); on a phone wide diagrams scroll sideways
        wide = [f"{kind} {width} px" for kind, width, column in state["widths"] if width > column + 1]
        if wide:
            report.mermaid.append(
                f"diagram(s) wider than the {DESKTOP['width']} px page's column ({wide}), the reader must scroll "
                "sideways to see all of them: lay a flowchart out top-down (flowchart TD) or break the labels"
            )
        if report.mermaid_script != bool(target.in_browser):
            report.mermaid.append(
                f"Mermaid script {'requested' if report.mermaid_script else 'not requested'} on a page with "
                f"{target.in_browser} of {target.diagrams} diagram(s) left to the browser (the rest pre-rendered)"
            )

    async def settle(self, page) -> None:
        with contextlib.suppress(Exception):  # still moving after 5 s: check it as it is
            await page.wait_for_function(js.SETTLED, timeout=5_000)

    async def screenshot(self, page, kind: str, target: Page, report: PageReport) -> None:
        # Photographed whole: a section not yet laid out (content-visibility, docs/hooks/sections.py) comes out
        # blank below the first screen. A page that never gets whole is reported by the axe pass.
        with contextlib.suppress(Exception):
            await page.wait_for_function(js.WHOLE, timeout=30_000)
        await self.settle(page)
        path = self.screenshots / kind / f"{target.name}.jpg"  # JPEG: a 16,000 px page encodes in half PNG's time
        path.parent.mkdir(parents=True, exist_ok=True)
        async with self.foreground:  # a page sent to the background while captured comes out garbled
            await page.bring_to_front()
            await page.screenshot(path=str(path), full_page=True, quality=80, timeout=120_000)  # long page, busy host
        report.screenshots.append(path)

    async def check_tabs(self, page, report: PageReport) -> None:
        report.tab_sets = len(await page.evaluate(js.TAB_STATE))
        for click in await page.evaluate(js.CLICK_TABS):
            s, i, label, after = click["set"], click["index"], click["label"], click["after"]
            report.tab_clicks += 1
            if after[s]["shown"] != [i]:
                report.tabs.append(f"tab set {s + 1}: clicking {label!r} shows block(s) {after[s]['shown']}, not [{i}]")
            for o, other in enumerate(after):
                if o == s or label not in other["labels"]:
                    continue
                report.linked_checks += 1
                want = other["labels"].index(label)
                if other["shown"] != [want]:
                    report.tabs.append(
                        f"linked tabs: clicking {label!r} in set {s + 1} left set {o + 1} on "
                        f"{[other['labels'][k] for k in other['shown']]}"
                    )

    async def check_copy(self, page, report: PageReport) -> None:
        blocks, start, total = [], 0, 1
        async with self.foreground:  # the clipboard belongs to the focused page
            await page.bring_to_front()
            while start < total:  # a run of blocks per evaluate, each within its 5 s of user activation
                run = await page.evaluate(js.COPY_BLOCKS, [start, total])
                blocks += run["blocks"]
                start, total = run["next"], run["total"]
            for n, block in enumerate(blocks):  # an empty clipboard (a click lost on a busy machine): again, alone
                for _ in range(3):
                    if block["copied"] != "" or not block["displayed"].strip():
                        break
                    await page.bring_to_front()
                    block = blocks[n] = (await page.evaluate(js.COPY_BLOCKS, [block["index"], 1]))["blocks"][0]
        for block in blocks:
            result = CopyResult(block["lang"], block["title"], block["displayed"], block["copied"])
            report.copies.append(result)
            if problem := self.copy_problem(result):
                report.copy.append(problem)

    def copy_problem(self, block: CopyResult) -> str | None:
        where = f"{block.lang} block {block.title or block.displayed.strip().splitlines()[0][:60]!r}"
        if block.copied is None:
            return f"{where}: no copy button"
        copied = block.copied.rstrip()
        if block.lang in ("python", "py", "python3"):
            if block.title.startswith("snippets/") and (self.project / block.title).is_file():
                wanted = snippet_copy_texts(self.project / block.title)
            else:
                wanted = [t for p in sorted((self.project / "snippets").rglob("*.py")) for t in snippet_copy_texts(p)]
            if copied in wanted:
                return None
            best = min(wanted, key=lambda w: abs(len(w) - len(copied)), default="")
            return (f"{where}: copied text is not the snippet's code (without output lines)\n"
                    f"    copied:\n{_lines(copied)}\n    expected:\n{_lines(best)}")
        if block.lang in ("console", "shell-session", "pycon"):
            wanted = console_copy_text(block.displayed)
        else:
            wanted = block.displayed.rstrip()
        if copied != wanted:
            return f"{where}: copied text differs\n    copied:\n{_lines(copied)}\n    expected:\n{_lines(wanted)}"
        return None

    async def check_mobile(self, page, target: Page, report: PageReport) -> None:
        """The same page narrowed to a phone's width (Material's layout is CSS media queries on width)."""
        await page.set_viewport_size(MOBILE)
        try:
            await self.settle(page)
            content, window = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if content > window:
                report.mobile.append(f"page scrolls sideways at {window} px: content is {content} px wide")
            if self.screenshots:
                await self.screenshot(page, "mobile", target, report)
        finally:
            await page.set_viewport_size(DESKTOP)

    # -- search -----------------------------------------------------------------------------------

    async def search(self, context, term: str) -> list[str]:
        page = await context.new_page()
        try:
            await page.goto(self.base, wait_until="load")
            box = page.locator("input.md-search__input")
            await box.click()
            await box.press_sequentially(term)  # Material searches on key presses
            links = page.locator(".md-search-result__list a.md-search-result__link, .md-search-result__list a")
            try:
                await links.first.wait_for(timeout=15_000)
            except Exception:  # noqa: BLE001 - no result: an empty list
                return []
            hrefs = await links.evaluate_all("els => els.map(a => a.href)")
            return sorted({_rel(self.base, h.split("#")[0].split("?")[0]) for h in hrefs})
        finally:
            await page.close()


async def _check_site(site: Path, project: Path, pages: list[Page], screenshots: Path | None,
                      search_terms: list[str], jobs: int, axe: bool, mobile: bool) -> SiteReport:  # fmt: skip
    started = time.monotonic()
    report = SiteReport({p.url: PageReport(p.url, p.diagrams) for p in pages})
    with serve_dir(site, path=SITE_PATH) as base:  # where GitHub Pages serves it: 404.html needs that
        async with async_chromium() as browser:
            run = _Run(site, base, project, screenshots, axe)
            context = await browser.new_context(viewport=DESKTOP, color_scheme="light")
            await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=run.origin)
            await context.add_init_script(js.INIT_SCRIPT)
            context.set_default_timeout(15_000)
            limit = asyncio.Semaphore(jobs)

            async def one(page: Page) -> None:
                async with limit:
                    t = time.monotonic()
                    try:
                        await run.check_page(context, page, report.pages[page.url], mobile)
                    except Exception as exc:  # noqa: BLE001 - one page's failure must not hide the others
                        report.pages[page.url].errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
                    report.pages[page.url].seconds = round(time.monotonic() - t, 2)

            await asyncio.gather(*(one(p) for p in pages))
            for term in search_terms:
                report.search[term] = await run.search(context, term)
            await context.close()
    report.seconds = round(time.monotonic() - started, 1)
    return report


def check_site(site: Path, project: Path, *, pages: list[Page] | None = None, screenshots: Path | None = None,
               search_terms: list[str] = (), jobs: int | None = None, axe: bool = True,
               mobile: bool = True) -> SiteReport:  # fmt: skip
    """Run every browser check over the build in `site` (made from the project in `project`)."""
    pages = site_pages(site) if pages is None else pages
    jobs = jobs or int(os.environ.get("GUIDE_BROWSER_JOBS", "2"))
    return asyncio.run(_check_site(site, project, pages, screenshots, list(search_terms), jobs, axe, mobile))


def summary(report: SiteReport) -> str:
    """One line per page: what was checked and how long it took (printed by the tests with -s/-rA)."""
    rows = [f"{url or '/':<28} {p.seconds:5.1f} s  requests={len(p.requests):<3} diagrams={p.diagrams} "
            f"tabs={p.tab_sets}/{p.tab_clicks} clicks linked={p.linked_checks} copies={len(p.copies)}"
            for url, p in report.pages.items()]  # fmt: skip
    phases: dict[str, float] = {}
    for p in report.pages.values():
        for name, seconds in p.phases.items():
            phases[name] = round(phases.get(name, 0) + seconds, 1)
    return ("\n".join(rows) + f"\n{len(report.pages)} pages in {report.seconds} s; page-seconds by step: {phases}\n"
            + json.dumps(report.search))
