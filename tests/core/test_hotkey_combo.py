"""Hotkey combinations: any spelling IT or a user types becomes one canonical form or a reason."""

from __future__ import annotations

import pytest

from earshot.core.hotkey_combo import ComboInvalid, normalise, parse


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Ctrl+Alt+F", "Ctrl+Alt+F"),
        ("alt+ctrl+f", "Ctrl+Alt+F"),
        (" Control + Option + f ", "Ctrl+Alt+F"),
        ("Win+Shift+F9", "Shift+Meta+F9"),
        ("super+space", "Meta+Space"),
        ("Ctrl+Alt+PgDown", "Ctrl+Alt+PageDown"),
        ("Ctrl+Alt+7", "Ctrl+Alt+7"),
        ("ctrl+f24", "Ctrl+F24"),
    ],
)
def test_spellings_become_one_canonical_form(typed: str, canonical: str) -> None:
    assert normalise(typed) == canonical
    assert parse(canonical) == parse(typed)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Ctrl++F", "empty part"),
        ("Ctrl+Alt", "no key after the modifiers"),
        ("Hyper+F", '"Hyper" is not a modifier key'),
        ("Ctrl+Ctrl+F", "twice"),
        ("Ctrl+Alt+Tab", '"Tab" cannot be used as the key'),
        ("Ctrl+Alt+F25", '"F25" cannot be used'),
        ("Ctrl+Alt+é", "cannot be used as the key"),
        ("F", "needs Ctrl, Alt or Meta"),
        ("Shift+F", "needs Ctrl, Alt or Meta"),
    ],
)
def test_bad_combinations_say_why(typed: str, reason: str) -> None:
    with pytest.raises(ComboInvalid, match=reason.replace("+", r"\+")):
        parse(typed)


def test_the_default_hotkey_is_valid() -> None:
    from earshot.core.settings import Preferences

    assert normalise(Preferences().hotkey) == Preferences().hotkey
