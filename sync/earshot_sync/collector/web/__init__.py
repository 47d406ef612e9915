"""The viewer pages: a feed, one entry, trends, the follow-up queue and exports, for people.

Each route module does one job and builds an APIRouter from a :class:`~.context.Web` handed to
it; :func:`install` puts them on the collector's app. Nothing here is reachable with a device
token: pages ask for a viewer's session cookie, and the device API never accepts one.
"""

from earshot_sync.collector.web.install import install

__all__ = ["install"]
