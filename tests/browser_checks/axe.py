"""The axe-core pass of the browser checks (live.py): every rule in the light scheme, with every tab and <details>
opened, then the colour rules again after switching to the dark scheme with the header's palette toggle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from . import page_scripts as js

AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

# Violations from Material itself that the site cannot fix: (rule id, CSS selector). Narrow; every entry says why.
AXE_EXCEPTIONS: set[tuple[str, str]] = set()


async def check_axe(page, report, settle: Callable[..., Awaitable[None]]) -> None:
    """axe-core's serious and critical violations on `page`, in the light scheme and (colour rules) the dark one."""
    try:  # axe reads colours and positions: of a page laid out whole, as a reader who scrolled sees it
        await page.wait_for_function(js.WHOLE, timeout=30_000)
    except PlaywrightTimeout:
        report.axe.append("the page's sections were not all laid out 30 s after load (docs/overrides/main.html)")
        return
    try:  # the copy checks' "Copied to clipboard" toast, caught fading out, is a half-transparent contrast failure
        await page.wait_for_function(js.NO_DIALOG, timeout=10_000)
    except PlaywrightTimeout:
        report.axe.append("Material's copy dialog (.md-dialog--active) still shown 10 s after the copy checks")
        return
    await page.evaluate(js.EXPAND_ALL)
    # From the top: axe's target-size counts a target the sticky header happens to cover as obscured, so a
    # scroll position left by the copy checks would make the verdict depend on where the last block was.
    await page.evaluate("() => window.scrollTo(0, 0)")
    await page.add_script_tag(path=str(AXE_JS))
    options = {"resultTypes": ["violations"], "reporter": "no-passes",  # no-passes: about half the time
               "rules": {"target-size": {"enabled": True}}}  # WCAG 2.2 AA touch targets, as Lighthouse checks
    # Only serious/critical violations fail a page: rules that cannot find one are not run (`region`: every node)
    options["rules"].update({rule: {"enabled": False} for rule in await page.evaluate(js.LOW_IMPACT_RULES)})
    await axe_run(page, report, settle, "light", options)
    # Dark scheme, switched the way a reader does (the header's palette toggle): the colour rules again.
    toggle = page.locator("form[data-guide-palette] label:visible")
    if await toggle.count() != 1:
        report.axe.append(f"[dark] {await toggle.count()} visible palette toggles in the header, not 1")
        return
    await toggle.click()
    scheme = await page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
    if scheme != "slate":
        report.axe.append(f"[dark] the palette toggle left the page in scheme {scheme!r}, not 'slate'")
        return
    await axe_run(page, report, settle, "dark", {**options, "runOnly": ["color-contrast", "link-in-text-block"]})

async def axe_run(page, report, settle, scheme: str, options: dict) -> None:
    await settle(page)
    for v in await page.evaluate(js.AXE_RUN, options):
        for node in v["nodes"]:
            impact = node["impact"] or v["impact"]
            if impact not in ("serious", "critical"):
                continue
            line = f"[{scheme}] {v['id']} ({impact}) at {node['target']}: {v['help']}"
            if (v["id"], node["target"]) in AXE_EXCEPTIONS:
                report.axe_excepted.append(line)
            else:
                report.axe.append(f"{line}\n      {node['summary'] or ''}".rstrip())
