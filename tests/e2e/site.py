"""What the browser tests look at: the public pages, and how axe-core judges them."""

from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from goedeburen.events.demo import PROJECTS, SLUG

LANGUAGES = ("nl", "en")

VIEWPORTS = {
    "360px": {"width": 360, "height": 740},
    "1280px": {"width": 1280, "height": 900},
}

# Every public page: URL name and arguments besides the event (None: not an event page).
PAGES = {
    "event-home": ("public:event.home", {}),
    "programme": ("public:event.programme", {}),
    "speaker-list": ("public:speaker.list", {}),
    "speaker": ("public:speaker.detail", {"speaker": "erik-dannenberg"}),
    "project-list": ("public:project.list", {}),
    "project": ("public:project.detail", {"project": PROJECTS[0][0]}),
    "practical": ("public:event.practical", {}),
    "contact": ("public:event.contact", {}),
    "privacy-statement": ("public:event.privacy", {}),
    "accessibility-statement": ("public:accessibility", None),
}


def page_path(page: str, language: str) -> str:
    """Return the path of one of PAGES in `language` (Dutch unprefixed, English under /en/)."""
    name, kwargs = PAGES[page]
    if kwargs is not None:
        kwargs = {"event": SLUG, **kwargs}
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


# WCAG 2.2 A and AA as axe-core tags them, plus the landmark and heading rules that axe
# files under best practice, because a screen reader user navigates by exactly those.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "rules": {
        rule: {"enabled": True}
        for rule in (
            "heading-order",
            "page-has-heading-one",
            "landmark-one-main",
            "landmark-unique",
            "landmark-no-duplicate-banner",
            "landmark-no-duplicate-contentinfo",
            "landmark-no-duplicate-main",
            "landmark-banner-is-top-level",
            "landmark-contentinfo-is-top-level",
            "landmark-main-is-top-level",
            "region",
            "skip-link",
        )
    },
    "resultTypes": ["violations"],
}

_axe = Axe()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations."""
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    """Return the violations as a report a person can act on."""
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"\n[{violation['impact']}] {violation['id']}: {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            lines.append(f"  - {' '.join(map(str, node['target']))}\n    {node['html'][:200]}")
            lines.append(f"      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"  … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
