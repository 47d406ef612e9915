"""The monthly huddle digest: what customers told one site in a month, on one printed page.

``figures`` reads the figures from the collector's store (aggregates only), ``quotes`` picks the
customers' own words that stand for each theme, ``render`` draws HTML and PDF, ``command`` is
``earshot-collector digest``. A viewer page needs only::

    digest = build_digest(store, Month.parse(month), tz=zone, site=site, now=now)
    html = render_html(digest, pdf_href=..., stylesheet_href=...)  # serve stylesheet() there
"""

from earshot_sync.collector.digest.figures import UnknownSite, build_digest
from earshot_sync.collector.digest.model import Digest, SiteDigest
from earshot_sync.collector.digest.month import BadMonth, BadTimeZone, Month, parse_time_zone
from earshot_sync.collector.digest.render import render_html, render_pdf, stylesheet

__all__ = [
    "BadMonth",
    "BadTimeZone",
    "Digest",
    "Month",
    "SiteDigest",
    "UnknownSite",
    "build_digest",
    "parse_time_zone",
    "render_html",
    "render_pdf",
    "stylesheet",
]
