"""Trends over HTTP: charts drawn on the server as SVG with titles and a table of the same
numbers, honouring the filters, and a message for a range that is too long."""

from __future__ import annotations

import re

import requests

from tests.collector.web.conftest import Site
from tests.collector.web.html import text

RANGE = {"from": "2026-11-10", "to": "2026-11-20"}


def table_rows(page: str, section: str) -> list[list[str]]:
    """The rows of the number table under the chart ``section``, as text cells."""
    part = page.split(f'id="chart-{section}"', 1)[1].split("</section>", 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_charts_are_svg_with_titles(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/trends", params=RANGE, timeout=30)
    assert page.status_code == 200
    svgs = re.findall(
        r"<svg [^>]*role=\"img\"[^>]*>\s*<title id=\"[^\"]+\">([^<]+)</title>", page.text
    )
    assert svgs == [
        "Entries per day, by kind",
        "How customers felt, per day",
        "Most used tags",
        "Entries per site",
    ]
    assert f"{len(shared.entries)} entries from 10 Nov 2026 to 20 Nov 2026" in text(page.text)
    # No script and no outside address is needed to draw them.
    assert "http://" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_numbers_match_the_entries(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/trends", params=RANGE, timeout=30).text
    per_day = table_rows(page, "per-day")
    assert len(per_day) == 11  # 10 to 20 November
    assert sum(int(row[-1]) for row in per_day) == len(shared.entries)
    by_day = {row[0]: row for row in per_day}
    # 11 Nov: one complaint (Waited twenty...); the columns are the kinds, then the total.
    assert by_day["11 Nov"][1:] == ["0", "1", "0", "0", "0", "1"]
    sites = dict((row[0], int(row[1])) for row in table_rows(page, "sites"))
    assert sites == {"Berlin Mitte": 6, "Hamburg Hafen": 2}
    tags = dict((row[0], int(row[1])) for row in table_rows(page, "tags"))
    assert tags["queue"] == 1
    assert tags["<b>odd</b>"] == 1
    assert "<b>odd</b>" not in page


def test_filters_are_honoured(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/trends", params={**RANGE, "site": "Hamburg Hafen"}, timeout=30)
    assert "2 entries from" in text(page.text)
    sites = dict((row[0], int(row[1])) for row in table_rows(page.text, "sites"))
    assert sites == {"Hamburg Hafen": 2}


def test_too_long_a_range_gets_a_message(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/trends", params={"from": "2000-01-01"}, timeout=30)
    assert page.status_code == 400
    assert "Choose a shorter range" in text(page.text)
    assert "<svg" not in page.text


def test_default_range_is_the_last_30_days(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/trends", timeout=30)
    assert page.status_code == 200
    assert len(table_rows(page.text, "per-day")) == 30


def test_a_long_range_counts_per_week(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(
        shared.url + "/trends", params={"from": "2026-06-01", "to": "2026-11-30"}, timeout=30
    )
    assert page.status_code == 200
    assert "Entries per week, by kind" in text(page.text)
    weeks = table_rows(page.text, "per-day")
    assert len(weeks) == 27  # Mon 1 June to Mon 30 November: 26 weeks and a day
    assert weeks[0][0] == "week of 1 Jun"
    assert sum(int(row[-1]) for row in weeks) == len(shared.entries)
    moods = table_rows(page.text, "moods")
    assert [row[0] for row in moods] == [row[0] for row in weeks]


def test_far_dates_get_a_message(own: Site) -> None:
    viewer = own.viewer()
    for dates in ({"from": "0001-01-01", "to": "0001-01-02"}, {"from": "9999-12-30"}):
        page = viewer.get(own.url + "/trends", params=dates, timeout=30)
        assert page.status_code == 400
        assert "outside the calendar" in text(page.text)
