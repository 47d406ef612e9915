"""The signed-in viewer of a request, as a FastAPI dependency built from the accounts."""

from collections.abc import Callable

from starlette.requests import Request

from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.guard import SignInRequired, Viewer, session_token, wanted_url
from earshot_sync.collector.web.zone import viewer_zone


def current_viewer(web: Web, request: Request, *, touch: bool = True) -> Viewer | None:
    """The viewer whose live session cookie came with the request; never a device token.

    ``touch=False``: a request the page's script makes by itself, which must not count as the
    viewer using the pages (it would keep an idle session alive for ever).
    """
    token = session_token(request)
    if token is None:
        return None
    session = web.accounts.session(token, web.clock(), touch=touch)
    if session is None:
        return None
    return Viewer(
        name=session.viewer.name,
        zone=viewer_zone(request),
        token=token,
        csrf=session.csrf_token,
    )


def viewer_required(web: Web, *, touch: bool = True) -> Callable[[Request], Viewer]:
    def require(request: Request) -> Viewer:
        viewer = current_viewer(web, request, touch=touch)
        if viewer is None:
            ended = session_token(request) is not None
            raise SignInRequired(wanted_url(request), ended=ended)
        return viewer

    return require
