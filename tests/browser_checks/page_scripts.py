"""The JavaScript the browser pass (live.py) runs in each page: state readers, clicks, axe-core.

Plain strings for Playwright's `page.evaluate` / `add_init_script`; the %-templates share `reveal()`.
"""

# Runs in every document before the page's own scripts.
INIT_SCRIPT = """
(() => {
  // Material renders each Mermaid diagram into a closed shadow root; open it so checks can read the SVG.
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (options) { return attach.call(this, { ...options, mode: "open" }); };
  // Material remembers the last tab label and colour scheme in localStorage; give every page its own,
  // so pages checked at the same time do not switch each other's tabs.
  try {
    Object.defineProperty(window, "localStorage", { get: () => window.sessionStorage, configurable: true });
  } catch (e) {}
  window.__guideErrors = [];
  window.addEventListener("error", e => window.__guideErrors.push(String(e.message || e)));
  window.addEventListener("unhandledrejection",
    e => window.__guideErrors.push(String(e.reason && e.reason.message || e.reason)));
})();
"""

DIAGRAMS_SETTLED = """
(expected) => {
  const rendered = [...document.querySelectorAll("div.mermaid, div.guide-diagram")]
    .filter(h => h.shadowRoot && h.shadowRoot.querySelector("svg"));
  // (Mermaid's temporary "d__mermaid_N" render container exists while a diagram renders; with the
  // ESM build's chunks loading, that is a while: it means "busy", not "failed")
  return rendered.length >= expected || window.__guideErrors.length > 0;
}
"""

DIAGRAM_STATE = """
async () => {
  %(reveal)s
  const hosts = [...document.querySelectorAll("div.mermaid, div.guide-diagram")];
  const scales = [], widths = [];
  for (const h of hosts) {  // measured where the reader sees it: a diagram in a closed tab is revealed first
    const svg = h.shadowRoot && h.shadowRoot.querySelector("svg");
    if (!svg) continue;
    if (!h.getClientRects().length) { reveal(h); await frame(); }
    const natural = svg.viewBox.baseVal && svg.viewBox.baseVal.width;
    scales.push([svg.getAttribute("aria-roledescription") || "",
                 natural ? Math.round(100 * svg.getBoundingClientRect().width / natural) / 100 : 1]);
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
""" % {"reveal": REVEAL_FN, "state": TAB_STATE.strip()}  # noqa: UP031 - JS braces would need doubling in .format

# Every code block from block `start` on: its language, title and text, and what its copy button puts on the
# clipboard (clicked after revealing the block: a block in a hidden tab would copy its hidden lines too; scrolled
# to the middle of the screen, as Material sets a block up when it comes into view: content.lazy). Chromium lets
# a script copy only within 5 s of a user's click (transient user activation), and Playwright's `evaluate`
# counts as one: a single evaluate over all blocks left the clipboard empty once 5 s had gone (the last blocks
# of a long page, sooner with waits for lazily set-up buttons). So it stops while the activation is still
# fresh and returns where it stopped (`next`); live.py calls it again from there, with a new activation.
COPY_BLOCKS = """
async ([start, limit]) => {
  %(reveal)s
  const began = performance.now();
  const fresh = () => performance.now() - began < 3000 && navigator.userActivation.isActive;
  const all = [...document.querySelectorAll("div.highlight")].filter(d => d.querySelector("pre > code"));
  const blocks = [];
  let i = start;
  for (; i < Math.min(all.length, start + limit) && (i === start || fresh()); i++) {  // >= 1 block per call
    const d = all[i], code = d.querySelector("pre > code");
    const lang = ([...(d.closest("[class*='language-']") || d).classList]
      .find(c => c.startsWith("language-")) || "").slice(9);
    const find = () => d.querySelector("button[data-md-type=copy], button.md-clipboard");
    reveal(d);
    if (!find()) {
      d.scrollIntoView({ block: "center" });
      await frame();
      for (let t = 0; t < 40 && !find(); t++) await new Promise(r => setTimeout(r, 50));
    }
    const button = find();
    let copied = null;
    if (button) {
      copied = "";
      // A click can be lost while the machine is busy (the clipboard stays empty): try a block up to 3 times.
      for (let attempt = 0; attempt < 3 && !copied && code.textContent.trim(); attempt++) {
        if (!fresh()) break;
        await navigator.clipboard.writeText("");
        button.click();
        await new Promise(r => setTimeout(r, attempt * 200));
        copied = await navigator.clipboard.readText();
      }
      if (!copied && code.textContent.trim() && !fresh() && blocks.length) break;  // again, with a new activation
    }
    const title = d.querySelector(".filename")?.textContent.trim() || "";
    blocks.push({ index: i, lang, title, displayed: code.textContent, copied });
  }
  return { blocks, next: i, total: all.length };
}
""" % {"reveal": REVEAL_FN}  # noqa: UP031 - as above

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

# docs/hooks/sections.py + docs/overrides/main.html: after load, the sections left for later are laid out one per
# idle frame; the page is whole when <body> has data-guide-whole (or it had no such sections).
WHOLE = """
() => document.body.hasAttribute("data-guide-whole") || !document.querySelector(".guide-section")
"""

# Material shows .md-dialog ("Copied to clipboard") for 2 s after a copy, then fades it out (settle waits for that).
NO_DIALOG = """
() => !document.querySelector(".md-dialog--active")
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

# The rules whose every violation is minor or moderate (axe gives each node its rule's impact): none can fail a page.
LOW_IMPACT_RULES = """
() => axe._audit.rules.filter(r => r.impact && !["serious", "critical"].includes(r.impact)).map(r => r.id)
"""
