"""The header's palette toggle (docs/overrides/partials/palette.html), which replaces Material's palette component:
a first visit follows the system's colour scheme, a click switches and is remembered across pages and reloads in
Material's own `__palette` entry, and the browser's theme colour follows the header."""

from __future__ import annotations

import pytest
from services.browser import chromium, serve_dir

SCHEME = "() => document.body.getAttribute('data-md-color-scheme')"
META = "name => document.querySelector(`meta[name=${name}]`)?.content"
TOGGLE = "form[data-guide-palette] label:visible"


@pytest.fixture(scope="module")
def site_url(built_site):
    with serve_dir(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize(("system", "scheme", "toggle"), [("light", "default", "Switch to dark mode"),
                                                          ("dark", "slate", "Switch to light mode")])
def test_a_first_visit_follows_the_system_scheme(browser, site_url, system, scheme, toggle):
    page = browser.new_context(color_scheme=system).new_page()
    page.goto(site_url + "compare/")
    assert page.evaluate(SCHEME) == scheme
    assert page.locator(TOGGLE).get_attribute("title") == toggle
    page.wait_for_function(f"() => ({META})('color-scheme')")  # set after load, from the header's style
    assert page.evaluate(META, "color-scheme") == ("dark" if system == "dark" else "light")
    assert page.evaluate(META, "theme-color").startswith("#")
    page.context.close()


def test_a_click_switches_and_is_remembered(browser, site_url):
    page = browser.new_context(color_scheme="light").new_page()
    page.goto(site_url)
    light_page = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.locator(TOGGLE).click()
    assert page.evaluate(SCHEME) == "slate"
    assert page.locator(TOGGLE).get_attribute("title") == "Switch to light mode"
    assert page.evaluate(META, "color-scheme") == "dark"
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != light_page
    page.goto(site_url + "redis/")  # another page, then a reload: still dark, from Material's stored entry
    assert page.evaluate(SCHEME) == "slate"
    page.reload()
    assert page.evaluate(SCHEME) == "slate"
    stored = page.evaluate("() => __md_get('__palette')")
    assert stored["index"] == 1 and stored["color"]["scheme"] == "slate"
    page.locator(TOGGLE).click()
    assert page.evaluate(SCHEME) == "default"
    page.reload()
    assert page.evaluate(SCHEME) == "default"
    page.context.close()


def test_enter_on_the_focused_option_switches(browser, site_url):
    page = browser.new_context(color_scheme="light").new_page()
    page.goto(site_url)
    page.focus("#__palette_0")
    page.keyboard.press("Enter")
    assert page.evaluate(SCHEME) == "slate"
    page.context.close()
