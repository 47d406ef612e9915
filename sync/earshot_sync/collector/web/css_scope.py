"""A style sheet made to style only what is inside one element of a page.

The digest's style sheet is written for a page of its own (``html``, ``body``, ``h1``, ``table``
...). Shown inside the site's frame, those rules would restyle the frame too, so every selector
is put under a scope (``.digest-sheet h1``); ``html`` and ``body`` become the scope itself.
Parsed with tinycss2 (WeasyPrint's own CSS parser), so commas inside ``:is()`` and the like stay
where they are. ``@page`` and other at-rules that cannot be scoped are left out; ``@media``
blocks are scoped inside.
"""

from __future__ import annotations

from typing import Any

import tinycss2  # type: ignore[import-untyped]

# Selectors that stand for the page itself: inside the frame, the scope element is the page.
_PAGE_SELECTORS = ("html", "body", ":root")


def scoped(css: str, scope: str) -> str:
    """``css`` with every rule limited to the elements inside ``scope`` (a selector)."""
    return "\n".join(_rules(tinycss2.parse_stylesheet(css, True, True), scope))


def _rules(rules: list[Any], scope: str) -> list[str]:
    written: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = ", ".join(_selector(s, scope) for s in _split(rule.prelude))
            written.append(f"{selectors} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, True, True)
            body = "\n".join(_rules(inner, scope))
            written.append(f"@media {tinycss2.serialize(rule.prelude).strip()} {{\n{body}\n}}")
        # Anything else (@page, @font-face, @import, a parse error) would reach beyond the
        # scope or outside the site: left out.
    return written


def _split(prelude: list[Any]) -> list[str]:
    """The selectors of a rule's list (commas inside brackets and functions are tokens of
    their own block, so only the top-level ones separate)."""
    parts: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [text for text in (tinycss2.serialize(part).strip() for part in parts) if text]


def _selector(selector: str, scope: str) -> str:
    first, _, rest = selector.partition(" ")
    if first.lower() in _PAGE_SELECTORS:
        return f"{scope} {rest}".strip()
    if selector == "*":
        return f"{scope}, {scope} *"
    return f"{scope} {selector}"
