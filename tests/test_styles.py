"""The one stylesheet the pages load, static/goedeburen/styles.css, is built by `make css`
(scripts/build-css) from the vendored NL Design System CSS and site.css, keeping only the rules
the pages use. It is committed; these tests fail when it no longer matches what it was built
from, and say to run `make css`.

They read the same files as the build (tools/css/build.mjs): every template and Python module of
the package, and our own scripts, which add classes at run time.
"""

import gzip
import hashlib
import re
from functools import cache
from pathlib import Path

import goedeburen

PACKAGE = Path(goedeburen.__file__).parent
STATIC = PACKAGE / "static"
SHIPPED = STATIC / "goedeburen" / "styles.css"
SITE = STATIC / "goedeburen" / "site.css"
VENDOR = [
    STATIC / "vendor" / "utrecht-design-tokens" / "index.css",
    STATIC / "vendor" / "utrecht-component-library-css" / "index.css",
]
SKIPPED_FOLDERS = {"migrations", "__pycache__", "locale", "vendor", "fonts"}
REBUILD = "styles.css is stale: run `make css` and commit the result"


def _content_files() -> list[Path]:
    files = []
    for path in PACKAGE.rglob("*"):
        if SKIPPED_FOLDERS & set(path.relative_to(PACKAGE).parts[:-1]) or not path.is_file():
            continue
        own_script = path.suffix == ".js" and path.parent == STATIC / "goedeburen"
        if path.suffix in {".html", ".py"} or own_script:
            files.append(path)
    return files


@cache
def _words() -> frozenset[str]:
    """Return every word that could be a class name in what renders markup."""
    words = set()
    for path in _content_files():
        words.update(re.findall(r"[A-Za-z0-9_-]+", path.read_text()))
    return frozenset(words)


def _classes(css: str) -> set[str]:
    """Return the class names that selectors in `css` name (not what declarations hold)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    preludes = re.findall(r"([^{};]+)\{", css)
    return {
        name
        for prelude in preludes
        if not prelude.lstrip().startswith("@")
        for name in re.findall(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)", prelude)
    }


def _selectors(css: str) -> set[str]:
    """Return each selector of `css`'s rules, whitespace collapsed (`a, b` gives two)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = set()
    for prelude in re.findall(r"([^{};]+)\{", css):
        if prelude.lstrip().startswith("@"):
            continue
        depth, current = 0, ""
        for char in prelude + ",":
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                found.add(" ".join(current.split()))
                current = ""
            else:
                current += char
    return found


def _declared(css: str) -> set[str]:
    return set(re.findall(r"(--[A-Za-z0-9_-]+)\s*:", css))


def _declared_for_used_selectors(css: str) -> set[str]:
    """Return the tokens that rules of `css` declare for a selector whose classes a page uses
    (`.utrecht-theme`, not the dark `.utrecht-theme--media-query-color-scheme`)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    declared = set()
    for prelude, body in re.findall(r"([^{};]+)\{([^{}]*)\}", css):
        selectors = prelude.split(",")
        if any(set(re.findall(r"\.([A-Za-z0-9_-]+)", s)) <= _words() for s in selectors):
            declared |= _declared(body)
    return declared


def _read(css: str) -> set[str]:
    return set(re.findall(r"var\(\s*(--[A-Za-z0-9_-]+)", css))


@cache
def _vendor() -> str:
    return "\n".join(path.read_text() for path in VENDOR)


@cache
def _shipped() -> str:
    return SHIPPED.read_text()


def test_every_vendor_class_the_pages_use_is_shipped():
    used = _words() & _classes(_vendor())

    missing = sorted(used - _classes(_shipped()))

    assert used, "no NL Design System class found in the templates: the scan is broken"
    assert missing == [], REBUILD


def test_every_vendor_rule_for_what_the_pages_use_is_shipped():
    # A selector whose classes and tags all occur in the pages must survive the purge. This
    # caught PurgeCSS dropping the focus ring, `:where(.utrecht-root) :where(:focus-visible)`.
    # (Attribute selectors are left out: whether Django writes an attribute is not in our files.)
    def needed(selector: str) -> bool:
        classes = set(re.findall(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)", selector))
        tags = set(re.findall(r"(?<![\w.:#-])([a-z][a-z0-9]*)(?![\w-])", selector))
        return bool(classes) and "[" not in selector and classes | tags <= _words()

    wanted = {selector for selector in _selectors(_vendor()) if needed(selector)}

    assert ":where(.utrecht-root) :where(:focus-visible)" in wanted
    assert sorted(wanted - _selectors(_shipped())) == [], REBUILD


def test_every_modifier_of_a_class_built_in_a_template_is_shipped():
    # `utrecht-alert--{% if … %}error{% endif %}`: the build keeps every modifier of the block.
    prefixes = {
        match
        for path in _content_files()
        if path.suffix == ".html"
        for match in re.findall(r"([A-Za-z0-9_-]+--)\{[{%]", path.read_text())
    }
    wanted = {name for name in _classes(_vendor()) if name.startswith(tuple(prefixes))}

    assert "utrecht-alert--error" in wanted
    assert sorted(wanted - _classes(_shipped())) == [], REBUILD


def test_every_theme_token_a_shipped_rule_reads_is_declared():
    # Colours, and so contrast, come from the theme's tokens: a token read but not shipped
    # falls back to the component's default or the browser's.
    own = "\n".join(path.read_text() for path in (STATIC / "goedeburen").glob("*.css"))
    theme = _declared_for_used_selectors(VENDOR[0].read_text())

    missing = sorted((_read(_shipped()) | _read(own)) & theme - _declared(_shipped()))

    assert "--utrecht-color-red-40" in _read(own) & theme
    assert missing == [], REBUILD


def test_shipped_css_is_built_from_the_vendored_files_and_site_css():
    for path in VENDOR:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"{path.relative_to(PACKAGE.parent.parent)} (sha256 {digest})" in _shipped(), REBUILD
    assert _shipped().endswith("\n" + SITE.read_text().strip() + "\n"), REBUILD


def test_shipped_css_stays_small():
    # The goal for a first visit on a phone: at most 20 KB of CSS over the wire (was 52 KB).
    assert len(gzip.compress(SHIPPED.read_bytes(), 9)) <= 20 * 1024
