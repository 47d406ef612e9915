"""Trends: entries per day by kind, how customers felt over time, top tags and sites, drawn
as SVG on the server for the same filters as the feed (the dates are the chart's range)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from earshot_sync.collector.reading import Trends
from earshot_sync.collector.web import charts
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.filters import FilterForm, parse_filters
from earshot_sync.collector.web.guard import Viewer
from earshot_sync.collector.web.menus import menus
from earshot_sync.collector.web.render import KIND_LABELS, MOOD_LABELS
from earshot_sync.collector.web.viewers import viewer_required
from earshot_sync.protocol import KINDS

DEFAULT_DAYS = 30
MAX_DAYS = 2 * 366
# Beyond this many days, the charts count per week: 300 daily bars or points are noise.
WEEKLY_AFTER = 62
MOODS = ("positive", "neutral", "negative", "none")


@dataclass(frozen=True)
class Chart:
    key: str  # the section's id
    heading: str
    svg: Markup
    columns: tuple[str, ...]  # the table fallback
    rows: tuple[tuple[Any, ...], ...]


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def chosen_range(form: FilterForm, today: date) -> tuple[date, date]:
    """The first and last day (both included): the form's dates, else the last 30 days."""
    end = form.end_date or max(today, form.start_date or today)
    start = form.start_date or end - timedelta(days=DEFAULT_DAYS - 1)
    return start, end


def weekly(
    days: Sequence[date], counts: Mapping[str, Sequence[int]]
) -> tuple[list[str], dict[str, list[int]]]:
    """Sum daily counts into weeks starting on Monday (the first week may be short)."""
    labels: list[str] = []
    sums: dict[str, list[int]] = {name: [] for name in counts}
    for index, day in enumerate(days):
        if index == 0 or day.weekday() == 0:
            labels.append("week of " + day_label(day))
            for name in sums:
                sums[name].append(0)
        for name, values in counts.items():
            sums[name][-1] += values[index]
    return labels, sums


def _span(start: date, end: date) -> str:
    return f"from {start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def build_charts(trends: Trends, start: date, end: date) -> list[Chart]:
    days = list(trends.days)
    labels = [day_label(day) for day in days]
    kinds = [kind for kind in KINDS if kind in trends.kinds_per_day]
    per_kind = {kind: list(trends.kinds_per_day[kind]) for kind in kinds}
    moods = {mood: list(trends.sentiments_per_day.get(mood, (0,) * len(days))) for mood in MOODS}
    period = "day"
    if len(days) > WEEKLY_AFTER:
        # Hundreds of daily bars are too thin to read (or to hover): one per week instead.
        _, per_kind = weekly(days, per_kind)
        labels, moods = weekly(days, moods)
        period = "week"
    span = _span(start, end)
    return [
        _kinds_chart(trends.total, labels, per_kind, period, span),
        _moods_chart(labels, moods, period, span),
        *_ranked_charts(trends, span),
    ]


def _kinds_chart(
    total: int, labels: list[str], per_kind: dict[str, list[int]], period: str, span: str
) -> Chart:
    """Entries per day (or week) as bars stacked by kind; ``per_kind`` in KINDS' order."""
    kinds = list(per_kind)
    totals = [sum(per_kind[kind][i] for kind in kinds) for i in range(len(labels))]
    busiest = max(range(len(labels)), key=lambda i: totals[i], default=None)
    heading = f"Entries per {period}, by kind"
    summary = f"{heading}, {span}: {total} in all"
    if busiest is not None and totals[busiest]:
        summary += f"; the busiest {period} was {labels[busiest]} with {totals[busiest]}"
    return Chart(
        key="per-day",
        heading=heading,
        svg=charts.stacked_bars(
            heading,
            summary + ".",
            labels,
            [
                charts.Series(KIND_LABELS[kind], charts.KIND_COLOURS[kind], per_kind[kind])
                for kind in kinds
            ],
            "entries",
        ),
        columns=(period.capitalize(), *(KIND_LABELS[kind] for kind in kinds), "All"),
        rows=tuple(
            (labels[i], *(per_kind[kind][i] for kind in kinds), totals[i])
            for i in range(len(labels))
        ),
    )


def _moods_chart(labels: list[str], moods: dict[str, list[int]], period: str, span: str) -> Chart:
    """How customers felt per day (or week): one line per sentiment, "none" included."""
    heading = f"How customers felt, per {period}"
    feelings = ", ".join(f"{sum(moods[mood])} {MOOD_LABELS[mood].lower()}" for mood in MOODS)
    return Chart(
        key="moods",
        heading=heading,
        svg=charts.lines(
            heading,
            f"{heading}, {span}: {feelings}.",
            labels,
            [
                charts.Series(MOOD_LABELS[mood], charts.SENTIMENT_COLOURS[mood], moods[mood])
                for mood in MOODS
            ],
        ),
        columns=(period.capitalize(), *(MOOD_LABELS[mood] for mood in MOODS)),
        rows=tuple((label, *(moods[mood][i] for mood in MOODS)) for i, label in enumerate(labels)),
    )


def _ranked_charts(trends: Trends, span: str) -> list[Chart]:
    """The most used tags and the entries per site, most first."""
    made: list[Chart] = []
    for key, heading, pairs, unit in (
        ("tags", "Most used tags", trends.top_tags, "entries"),
        ("sites", "Entries per site", trends.per_site, "entries"),
    ):
        listed = ", ".join(f"{name} {count}" for name, count in pairs[:5]) or "none"
        made.append(
            Chart(
                key=key,
                heading=heading,
                svg=charts.bars(heading, f"{heading}, {span}: {listed}.", pairs, unit),
                columns=("Tag" if key == "tags" else "Site", "Entries"),
                rows=tuple(pairs),
            )
        )
    return made


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)

    @routes.get("/trends", response_class=HTMLResponse)
    def trends(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> HTMLResponse:
        form = parse_filters(request.query_params, viewer.zone)
        today = web.clock().astimezone(viewer.zone).date()
        problems = list(form.problems)
        start, end = chosen_range(form, today)
        if form.ok and (end - start).days + 1 > MAX_DAYS:
            problems.append(
                f"That is {(end - start).days + 1:,} days: charts show at most {MAX_DAYS} days "
                "(two years). Choose a shorter range."
            )
        made: list[Chart] = []
        total = 0
        if not problems:
            found = web.reader.trends(
                form.feed_filter, start=start, end=end + timedelta(days=1), tz=viewer.zone
            )
            made, total = build_charts(found, start, end), found.total
        return web.pages.page(
            request,
            "trends.html",
            {
                "viewer": viewer,
                "zone": viewer.zone,
                "nav": "trends",
                "tz_sensitive": True,
                "form": form,
                "extra_problems": problems[len(form.problems) :],
                "menus": menus(web.reader.choices(), form),
                "charts": made,
                "total": total,
                "span": _span(start, end),
                "shown": bool(made),
            },
            status=200 if not problems else 400,
        )

    return routes
