"""A CSV cell as a spreadsheet should show it; the desktop and the collector export with it."""

from __future__ import annotations

from typing import Any

# A cell that starts with one of these is run as a formula by spreadsheet programs; a customer's
# words must never become a formula. https://owasp.org/www-community/attacks/CSV_Injection
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as CSV text: empty for None, yes/no, a list joined, a formula kept as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ", ".join(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
