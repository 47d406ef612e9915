"""What every page needs, handed to the routers once (no module-level singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from earshot_sync.collector.accounts import Accounts
from earshot_sync.collector.follow_ups import FollowUps
from earshot_sync.collector.reading import Reader
from earshot_sync.collector.store import Store
from earshot_sync.collector.web.render import Pages

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Web:
    reader: Reader
    follow_ups: FollowUps
    accounts: Accounts
    pages: Pages
    clock: Clock
    # The monthly digest reads its figures straight from the store (digest.build_digest).
    store: Store
