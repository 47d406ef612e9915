"""The monthly huddle digest: what customers told one site in a month, on one printed page.

``figures`` reads the figures from the collector's store (aggregates only), ``quotes`` picks the
customers' own words that stand for each theme, ``render`` draws HTML and PDF.
"""

from earshot_sync.collector.digest.model import Digest, SiteDigest
from earshot_sync.collector.digest.month import BadMonth, BadTimeZone, Month, parse_time_zone
from earshot_sync.collector.digest.render import render_html, render_pdf

__all__ = [
    "BadMonth",
    "BadTimeZone",
    "Digest",
    "Month",
    "SiteDigest",
    "parse_time_zone",
    "render_html",
    "render_pdf",
]
