"""How much one request may carry, and reading a body without ever holding more than that.

The declared Content-Length is checked first, then the bytes as they arrive, then the bytes
after gunzip: a small gzip "bomb" that expands to gigabytes is stopped as soon as it passes the
limit, never held in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from earshot_sync.protocol import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES


@dataclass(frozen=True)
class Limits:
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES  # applies to the body as sent and after gunzip


class BodyTooLarge(ValueError):
    pass


# How much of an oversized body is still read (and thrown away) before answering 413, as a
# multiple of max_bytes. A server that answers and closes while the client is still sending
# makes the client's TCP stack see a reset, and a client that sees a reset instead of the 413
# retries the same batch forever instead of halving it. Beyond this, the client gets the reset.
DRAIN_FACTOR = 4


class BadBody(ValueError):
    """The body cannot be read: a broken gzip stream, or a Content-Length that is not a number."""


class UnsupportedEncoding(ValueError):
    pass


def _gzip_wanted(headers: Mapping[str, str]) -> bool:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return False
    if encoding in ("gzip", "x-gzip"):
        return True
    raise UnsupportedEncoding(f"Content-Encoding '{encoding[:40]}' is not supported; use gzip")


async def drain(headers: Mapping[str, str], chunks: AsyncIterator[bytes], max_bytes: int) -> None:
    """Read and discard the rest of an oversized body, if it is small enough to be worth it."""
    budget = DRAIN_FACTOR * max_bytes
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        return
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > budget:
            return


async def read_body(
    headers: Mapping[str, str], chunks: AsyncIterator[bytes], max_bytes: int
) -> bytes:
    """The decoded body; raises :class:`BodyTooLarge` as soon as it exceeds ``max_bytes``."""
    gzipped = _gzip_wanted(headers)
    declared = headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError as error:
            raise BadBody("Content-Length is not a number") from error
        if size > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
    received = 0
    body = bytearray()
    # 16 + MAX_WBITS: a gzip header and trailer, not a bare zlib stream.
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    async for chunk in chunks:
        received += len(chunk)
        if received > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
        if decoder is None:
            body += chunk
            continue
        try:
            # Never produce more than one byte past the limit, however well the chunk compresses.
            body += decoder.decompress(chunk, max_bytes + 1 - len(body))
        except zlib.error as error:
            raise BadBody("the body is not a valid gzip stream") from error
        if len(body) > max_bytes or decoder.unconsumed_tail:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes after gunzip")
    if decoder is not None and (not decoder.eof or decoder.unused_data):
        raise BadBody("the gzip stream is truncated or has data after its end")
    return bytes(body)
