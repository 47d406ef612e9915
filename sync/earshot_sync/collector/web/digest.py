"""The monthly huddle digest for viewers: ``/digest`` (the page, inside the site's frame),
``/digest.pdf`` (the same for the wall, as a download) and ``/digest.css`` (its style sheet).

The digest package draws the page; here it is chosen (``month``, ``site``), read from the store
and put in the frame. The page's Content-Security-Policy allows no inline style, so the digest's
style sheet is served from ``/digest.css``, limited to the digest's own element so that it does
not restyle the frame around it.

``site`` absent means the default: the one site there is, or the first when there are several
(a page for every site reads every site's month, which is slow with a million entries);
``site=`` (empty) means every site, a page each.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.datastructures import QueryParams

from earshot_sync.collector.digest import (
    BadMonth,
    Digest,
    Month,
    UnknownSite,
    build_digest,
    render_html,
    render_pdf,
    stylesheet,
)
from earshot_sync.collector.version import __version__
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.css_scope import scoped
from earshot_sync.collector.web.filters import MAX_VALUE
from earshot_sync.collector.web.guard import Viewer
from earshot_sync.collector.web.viewers import viewer_required

STYLESHEET_PATH = "/digest.css"
PDF_PATH = "/digest.pdf"
# The element the digest is drawn in, and so the scope of its style sheet.
SCOPE = ".digest-sheet"
# "2026-11" is 7 characters; anything much longer is not a month, and is not echoed back whole.
MAX_MONTH = 40
# The longest site name put into a file name.
MAX_FILE_SITE = 60

# The frame's own rules, written before the digest's: the site's style sheet gives every table
# cell a line and a margin that the digest's page does not have.
_FRAME_CSS = f"""
{SCOPE} {{ margin-top: 1rem; padding: 1px 0 2mm; border-radius: 8px; overflow-x: auto; }}
{SCOPE} table {{ margin-top: 0; font-size: inherit; }}
{SCOPE} th, {SCOPE} td {{ border-bottom: 0; }}
{SCOPE} .pdf-link a {{ font-weight: 600; }}
.digest-form {{ margin-bottom: .6rem; }}
@media print {{
  .top, .foot, .skip, .digest-form, .digest-notice, .digest-title {{ display: none; }}
  main {{ max-width: none; padding: 0; }}
  {SCOPE} {{ margin: 0; padding: 0; overflow: visible; }}
}}
"""


@dataclass(frozen=True)
class Choice:
    """What the viewer asked for (as typed, to fill the form again) and what it means."""

    month_text: str
    site_text: str  # "" = every site
    month: Month | None = None
    site: str | None = None  # None = every site
    first_of: int = 0  # the site was chosen for the viewer: the first of this many
    defaulted: bool = False  # no site was asked for: the page chose
    problem: str | None = None


def choose(params: QueryParams, sites: tuple[str, ...], now: datetime, zone: ZoneInfo) -> Choice:
    """The month and site of a request; a mistake is a :attr:`Choice.problem` in plain words."""
    month_text = params.get("month", "").strip()
    raw_site = params.get("site")
    site_text = (raw_site or "").strip()
    first_of = 0
    if raw_site is None:
        if sites:
            site_text = sites[0]
        first_of = len(sites) if len(sites) > 1 else 0
    shown = Choice(month_text[:MAX_MONTH], site_text[:MAX_VALUE], first_of=first_of)
    if "\x00" in month_text or "\x00" in site_text:
        return _problem(shown, "The address holds a character that no month or site has.")
    if len(site_text) > MAX_VALUE:
        return _problem(shown, f"The site is too long (at most {MAX_VALUE} characters).")
    if len(month_text) > MAX_MONTH:
        return _problem(
            shown, "That is not a month. Give the month as year-month, for example 2026-11."
        )
    try:
        month = Month.parse(month_text) if month_text else Month.containing(now, zone).previous()
    except BadMonth as error:
        return _problem(shown, str(error))
    return Choice(str(month), site_text, month, site_text or None, first_of, raw_site is None)


def _problem(choice: Choice, problem: str) -> Choice:
    return Choice(choice.month_text, choice.site_text, problem=problem)


def query(month: Month, site: str | None) -> str:
    return urlencode({"month": str(month), "site": site or ""})


def file_name(month: Month, site: str | None, *, ascii_only: bool) -> str:
    """``earshot-digest-2026-11-berlin-mitte.pdf`` (``-all-sites`` for every site)."""
    name = "all sites" if site is None else site
    text = unicodedata.normalize("NFKD" if ascii_only else "NFC", name)
    if ascii_only:
        text = text.encode("ascii", "ignore").decode("ascii")
    # Letters and digits only: no quote, slash or line break can reach the header.
    words = re.findall(r"[^\W_]+", text.casefold())
    slug = "-".join(words)[:MAX_FILE_SITE].strip("-") or "site"
    return f"earshot-digest-{month}-{slug}.pdf"


def content_disposition(month: Month, site: str | None) -> str:
    plain = file_name(month, site, ascii_only=True)
    full = file_name(month, site, ascii_only=False)
    header = f'attachment; filename="{plain}"'
    if full != plain:
        # RFC 6266: browsers that know filename* keep the site's own letters (Köln, not Koln).
        header += f"; filename*=UTF-8''{quote(full, safe='')}"
    return header


def digest_body(html: str) -> Markup:
    """What is inside the ``<body>`` of the digest's own page (everything a person wrote in
    it is escaped already, so no ``</body>`` can come from an entry)."""
    start = html.index("<body>") + len("<body>")
    return Markup(html[start : html.rindex("</body>")])  # noqa: S704 - an autoescaped template


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)
    css = _FRAME_CSS + scoped(stylesheet(), SCOPE)

    # Plain ``def``: reading a month (and drawing a PDF) takes a while and must not hold up the
    # event loop; FastAPI runs these in its thread pool.
    @routes.get("/digest", response_class=HTMLResponse)
    def digest_page(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> HTMLResponse:
        return _page(web, request, viewer, *_lookup(web, request, viewer))

    @routes.get(PDF_PATH, response_model=None)
    def digest_pdf(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> Response:
        sites, choice, digest, problem = _lookup(web, request, viewer)
        if digest is None:
            # A mistake in a hand-made address: the page with the form and what to change.
            return _page(web, request, viewer, sites, choice, None, problem)
        return Response(
            render_pdf(digest),
            media_type="application/pdf",
            headers={
                "Content-Disposition": content_disposition(digest.month, digest.site),
                "Cache-Control": "no-store",
            },
        )

    @routes.get(STYLESHEET_PATH)
    def digest_stylesheet(viewer: Annotated[Viewer, Depends(require)]) -> Response:
        # The link carries the version, so a new release's sheet is fetched anew.
        return Response(
            css,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "private, max-age=86400"},
        )

    return routes


def _page(
    web: Web,
    request: Request,
    viewer: Viewer,
    sites: tuple[str, ...],
    choice: Choice,
    digest: Digest | None,
    problem: str | None,
) -> HTMLResponse:
    body = None
    if digest is not None:
        pdf_href = PDF_PATH + "?" + query(digest.month, digest.site)
        body = digest_body(render_html(digest, pdf_href=pdf_href, stylesheet_href=STYLESHEET_PATH))
    site_text = digest.site or "" if digest is not None else choice.site_text
    menu = sites if not site_text or site_text in sites else (*sites, site_text)
    return web.pages.page(
        request,
        "digest.html",
        {
            "viewer": viewer,
            "zone": viewer.zone,
            "nav": "digest",
            "tz_sensitive": True,
            "month_text": str(digest.month) if digest is not None else choice.month_text,
            "site_text": site_text,
            "sites": menu,
            "first_of": choice.first_of if digest is not None else 0,
            "problem": problem,
            "body": body,
            "stylesheet": f"{STYLESHEET_PATH}?v={__version__}",
        },
        status=200 if problem is None else 400,
    )


def _lookup(
    web: Web, request: Request, viewer: Viewer
) -> tuple[tuple[str, ...], Choice, Digest | None, str | None]:
    """The sites, the choice, and the digest asked for or what is wrong with the request."""
    sites = web.reader.choices().sites
    choice = choose(request.query_params, sites, web.clock(), viewer.zone)
    if choice.month is None:
        return sites, choice, None, choice.problem
    # A site the viewer did not name: the first that still has entries (the menu's sites
    # include those whose entries were all deleted), or, failing that, every site.
    candidates = [*sites, None] if choice.defaulted else [choice.site]
    for candidate in candidates:
        try:
            digest = build_digest(
                web.store, choice.month, tz=viewer.zone, site=candidate, now=web.clock()
            )
        except UnknownSite as error:
            if not choice.defaulted:
                return sites, choice, None, str(error)
            continue
        return sites, choice, digest, None
    raise AssertionError("every site was tried, and then all of them")  # pragma: no cover
