"""The choices of the filter form's menus: what the store knows, plus what the URL asked for
(a shared link may name a site this collector has not heard from yet)."""

from __future__ import annotations

from dataclasses import dataclass

from earshot_sync.collector.reading import Choices
from earshot_sync.collector.web.filters import FilterForm


@dataclass(frozen=True)
class Menus:
    sites: tuple[str, ...]
    stations: tuple[str, ...]
    tags: tuple[str, ...]


def _with(known: tuple[str, ...], chosen: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(known) + tuple(value for value in chosen if value not in known)


def menus(choices: Choices, form: FilterForm) -> Menus:
    return Menus(
        sites=_with(tuple(choices.sites), form.sites),
        stations=_with(tuple(choices.stations), form.stations),
        tags=tuple(choices.tags),
    )
