"""The built site in a real browser (Playwright + headless Chromium): one pass over every page.

`check_site()` serves a build folder on 127.0.0.1, opens every page once at 1280 px (light scheme),
narrows it to 390 px (a phone) and back, and returns a `SiteReport` with what each check found per page:

- requests: every request the page made; any off the origin (fonts, CDNs, analytics) is a failure,
  and so is a same-origin request that failed or answered >= 400;
- console: console errors and uncaught exceptions;
- Mermaid: every diagram became an SVG (Material renders it into a *closed* shadow root: an init
  script opens it), none shows "Syntax error", no Mermaid error SVG was added to the page; and the
  Mermaid script was requested if and only if the page has a diagram;
- tabs: clicking each tab label shows its block (and only it); tab sets that share a label switch
  together (Material's content.tabs.link);
- copy: the copy button of every code block clicked, and the clipboard read back;
- axe-core: serious/critical violations, with every tab and <details> opened, in light and dark scheme;
- mobile: the page does not scroll sideways at 390 px;
- screenshots (full page) of both widths, and site search for given terms.

Pages are checked `jobs` at a time (GUIDE_BROWSER_JOBS, default 2) in one browser context (the HTTP cache is shared, so Mermaid's
3.5 MB script is compiled once). Reading the clipboard and taking a full-page screenshot need the
page in front, so those steps take turns. The 390 px view is the same page narrowed (Material's
layout depends only on the width), which saves a second load per page.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from services.browser import async_chromium, serve_dir
from sitebuild import SITE_PATH

from .site import Page, console_copy_text, site_pages, snippet_copy_texts

TESTS = Path(__file__).resolve().parents[1]
AXE_JS = TESTS / "node_modules" / "axe-core" / "axe.min.js"
MERMAID_SCRIPT = "javascripts/mermaid/esm/mermaid.esm.min.mjs"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
RENDER_TIMEOUT_MS = 30_000
MIN_DIAGRAM_SCALE = 0.7  # Mermaid's 16 px text shown at >= 11 px

# Violations that come from Material itself and that we cannot fix from the site: (rule id, CSS
# selector of the node). Keep this list narrow; every entry says why.
AXE_EXCEPTIONS: set[tuple[str, str]] = set()

# Runs in every document before the page's own scripts.
INIT_SCRIPT = """
(() => {
  // Material renders each Mermaid diagram into a closed shadow root; open it so checks can read the SVG.
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (options) { return attach.call(this, { ...options, mode: "open" }); };
  // Material remembers the last tab label and colour scheme in localStorage; give every page its own,
  // so pages checked at the same time do not switch each other's tabs.
  try { Object.defineProperty(window, "localStorage", { get: () => window.sessionStorage, configurable: true }); } catch (e) {}
  window.__guideErrors = [];
  window.addEventListener("error", e => window.__guideErrors.push(String(e.message || e)));
  window.addEventListener("unhandledrejection", e => window.__guideErrors.push(String(e.reason && e.reason.message || e.reason)));
})();
"""

DIAGRAMS_SETTLED = """
(expected) => {
  const rendered = [...document.querySelectorAll("div.mermaid")].filter(h => h.shadowRoot && h.shadowRoot.querySelector("svg"));
  // (Mermaid's temporary "d__mermaid_N" render container exists while a diagram renders; with the
  // ESM build's chunks loading, that is a while: it means "busy", not "failed")
  return rendered.length >= expected || window.__guideErrors.length > 0;
}
"""

DIAGRAM_STATE = """
async () => {
  %(reveal)s
  const hosts = [...document.querySelectorAll("div.mermaid")];
  const scales = [], widths = [];
  for (const h of hosts) {  // measured where the reader sees it: a diagram in a closed tab is revealed first
    const svg = h.shadowRoot && h.shadowRoot.querySelector("svg");
    if (!svg) continue;
    if (!h.getClientRects().length) { reveal(h); await frame(); }
    const natural = svg.viewBox.baseVal && svg.viewBox.baseVal.width;
    scales.push(natural ? Math.round(100 * svg.getBoundingClientRect().width / natural) / 100 : 1);
    widths.push([svg.getAttribute("aria-roledescription") || "", h.scrollWidth, h.clientWidth]);
  }
  return {
    rendered: hosts.filter(h => h.shadowRoot && h.shadowRoot.querySelector("svg")).length,
    unrendered: document.querySelectorAll("pre.mermaid, pre:has(> code.mermaid)").length,
    syntaxErrors: new Set([
      ...hosts.filter(h => /syntax error/i.test((h.shadowRoot || h).textContent)),
      ...[...document.querySelectorAll('[id^="d__mermaid"], svg[aria-roledescription="error"]')]
        .map(e => e.closest('[id^="d__mermaid"]') || e),
    ]).size,
    sizes: hosts.map(h => { const r = h.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; }),
    scales,
    widths,
    scripts: performance.getEntriesByType("resource").map(e => e.name),
  };
}
"""

# Reveal an element: open every <details> around it and select every tab that contains it.
REVEAL_FN = """
function reveal(el) {
  const chain = [];
  for (let n = el; n; n = n.parentElement) chain.unshift(n);
  for (const n of chain) {
    if (n.tagName === "DETAILS") n.open = true;
    if (n.classList && n.classList.contains("tabbed-block")) {
      const set = n.closest(".tabbed-set");
      const index = [...n.parentElement.children].indexOf(n);
      const input = set.querySelectorAll(":scope > input")[index];
      if (input && !input.checked) input.click();
    }
  }
}
const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
"""

TAB_STATE = """
() => [...document.querySelectorAll(".tabbed-set")].map(set => ({
  labels: [...set.querySelectorAll(":scope > .tabbed-labels > label")].map(l => l.textContent.trim()),
  shown: [...set.querySelectorAll(":scope > .tabbed-content > .tabbed-block")]
    .map((b, i) => getComputedStyle(b).display !== "none" ? i : -1).filter(i => i >= 0),
}))
"""

# Click every tab label of every tab set, in page (one round trip per page), recording all sets after each click.
CLICK_TABS = """
async () => {
  %(reveal)s
  const state = %(state)s;
  const clicks = [];
  const sets = [...document.querySelectorAll(".tabbed-set")];
  for (const [s, set] of sets.entries()) {
    for (const [i, label] of [...set.querySelectorAll(":scope > .tabbed-labels > label")].entries()) {
      reveal(label);
      label.click();
      await frame();
      clicks.push({ set: s, index: i, label: label.textContent.trim(), after: state() });
    }
  }
  return clicks;
}
""" % {"reveal": REVEAL_FN, "state": TAB_STATE.strip()}

# Every code block: its language, title and text, and what its copy button puts on the clipboard
# (clicked after revealing the block: a block in a hidden tab would copy its hidden lines too).
COPY_BLOCKS = """
async () => {
  %(reveal)s
  const blocks = [];
  for (const d of document.querySelectorAll("div.highlight")) {
    const code = d.querySelector("pre > code");
    if (!code) continue;
    const lang = ([...(d.closest("[class*='language-']") || d).classList].find(c => c.startsWith("language-")) || "").slice(9);
    const button = d.querySelector("button[data-md-type=copy], button.md-clipboard");
    let copied = null;
    if (button) {
      reveal(d);
      await navigator.clipboard.writeText("");
      button.click();
      copied = await navigator.clipboard.readText();
    }
    blocks.push({ lang, title: d.querySelector(".filename")?.textContent.trim() || "", displayed: code.textContent, copied });
  }
  return blocks;
}
""" % {"reveal": REVEAL_FN}

EXPAND_ALL = """
() => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  const style = document.createElement("style");
  style.textContent = ".tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }";
  document.head.append(style);
}
"""

# Transitions (Material's "Copied to clipboard" toast fading in, the palette switch, a resize) make
# axe measure half-blended colours: wait until no finite animation runs.
SETTLED = """
() => document.getAnimations().every(a => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity)
"""

AXE_RUN = """
async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({ target: n.target.flat().join(" "), impact: n.impact, summary: n.failureSummary })),
  }));
}
"""


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
            try:
                await page.wait_for_function(DIAGRAMS_SETTLED, arg=target.diagrams, timeout=RENDER_TIMEOUT_MS)
            except Exception:  # noqa: BLE001 - reported below as unrendered diagrams
                pass
        return await page.evaluate(DIAGRAM_STATE % {"reveal": REVEAL_FN})

    # -- one page: everything, with a single load ------------------------------------------------

    async def check_page(self, context, target: Page, report: PageReport, mobile: bool) -> None:
        page = await context.new_page()
        self.watch(page, report)
        try:
            state = await self.load(page, target, report)
            self.check_diagrams(target, report, state)
            if self.screenshots:
                await self.screenshot(page, "desktop", target, report)
            if mobile:
                await self.check_mobile(page, target, report)
            await self.check_tabs(page, report)
            await self.check_copy(page, report)
            if self.axe:
                await self.check_axe(page, report)
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
        small = [scale for scale in state["scales"] if scale < MIN_DIAGRAM_SCALE]
        if small:
            report.mermaid.append(
                f"diagram(s) shrunk to {small} of their natural size at {DESKTOP['width']} px: text under "
                f"{round(16 * MIN_DIAGRAM_SCALE)} px (docs/overrides/main.html keeps them at >= 0.75)"
            )
        # a flowchart can always be laid out to fit (top-down, shorter labels); a sequence diagram with
        # many participants may scroll sideways
        wide = [f"{width} px" for kind, width, column in state["widths"]
                if kind.startswith("flowchart") and width > column + 1]  # fmt: skip
        if wide:
            report.mermaid.append(
                f"flowchart(s) wider than the {DESKTOP['width']} px page's column ({wide}), the reader must scroll "
                "sideways to see all of them: lay them out top-down (flowchart TD) or break the labels"
            )
        if report.mermaid_script != bool(target.diagrams):
            report.mermaid.append(
                f"Mermaid script {'requested' if report.mermaid_script else 'not requested'} "
                f"on a page with {target.diagrams} diagram(s)"
            )

    async def settle(self, page) -> None:
        try:
            await page.wait_for_function(SETTLED, timeout=5_000)
        except Exception:  # noqa: BLE001 - still moving after 5 s: check it as it is
            pass

    async def screenshot(self, page, kind: str, target: Page, report: PageReport) -> None:
        await self.settle(page)
        path = self.screenshots / kind / f"{target.name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        async with self.foreground:  # a page sent to the background while captured comes out garbled
            await page.bring_to_front()
            await page.screenshot(path=str(path), full_page=True)
        report.screenshots.append(path)

    async def check_tabs(self, page, report: PageReport) -> None:
        report.tab_sets = len(await page.evaluate(TAB_STATE))
        for click in await page.evaluate(CLICK_TABS):
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
        async with self.foreground:  # the clipboard belongs to the focused page
            await page.bring_to_front()
            blocks = await page.evaluate(COPY_BLOCKS)
        for block in blocks:
            result = CopyResult(block["lang"], block["title"], block["displayed"], block["copied"])
            report.copies.append(result)
            problem = self.copy_problem(result)
            if problem:
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

    async def check_axe(self, page, report: PageReport) -> None:
        await page.evaluate(EXPAND_ALL)
        # From the top: axe's target-size counts a target the sticky header happens to cover as obscured, so a
        # scroll position left by the copy checks would make the verdict depend on where the last block was.
        await page.evaluate("() => window.scrollTo(0, 0)")
        await page.add_script_tag(path=str(AXE_JS))
        options = {"resultTypes": ["violations"], "reporter": "no-passes",  # no-passes: about half the time
                   "rules": {"target-size": {"enabled": True}}}  # WCAG 2.2 AA touch targets, as Lighthouse checks
        await self.axe_run(page, report, "light", options)
        # Dark scheme, switched the way a reader does (the header's palette toggle): the colour rules again.
        toggle = page.locator("form[data-md-component=palette] label:visible")
        if await toggle.count():
            await toggle.first.click()
            scheme = await page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
            if scheme != "slate":
                report.axe.append(f"[dark] the palette toggle left the page in scheme {scheme!r}, not 'slate'")
                return
            await self.axe_run(page, report, "dark", {**options, "runOnly": ["color-contrast", "link-in-text-block"]})

    async def axe_run(self, page, report: PageReport, scheme: str, options: dict) -> None:
        await self.settle(page)
        for v in await page.evaluate(AXE_RUN, options):
            for node in v["nodes"]:
                impact = node["impact"] or v["impact"]
                if impact not in ("serious", "critical"):
                    continue
                line = f"[{scheme}] {v['id']} ({impact}) at {node['target']}: {v['help']}"
                if (v["id"], node["target"]) in AXE_EXCEPTIONS:
                    report.axe_excepted.append(line)
                else:
                    report.axe.append(f"{line}\n      {node['summary'] or ''}".rstrip())

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
            await context.add_init_script(INIT_SCRIPT)
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
    rows = []
    for url, p in report.pages.items():
        rows.append(
            f"{url or '/':<28} {p.seconds:5.1f} s  requests={len(p.requests):<3} diagrams={p.diagrams} "
            f"tabs={p.tab_sets}/{p.tab_clicks} clicks linked={p.linked_checks} copies={len(p.copies)}"
        )
    return "\n".join(rows) + f"\n{len(report.pages)} pages in {report.seconds} s\n" + json.dumps(report.search)
