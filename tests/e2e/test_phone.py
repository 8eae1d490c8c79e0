"""The public pages on a 360 px wide phone: nothing scrolls sideways, the navigation works."""

import pytest

from .site import LANGUAGES, PAGES, page_path

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 360


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_a_phone_without_horizontal_scrolling(visit, page, language):
    tab = visit(page_path(page, language), viewport="360px")

    width = tab.evaluate("() => document.documentElement.scrollWidth")

    assert width <= PHONE_WIDTH


NAV_LINKS = "header a.utrecht-link"


def _overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_navigation_fits_a_phone_with_targets_of_at_least_24_px(visit, language):
    tab = visit(page_path("event-home", language), viewport="360px")

    boxes = [(link.inner_text(), link.bounding_box()) for link in tab.locator(NAV_LINKS).all()]

    outside = [text for text, box in boxes if box["x"] < 0 or box["x"] + box["width"] > PHONE_WIDTH]
    small = [text for text, box in boxes if box["width"] < 24 or box["height"] < 24]
    overlapping = [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if _overlaps(box_a, box_b)
    ]
    assert len(boxes) == 8  # site name, language switch, six event pages
    assert (outside, small, overlapping) == ([], [], [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_navigation_leads_to_every_event_page_on_a_phone(visit, language):
    tab = visit(page_path("event-home", language), viewport="360px")
    pages = ("event-home", "programme", "speaker-list", "project-list", "practical", "contact")
    expected = [page_path(page, language) for page in pages]

    reached = []
    for index in range(len(expected)):
        link = tab.locator(".site-nav a").nth(index)
        link.click()
        tab.wait_for_load_state()
        current = tab.locator(".site-nav a[aria-current='page']")
        reached.append(
            (
                tab.evaluate("() => location.pathname"),
                current.get_attribute("href"),
                tab.locator("h1").is_visible(),
            )
        )

    assert reached == [(path, path, True) for path in expected]
