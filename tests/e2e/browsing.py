"""One person at one browser: moving around by mouse or by keyboard, every page checked.

Each page a Visitor lands on is checked with axe-core (WCAG 2.2 A/AA: zero violations),
for JavaScript errors (including Content-Security-Policy refusals) and for reflow at
320 CSS pixels (WCAG 1.4.10, which axe does not test), and photographed into
test-artifacts/screenshots/<journey>/.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import AXE_TAGS

# What the element that has focus looks like, and whether a sighted keyboard user can see
# where focus is: an outline (not transparent) or a box-shadow on it, or, for GOV.UK radios
# and checkboxes (whose input is invisible), on the box drawn by their label.
FOCUS_INFO = """
(target) => {
  const el = document.activeElement;
  const shows = (style) => {
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      && !/^rgba\\(.*,\\s*0\\)$/.test(style.outlineColor) && style.outlineColor !== 'transparent';
    const shadow = !!style.boxShadow && style.boxShadow !== 'none';
    return outline || shadow;
  };
  let visible = shows(getComputedStyle(el));
  if (!visible && el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels[0]) {
    visible = shows(getComputedStyle(el.labels[0], '::before'));
  }
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.id || '').trim().replace(/\\s+/g, ' ');
  return {
    describe: `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> ${name.slice(0, 60)}`,
    visible,
    hit: target ? el === target : false,
  };
}
"""


# WCAG 2.2 1.4.10 Reflow: at 320 CSS pixels wide (1280 at 400% zoom) nothing but a data
# table may need scrolling sideways, and a table scrolls inside its own region, so the page
# itself never does. Returns what sticks out of the viewport, outside such a region.
REFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.app-table-scroll')) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 1 && box.right > width + 1) {
      wide.push(`<${el.tagName.toLowerCase()}${el.className ? ' class=' + el.className : ''}> ${Math.round(box.right)}px`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}
"""


class Visitor:
    """One person at one browser: signs in, moves around, and has every page checked."""

    def __init__(self, page: Page, base_url: str, *, who, journey, counter, axe_source, checked, screenshots):
        self.page = page
        self.base_url = base_url
        self.who = who
        self.journey = journey
        self.counter = counter
        self.axe_source = axe_source
        self.checked = checked
        self.screenshots = screenshots
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("console", self._console)

    def _console(self, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # Headless Chromium asks for /favicon.ico on its own; the app has none.
        if url.endswith("/favicon.ico"):
            return
        # A form sent back with its errors is answered 400 on purpose, and Chromium logs
        # that as a failed load of the page itself.
        if "status of 400" in message.text and url.split("#")[0] == self.page.url.split("#")[0]:
            return
        self.errors.append(f"console: {message.text} ({url})")

    # --- the pages ------------------------------------------------------------------------

    @property
    def main(self) -> Locator:
        return self.page.locator("main")

    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def go(self, path: str, name: str | None = None):
        self.page.goto(self.base_url + path)
        self.check_page(name)

    def check_page(self, name: str | None = None):
        """axe-core on the page as shown now, no script errors, and a screenshot of it."""
        self.page.wait_for_load_state("load")
        # Evaluated through the DevTools protocol, not added as a <script> tag: the app's
        # Content-Security-Policy (scripts from this site only) stays on, as users get it.
        self.page.evaluate(self.axe_source)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        path = re.sub(r"^https?://[^/]+", "", self.page.url)
        title = self.page.title()
        label = name or re.sub(r"[^a-z0-9]+", "-", title.split(" – ")[0].lower()).strip("-") or "page"
        shot = self.screenshots / f"{next(self.counter):02d}-{self.who}-{label}.jpg"
        shot.parent.mkdir(parents=True, exist_ok=True)
        # JPEG: a full meeting page is 20,000 pixels tall, and PNG takes three times as long.
        self.page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=80)
        self.checked.append({
            "journey": self.journey, "who": self.who, "path": path, "title": title,
            "violations": len(violations), "screenshot": str(shot),
        })
        assert violations == [], f"axe found WCAG 2.2 AA violations on {path} ({title}):\n" + json.dumps(
            violations, indent=1, ensure_ascii=False)
        errors, self.errors = self.errors, []
        assert errors == [], f"script errors on {path}: {errors}"
        self.check_reflow(path)

    def check_reflow(self, path: str):
        """At 320 CSS pixels wide the page never scrolls sideways (WCAG 2.2 1.4.10)."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": 320, "height": 640})
        try:
            reflow = self.page.evaluate(REFLOW)
        finally:
            self.page.set_viewport_size(size)
        assert reflow["scrollWidth"] <= reflow["width"] and reflow["wide"] == [], (
            f"{path} does not reflow at 320px: the page is {reflow['scrollWidth']}px wide; {reflow['wide']}")

    # --- by mouse -------------------------------------------------------------------------

    def sign_in(self, username: str, password: str):
        self.go("/accounts/login/")
        expect(self.heading()).to_have_text("Sign in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.click(self.page.get_by_role("button", name="Sign in"))

    def click(self, target: Locator, name: str | None = None):
        """Click a link or button that loads a page, then check the page it loads."""
        with self.page.expect_navigation():
            target.click()
        self.check_page(name)

    def click_link(self, name: str, *, exact: bool = True, within: Locator | None = None):
        self.click((within or self.page).get_by_role("link", name=name, exact=exact))

    def click_button(self, name: str, *, exact: bool = True, within: Locator | None = None):
        self.click((within or self.page).get_by_role("button", name=name, exact=exact))

    # --- by keyboard ----------------------------------------------------------------------

    def focus_info(self, target: Locator | None = None) -> dict:
        if target is None:
            return self.page.evaluate(FOCUS_INFO, None)
        return target.evaluate(FOCUS_INFO)

    def press(self, key: str) -> dict:
        """Press a key; focus, wherever it lands, must be visible."""
        self.page.keyboard.press(key)
        info = self.focus_info()
        assert info["visible"], f"after {key}, focus is on {info['describe']} and cannot be seen"
        return info

    def tab_to(self, target: Locator, *, backwards: bool = False, most: int = 250) -> int:
        """Tab (or Shift+Tab) until the target has focus; every stop on the way must show focus.

        Returns the number of key presses, so a test can say how far something is.
        """
        key = "Shift+Tab" if backwards else "Tab"
        expect(target).to_have_count(1)
        for presses in range(1, most + 1):
            self.page.keyboard.press(key)
            info = self.focus_info(target)
            assert info["visible"], f"{key} #{presses} put focus on {info['describe']}, and it cannot be seen"
            if info["hit"]:
                return presses
        raise AssertionError(f"{most} presses of {key} never reached {target}")

    def type(self, text: str):
        """Type into the focused field (Chromium selects what is in a field reached by Tab, so this replaces it)."""
        self.page.keyboard.type(text)

    def press_to_load(self, key: str = "Enter", name: str | None = None):
        """Press a key that loads a page (a link or a submit button has focus), then check the page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.check_page(name)

    def sign_in_by_keyboard(self, username: str, password: str):
        self.go("/accounts/login/")
        self.tab_to(self.page.get_by_label("Username"))
        self.type(username)
        self.press("Tab")
        assert self.focus_info(self.page.get_by_label("Password"))["hit"]
        self.type(password)
        self.press_to_load("Enter")  # Enter in a text field sends its form
