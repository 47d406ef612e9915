"""Global hotkey combinations such as ``"Ctrl+Alt+F"``: parsed, checked and written back.

Qt-free so that the settings file, the CLI and every platform backend agree on one spelling.
A combination needs at least one of Ctrl, Alt or Meta: Shift alone would swallow capital
letters everywhere, and a bare key would be taken from every program on the PC.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

# Written in this order, whatever order they were typed in.
MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
_MODIFIER_ALIASES = {
    "ctrl": "Ctrl",
    "control": "Ctrl",
    "alt": "Alt",
    "option": "Alt",
    "shift": "Shift",
    "meta": "Meta",
    "super": "Meta",
    "win": "Meta",
    "windows": "Meta",
    "cmd": "Meta",
}
_NAMED_KEYS = (
    "Space",
    "Insert",
    "Delete",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Pause",
)
_KEY_ALIASES = {name.lower(): name for name in _NAMED_KEYS} | {
    "del": "Delete",
    "ins": "Insert",
    "pgup": "PageUp",
    "pgdown": "PageDown",
    "page up": "PageUp",
    "page down": "PageDown",
}
FUNCTION_KEYS = tuple(f"F{number}" for number in range(1, 25))
KEYS: tuple[str, ...] = (
    tuple(string.ascii_uppercase) + tuple(string.digits) + FUNCTION_KEYS + _NAMED_KEYS
)


class ComboInvalid(ValueError):
    """The text is not a combination Earshot can register; the message says how to fix it."""


@dataclass(frozen=True)
class Combo:
    """Modifiers (a subset of :data:`MODIFIERS`) and one key from :data:`KEYS`."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        return "+".join([m for m in MODIFIERS if m in self.modifiers] + [self.key])

    @property
    def ctrl(self) -> bool:
        return "Ctrl" in self.modifiers

    @property
    def alt(self) -> bool:
        return "Alt" in self.modifiers

    @property
    def shift(self) -> bool:
        return "Shift" in self.modifiers

    @property
    def meta(self) -> bool:
        return "Meta" in self.modifiers


def _key_name(part: str) -> str | None:
    upper = part.upper()
    if len(part) == 1 and upper in KEYS:
        return upper
    if upper in FUNCTION_KEYS:
        return upper
    return _KEY_ALIASES.get(part.lower())


def parse(text: str) -> Combo:
    """``text`` as a :class:`Combo`; :class:`ComboInvalid` with a plain message otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise ComboInvalid("The shortcut is empty. Type one like Ctrl+Alt+F.")
    # "Ctrl++" is not a key we offer, so "+" only ever separates.
    parts = [part.strip() for part in cleaned.split("+")]
    if any(not part for part in parts):
        raise ComboInvalid(f'"{cleaned}" has an empty part. Type one like Ctrl+Alt+F.')
    *modifier_parts, key_part = parts
    modifiers: set[str] = set()
    for part in modifier_parts:
        modifier = _MODIFIER_ALIASES.get(part.lower())
        if modifier is None:
            raise ComboInvalid(
                f'"{part}" is not a modifier key. Use Ctrl, Alt, Shift or Meta (the Windows key).'
            )
        if modifier in modifiers:
            raise ComboInvalid(f'"{part}" is in "{cleaned}" twice.')
        modifiers.add(modifier)
    key = _key_name(key_part)
    if key is None:
        if _MODIFIER_ALIASES.get(key_part.lower()):
            raise ComboInvalid(
                f'"{cleaned}" has no key after the modifiers. Add a letter, like Ctrl+Alt+F.'
            )
        raise ComboInvalid(
            f'"{key_part}" cannot be used as the key. Use a letter, a digit, F1 to F24, Space, '
            "Insert, Delete, Home, End, Page Up, Page Down or Pause."
        )
    if not modifiers & {"Ctrl", "Alt", "Meta"}:
        raise ComboInvalid(
            f'"{cleaned}" needs Ctrl, Alt or Meta too, or it would take the key away from every '
            "other program. Try Ctrl+Alt+F."
        )
    return Combo(frozenset(modifiers), key)


def normalise(text: str) -> str:
    """The canonical spelling of ``text`` (``"alt+ctrl+f"`` -> ``"Ctrl+Alt+F"``)."""
    return str(parse(text))
