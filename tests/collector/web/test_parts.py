"""The pages' small pure parts, on their own: where sign-in may lead, time zone names, chart
scales and the escaping of what people typed into chart labels."""

from __future__ import annotations

import pytest

from earshot_sync.collector.web import charts
from earshot_sync.collector.web.guard import safe_next
from earshot_sync.collector.web.zone import parse_zone


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/trends?kind=praise", "/trends?kind=praise"),
        ("/entries/abc", "/entries/abc"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_safe_next(candidate: str | None, expected: str) -> None:
    assert safe_next(candidate) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("UTC", "UTC"),
        ("../../../etc/passwd", "UTC"),
        ("/etc/localtime", "UTC"),
        ("America", "UTC"),
        ("Not/AZone", "UTC"),
        ("Europe/Berlin\x00", "UTC"),
        ("x" * 100, "UTC"),
        (None, "UTC"),
    ],
)
def test_parse_zone(name: str | None, expected: str) -> None:
    assert parse_zone(name).key == expected


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (7, 2), (10, 5), (40, 10), (99, 50), (1234, 500)]
)
def test_nice_step(largest: int, step: int) -> None:
    assert charts.nice_step(largest) == step


def test_chart_labels_are_escaped() -> None:
    svg = charts.bars(
        'Tags <script>"', "desc & more", [("<img src=x onerror=alert(1)>", 3)], "entries"
    )
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert "desc &amp; more" in svg
    drawn = charts.stacked_bars(
        "Per day", "s", ["1 Mar", "2 Mar"], [charts.Series("A<b>", "#000", [1, 0])], "entries"
    )
    assert "A<b>" not in drawn
    assert drawn.count("<rect") == 1 + 1 + 1  # the legend, the day's hover area, one bar
