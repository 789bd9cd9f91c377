"""The checks every journey relies on do catch what they are for: zero violations on the
app's pages means something only if a broken page fails."""

import pytest

from tests.e2e.browsing import Visitor

BROKEN = """<!DOCTYPE html>
<html lang="en"><head><title>Broken on purpose</title><style>a:focus { outline: none; }</style></head>
<body><main>
  <h1>Broken on purpose</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <a href="#here">A link that hides its focus</a>
</main></body></html>"""

FINE = """<!DOCTYPE html>
<html lang="en"><head><title>Fine</title></head><body><main><h1>Fine</h1></main></body></html>"""


@pytest.fixture
def person(browser, axe_source, tmp_path):
    context = browser.new_context()
    yield Visitor(
        context.new_page(), "", who="nobody", journey="checks", counter=iter(range(1, 100)),
        axe_source=axe_source, checked=[], screenshots=tmp_path,
    )
    context.close()


def test_a_page_with_an_image_without_alt_text_fails_the_axe_check(person, tmp_path):
    person.page.set_content(BROKEN)
    with pytest.raises(AssertionError, match="image-alt"):
        person.check_page("broken")
    assert (tmp_path / "01-nobody-broken.jpg").exists()  # photographed all the same, for the reviewer


def test_focus_that_cannot_be_seen_fails_the_keyboard_check(person):
    person.page.set_content(BROKEN)
    with pytest.raises(AssertionError, match="cannot be seen"):
        person.tab_to(person.page.get_by_role("link", name="A link that hides its focus"))


def test_a_script_error_fails_the_page_check(person):
    person.page.set_content(FINE)
    person.check_page("fine")
    with person.page.expect_event("pageerror"):
        person.page.add_script_tag(content="throw new Error('broken on purpose')")
    with pytest.raises(AssertionError, match="broken on purpose"):
        person.check_page("fine-then-broken")


WIDE = """<!DOCTYPE html>
<html lang="en"><head><title>Wide</title></head><body><main><h1>Wide</h1>
  <p>{}</p>
  <div class="app-table-scroll" role="region" aria-label="A table that scrolls in its own region" tabindex="0" style="overflow-x: auto">
    <table><caption>Wide but contained</caption><tr><th scope="col">{}</th></tr></table>
  </div>
</main></body></html>"""


def test_a_page_that_scrolls_sideways_at_320px_fails_the_reflow_check(person):
    person.page.set_viewport_size({"width": 1280, "height": 720})
    person.page.set_content(WIDE.format("short", "x" * 200))
    person.check_page("contained")  # a wide table in its own scrolling region is allowed
    person.page.set_content(WIDE.format("y" * 200, "short"))
    with pytest.raises(AssertionError, match="does not reflow at 320px"):
        person.check_page("too-wide")
    assert person.page.viewport_size == {"width": 1280, "height": 720}  # put back for the journey
