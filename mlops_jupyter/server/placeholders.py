"""The catch-all route under ``mlops/api/``: a JSON 404 rather than an HTML page."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MlopsHandler, api_error


class UnknownRouteHandler(MlopsHandler):
    """Anything else under ``mlops/api/``: a JSON 404 rather than an HTML page."""

    async def _unknown(self, *args: str) -> None:
        raise api_error(404, f"no route {self.request.method} {self.request.path}",
                        "not_found")

    get = web.authenticated(authorized(_unknown))
    post = web.authenticated(authorized(_unknown))
    put = web.authenticated(authorized(_unknown))
    patch = web.authenticated(authorized(_unknown))
    delete = web.authenticated(authorized(_unknown))
