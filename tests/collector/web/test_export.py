"""Exports over HTTP: CSV that a spreadsheet cannot run, JSON Lines, both of any filtered view,
streamed, with the date in the file name."""

from __future__ import annotations

import csv
import io
import json
import re

import requests

from tests.collector.web.conftest import Site
from tests.collector.web.html import link, text


def test_csv_of_everything(shared: Site, viewer: requests.Session) -> None:
    answer = viewer.get(shared.url + "/export.csv", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="earshot-\d{4}-\d\d-\d\d\.csv"',
        answer.headers["Content-Disposition"],
    )
    # Streamed as it is read, never built whole first: chunked, no length known up front.
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in answer.headers
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
    assert {row["id"] for row in rows} == {entry["id"] for entry in shared.entries}
    by_id = {row["id"]: row for row in rows}
    hostile = by_id[shared.by_text("<script>")["id"]]
    assert hostile["text"] == '<script>alert("pwned")</script> and =1+2'
    # Formulas stay text: a leading = + - @ gets a quote.
    assert hostile["contact"] == "'@SUM(A1:A9)"
    assert by_id[shared.by_text("Parcel")["id"]]["contact"].startswith("'=HYPERLINK")
    long = by_id[shared.by_text("long ")["id"]]
    assert len(long["text"]) == 10_000
    anonymous = by_id[shared.by_text("Could the shop")["id"]]
    assert (anonymous["anonymous"], anonymous["staff"]) == ("yes", "")
    assert by_id[shared.by_text("Waited")["id"]]["follow_up_state"] == "open"


def test_jsonl_of_a_filtered_view(shared: Site, viewer: requests.Session) -> None:
    feed = viewer.get(shared.url + "/", params={"site": "Hamburg Hafen"}, timeout=30)
    href = link(feed.text, "export-jsonl")
    assert href is not None
    assert "site=Hamburg+Hafen" in href
    answer = viewer.get(shared.url + href, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in answer.text.splitlines()]
    expected = [entry for entry in shared.entries if entry["site"] == "Hamburg Hafen"]
    assert sorted(line["id"] for line in lines) == sorted(entry["id"] for entry in expected)
    praise = next(line for line in lines if line["kind"] == "praise")
    assert praise["idea"] == "Open on Sundays in December too."
    assert praise["tags"] == ["hours"]
    # Newest first, as the feed.
    assert [line["created_at"] for line in lines] == sorted(
        (line["created_at"] for line in lines), reverse=True
    )


def test_csv_link_follows_the_filters(shared: Site, viewer: requests.Session) -> None:
    feed = viewer.get(shared.url + "/", params={"q": "refund", "kind": "complaint"}, timeout=30)
    href = link(feed.text, "export-csv")
    assert href is not None
    rows = list(csv.DictReader(io.StringIO(viewer.get(shared.url + href, timeout=60).text)))
    assert [row["id"] for row in rows] == [shared.by_text("Waited")["id"]]


def test_bad_filter_gives_a_page_not_a_file(shared: Site, viewer: requests.Session) -> None:
    answer = viewer.get(shared.url + "/export.csv", params={"from": "someday"}, timeout=30)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "is not a date" in text(answer.text)
