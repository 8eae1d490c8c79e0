"""Every back-office page links the favicon and the one small stylesheet, as public pages do
(tests/public/test_page_head.py)."""

import re

import pytest

from .conftest import backoffice_patterns, url

pytestmark = pytest.mark.django_db


def test_every_backoffice_page_links_the_favicon_and_the_stylesheet(owner_client, world):
    pages = 0
    wrong = {}
    for name in sorted(backoffice_patterns()):
        response = owner_client.get(url(name, world))
        html = response.content.decode(errors="replace")
        if response.status_code != 200 or "<html" not in html:
            continue  # a redirect, a download or an htmx fragment
        pages += 1
        head = html.partition("</head>")[0]
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', head)
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', head)
        if icons != ["/static/goedeburen/favicon.svg"] or sheets[:1] != [
            "/static/goedeburen/styles.css"
        ]:
            wrong[name] = (icons, sheets)

    assert pages >= 40
    assert wrong == {}
