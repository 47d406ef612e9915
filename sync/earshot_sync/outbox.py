"""What the sender needs of a journal: the outbox's contract, in wire terms only.

The desktop's journal (``earshot.core.journal.Journal``) fulfils it; the sender never sees an
entry object, only the wire payload the journal stored with each revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Mark:
    """What the collector said of one revision sent: held (acknowledged) or not, and why."""

    entry_id: str  # as on the wire: a lower-case UUID
    revision: int
    acknowledged: bool  # stored or a duplicate: the revision may be marked sent
    note: str | None = None  # why a person must look at it, when not acknowledged


class Outbox(Protocol):
    def claim_batch(self, limit: int) -> list[dict[str, Any]]:
        """The oldest queued revisions' wire payloads, marked as on their way."""
        ...

    def mark(self, marks: Sequence[Mark]) -> int:
        """Record what the collector said; returns how many entries changed."""
        ...

    def release_sending(self) -> int:
        """Put revisions left on their way (a failed pass, a crash) back in the queue."""
        ...

    def waiting(self) -> int:
        """Revisions queued or on their way."""
        ...

    def attention(self) -> int:
        """Entries the collector refused, which a person must look at."""
        ...
