"""Device tokens: made here, shown once, stored only as a hash.

A token is 32 random bytes from :mod:`secrets` (256 bits). It is stored as its plain SHA-256:
slow password hashes (bcrypt, Argon2) exist to make guessing *low-entropy* secrets expensive,
but there is nothing to guess in 256 random bits, and a fast hash lets every request be checked
with one indexed lookup instead of costing tens of milliseconds of CPU. A stolen database does
not give the tokens back, because SHA-256 cannot be inverted.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
