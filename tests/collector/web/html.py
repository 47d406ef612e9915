"""Reading the pages in tests: the entries a page lists, a page's text, a form's fields."""

from __future__ import annotations

import html
import re

_ARTICLE = re.compile(r'<article class="entry[^"]*" id="entry-([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def entry_ids(page: str) -> list[str]:
    """The ids of the entries a page lists, top to bottom."""
    return _ARTICLE.findall(page)


def text(page: str) -> str:
    """What a person reads: the tags gone, entities decoded, spaces collapsed."""
    without = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(_TAG.sub(" ", without)).split())


def link(page: str, element_id: str) -> str | None:
    """The href of the element with ``element_id``, decoded."""
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*href="([^"]*)"', page) or re.search(
        rf'href="([^"]*)"[^>]*id="{re.escape(element_id)}"', page
    )
    return html.unescape(found.group(1)) if found else None
