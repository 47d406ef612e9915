"""Each platform's name or code for the keys of :mod:`earshot.core.hotkey_combo` (Qt-free).

Parsing and checking the text lives in the core; these tables only translate a checked
:class:`~earshot.core.hotkey_combo.Combo` into what one OS call expects.
"""

from __future__ import annotations

from earshot.core.hotkey_combo import FUNCTION_KEYS, Combo

# X11 keysym names (XStringToKeysym).
_X11_NAMED = {
    "Space": "space",
    "Insert": "Insert",
    "Delete": "Delete",
    "Home": "Home",
    "End": "End",
    "PageUp": "Prior",
    "PageDown": "Next",
    "Pause": "Pause",
}


def x11_keysym_name(combo: Combo) -> str:
    key = combo.key
    if len(key) == 1:
        return key.lower()
    return _X11_NAMED.get(key, key)


# Windows virtual-key codes (winuser.h).
_WINDOWS_NAMED = {
    "Space": 0x20,
    "PageUp": 0x21,
    "PageDown": 0x22,
    "End": 0x23,
    "Home": 0x24,
    "Insert": 0x2D,
    "Delete": 0x2E,
    "Pause": 0x13,
}
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000


def windows_virtual_key(combo: Combo) -> int:
    key = combo.key
    if len(key) == 1:
        return ord(key)  # VK_A..VK_Z and VK_0..VK_9 are the ASCII codes
    if key in FUNCTION_KEYS:
        return 0x70 + FUNCTION_KEYS.index(key)  # VK_F1 = 0x70 .. VK_F24 = 0x87
    return _WINDOWS_NAMED[key]


def windows_modifiers(combo: Combo) -> int:
    # MOD_NOREPEAT: holding the keys down opens the window once, not forty times a second.
    flags = MOD_NOREPEAT
    flags |= MOD_CONTROL if combo.ctrl else 0
    flags |= MOD_ALT if combo.alt else 0
    flags |= MOD_SHIFT if combo.shift else 0
    flags |= MOD_WIN if combo.meta else 0
    return flags


# macOS virtual key codes (Carbon HIToolbox/Events.h, kVK_*): they follow the ANSI layout's
# positions, not the alphabet.
_MAC_LETTERS = {
    "A": 0x00, "S": 0x01, "D": 0x02, "F": 0x03, "H": 0x04, "G": 0x05, "Z": 0x06, "X": 0x07,
    "C": 0x08, "V": 0x09, "B": 0x0B, "Q": 0x0C, "W": 0x0D, "E": 0x0E, "R": 0x0F, "Y": 0x10,
    "T": 0x11, "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
    "7": 0x1A, "8": 0x1C, "0": 0x1D, "O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25,
    "J": 0x26, "K": 0x28, "N": 0x2D, "M": 0x2E,
}  # fmt: skip
_MAC_FUNCTION = {
    "F1": 0x7A,
    "F2": 0x78,
    "F3": 0x63,
    "F4": 0x76,
    "F5": 0x60,
    "F6": 0x61,
    "F7": 0x62,
    "F8": 0x64,
    "F9": 0x65,
    "F10": 0x6D,
    "F11": 0x67,
    "F12": 0x6F,
    "F13": 0x69,
    "F14": 0x6B,
    "F15": 0x71,
    "F16": 0x6A,
    "F17": 0x40,
    "F18": 0x4F,
    "F19": 0x50,
    "F20": 0x5A,
}
_MAC_NAMED = {
    "Space": 0x31,
    "Home": 0x73,
    "End": 0x77,
    "PageUp": 0x74,
    "PageDown": 0x79,
    "Delete": 0x75,  # kVK_ForwardDelete
    "Insert": 0x72,  # kVK_Help sits where Insert is on a PC keyboard
}
# Carbon modifier masks. Qt maps "Ctrl" to the Command key on macOS, so we do too: a
# combination typed into Qt's shortcut editor means the same keys here.
MAC_CMD, MAC_SHIFT, MAC_OPTION, MAC_CONTROL = 0x0100, 0x0200, 0x0800, 0x1000


class KeyNotOnPlatform(LookupError):
    """The key exists in the combination syntax but not on this OS (F21-F24, Pause on macOS)."""


def mac_key_code(combo: Combo) -> int:
    key = combo.key
    code = _MAC_LETTERS.get(key) if len(key) == 1 else None
    if code is None:
        code = _MAC_FUNCTION.get(key, _MAC_NAMED.get(key))
    if code is None:
        raise KeyNotOnPlatform(key)
    return code


def mac_modifiers(combo: Combo) -> int:
    flags = MAC_CMD if combo.ctrl else 0
    flags |= MAC_OPTION if combo.alt else 0
    flags |= MAC_SHIFT if combo.shift else 0
    flags |= MAC_CONTROL if combo.meta else 0
    return flags
