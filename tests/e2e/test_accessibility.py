"""WCAG 2.2 AA on every public page, in both languages, on a phone and a desktop screen."""

import pytest

from .site import LANGUAGES, PAGES, VIEWPORTS, axe_violations, describe_violations, page_path

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_wcag_violations(visit, page, language, viewport):
    tab = visit(page_path(page, language), viewport=viewport)

    violations = axe_violations(tab)

    if violations:
        pytest.fail(describe_violations(violations), pytrace=False)


def test_stylesheets_load(visit):
    tab = visit(page_path("event-home", "nl"))

    sheets = tab.evaluate(
        """() => [...document.styleSheets].map(
            sheet => [new URL(sheet.href).pathname, sheet.cssRules.length > 0])"""
    )
    header = tab.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).borderBottomWidth"
    )
    footer = tab.evaluate(
        "() => getComputedStyle(document.querySelector('.utrecht-page-footer')).backgroundColor"
    )

    # One stylesheet: the NL Design System rules the pages use, then site.css (make css).
    assert sheets == [["/static/goedeburen/styles.css", True]]
    assert (header, footer) == ("4px", "rgb(204, 0, 0)")


FOCUSABLE = "a[href], button, input, select, textarea, [tabindex='0']"

# Read after the next frames: Chromium scrolls a newly focused element into view only then.
FOCUS_STATE = """async (focusable) => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const onTop = document.elementFromPoint(x, y);
  return {
    index: [...document.querySelectorAll(focusable)].indexOf(element),
    element: element.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
    notObscured: onTop !== null && (element.contains(onTop) || onTop.contains(element)),
  };
}"""


@pytest.mark.parametrize(
    ("page", "viewport"),
    [("event-home", "360px"), ("event-home", "1280px"), ("programme", "360px")],
)
def test_keyboard_reaches_every_link_in_order_with_visible_focus(visit, page, viewport):
    tab = visit(page_path(page, "nl"), viewport=viewport)
    stops = tab.locator(FOCUSABLE).count()

    states = []
    for _ in range(stops):
        tab.keyboard.press("Tab")
        states.append(tab.evaluate(FOCUS_STATE, FOCUSABLE))

    hidden = [s for s in states if not (s["outline"] and s["inView"] and s["notObscured"])]
    assert [state["index"] for state in states] == list(range(stops))
    assert hidden == []


def test_skip_link_shows_on_focus_and_moves_focus_to_the_content(visit):
    tab = visit(page_path("programme", "nl"), viewport="360px")
    skip = tab.locator(".utrecht-skip-link")

    tab.keyboard.press("Tab")
    focused_box = skip.bounding_box()
    tab.keyboard.press("Enter")

    assert focused_box is not None
    assert focused_box["x"] >= 0 and focused_box["y"] >= 0
    assert (focused_box["height"] >= 24, focused_box["width"] >= 24) == (True, True)
    assert tab.evaluate("() => document.activeElement.id") == "main"
