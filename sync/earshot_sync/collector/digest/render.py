"""The digest as a page: HTML for the screen (Jinja2, autoescaped), PDF for the wall (WeasyPrint).

The PDF is made without any network: the page links nothing, fonts come from the system
(fontconfig), and the URL fetcher refuses every URL, so even a link that slipped into the page
could not reach out. Each site gets one A4 page: a site whose words do not fit is drawn again
with fewer quotes and ideas until it does.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from earshot_sync.collector.digest.model import Digest, SiteDigest, Theme
from earshot_sync.collector.digest.quotes import Quote, excerpt

log = logging.getLogger(__name__)

KIND_WORDS = {
    "praise": ("Praise", "praise"),
    "complaint": ("Complaints", "complaint"),
    "suggestion": ("Suggestions", "suggestion"),
    "question": ("Questions", "question"),
    "other": ("Other", "other"),
}
# Longest name (site, station, tag) shown whole; longer ones end in "…".
MAX_NAME = 60


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("earshot_sync.collector.digest", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kinds"] = lambda kind: KIND_WORDS.get(kind, (kind, kind))[0]
    env.filters["kind"] = lambda kind: KIND_WORDS.get(kind, (kind, kind))[1]
    env.filters["name"] = _name
    env.filters["change"] = _change
    env.filters["plural"] = _plural
    env.filters["day"] = lambda day: f"{day.day} {day.strftime('%b')}"
    env.filters["percent"] = lambda part, whole: f"{round(100 * part / whole)}%" if whole else ""
    return env


def _name(text: str) -> str:
    return text if len(text) <= MAX_NAME else excerpt(text, MAX_NAME - 1)[0] + "…"


def _change(number: int) -> str:
    if number == 0:
        return "same"
    # U+2212 MINUS SIGN: a hyphen is easy to miss on a printed page.
    return f"+{number}" if number > 0 else f"\u2212{-number}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def render_html(
    digest: Digest, *, pdf_href: str | None = None, stylesheet_href: str | None = None
) -> str:
    """The whole digest as one HTML document (every site; one printed page each).

    ``pdf_href``: where the same digest can be had as a PDF (a link shown on screen only).
    ``stylesheet_href``: link this style sheet (serve :func:`stylesheet` there) instead of
    putting it in the page, for pages served under a Content-Security-Policy without inline
    styles; the page then has no ``<style>`` and no ``style=``.
    """
    return _render(digest, digest.sites, pdf_href, stylesheet_href)


def stylesheet() -> str:
    """The digest's CSS, for a page that links it (``render_html(stylesheet_href=...)``)."""
    loader = environment().loader
    assert loader is not None
    return loader.get_source(environment(), "digest.css")[0]


def _render(
    digest: Digest,
    sites: Sequence[SiteDigest],
    pdf_href: str | None = None,
    stylesheet_href: str | None = None,
) -> str:
    template = environment().get_template("digest.html.j2")
    return template.render(
        digest=digest, sites=sites, pdf_href=pdf_href, stylesheet_href=stylesheet_href
    )


# How much of a site's words to show, from all of it to the least that still says something:
# (quotes per theme, themes, ideas, longest quote).
_FITS = (
    (2, 3, 4, 240),
    (1, 3, 4, 240),
    (1, 3, 2, 240),
    (1, 3, 2, 160),
    (1, 2, 1, 120),
)


def _fit(site: SiteDigest, level: int) -> SiteDigest:
    per_theme, themes, ideas, longest = _FITS[level]

    def shorter(quote: Quote) -> Quote:
        text, cut = excerpt(quote.text, longest)
        return dataclasses.replace(quote, text=text, cut=quote.cut or cut)

    return dataclasses.replace(
        site,
        themes=tuple(
            Theme(theme.tag, theme.kind, theme.count, tuple(map(shorter, theme.quotes[:per_theme])))
            for theme in site.themes[:themes]
        ),
        ideas=tuple(map(shorter, site.ideas[:ideas])),
    )


def render_pdf(digest: Digest) -> bytes:
    """The digest as a PDF: one A4 page per site (one page saying so when nothing was heard)."""
    sites = digest.sites or ()
    if not sites:
        return _document(_render(digest, ())).write_pdf()  # type: ignore[no-any-return]
    pages: list[Any] = []
    first: Any = None
    for site in sites:
        for level in range(len(_FITS)):
            document = _document(_render(digest, (_fit(site, level),)))
            if len(document.pages) == 1:
                break
        else:
            log.warning("the digest for one site needs %d pages", len(document.pages))
        first = first or document
        pages.extend(document.pages)
    return first.copy(pages).write_pdf()  # type: ignore[no-any-return]


def pdf_from_html(html: str) -> bytes:
    """Any HTML as a PDF with the digest's safe settings (no network): for tests and tools."""
    return _document(html).write_pdf()  # type: ignore[no-any-return]


def _document(html: str) -> Any:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF needs.
    import weasyprint  # type: ignore[import-untyped]

    class RefuseEverything(weasyprint.URLFetcher):  # type: ignore[misc]
        """Nothing is fetched: not the network, not files (the page needs neither)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"the digest fetches nothing ({url[:80]})")

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=RefuseEverything()).render()
