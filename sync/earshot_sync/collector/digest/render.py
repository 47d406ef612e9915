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
# Longest name (site, station) and tag shown whole; longer ones end in "…".
MAX_NAME = 60
MAX_TAG = 40


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
    env.filters["tag"] = lambda tag: _name(tag, MAX_TAG)
    env.filters["change"] = _change
    env.filters["plural"] = _plural
    env.filters["day"] = lambda day: f"{day.day} {day.strftime('%b')}"
    env.filters["percent"] = lambda part, whole: f"{round(100 * part / whole)}%" if whole else ""
    return env


def _name(text: str, longest: int = MAX_NAME) -> str:
    # A name is not a quote: it may be cut anywhere, and says so with "…".
    return text if len(text) <= longest else text[: longest - 1].rstrip() + "…"


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
    """The digest as a PDF: one A4 page per site (one page saying so when nothing was heard).

    All sites are drawn in one go; a site that spills onto a second page is drawn again, with
    less, together with the others that spilled, until each fits (or there is no less to show).
    """
    if not digest.sites:
        return _document(_render(digest, ())).write_pdf()  # type: ignore[no-any-return]
    pages_of: dict[int, list[Any]] = {}
    pending = list(range(len(digest.sites)))
    first: Any = None
    for level in range(len(_FITS)):
        document = _document(_render(digest, [_fit(digest.sites[i], level) for i in pending]))
        first = first or document
        spilled = []
        for position, pages in enumerate(_pages_per_site(document.pages, len(pending))):
            site = pending[position]
            if len(pages) == 1 or level == len(_FITS) - 1:
                pages_of[site] = pages
            else:
                spilled.append(site)
        pending = spilled
        if not pending:
            break
    for site, pages in pages_of.items():
        if len(pages) > 1:
            log.warning(
                "the digest's page for site %d of %d needs %d pages",
                site + 1,
                len(pages_of),
                len(pages),
            )
    return first.copy([page for site in sorted(pages_of) for page in pages_of[site]]).write_pdf()  # type: ignore[no-any-return]


def _pages_per_site(pages: Sequence[Any], count: int) -> list[list[Any]]:
    """The pages of each site, in order: a site's page holds its anchor ``site-N``; a page
    without one is the previous site's, spilled over."""
    found: list[list[Any]] = [[] for _ in range(count)]
    current = 0
    for page in pages:
        starts = [int(name[5:]) for name in page.anchors if name.startswith("site-")]
        if starts:
            current = min(starts)
        found[current].append(page)
    return found


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
