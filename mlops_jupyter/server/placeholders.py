"""Routes of features that land in later releases: 404 ``not_available`` until then.

They are authenticated and authorized like the real ones (``mlops:registry``,
``mlops:monitoring``) so the side panel can tell "not enabled" from "not yet".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MlopsHandler, api_error


def _not_available(feature: str) -> Callable[..., Any]:
    # A fresh decorated method per class: ``@authorized`` remembers the first
    # ``auth_resource`` it sees, so one method must not serve two resources.
    @web.authenticated
    @authorized
    async def get(self: MlopsHandler, name: str | None = None) -> None:
        raise api_error(404, f"{feature} is not available yet in this version of "
                        "mlops-jupyter", "not_available")

    return get


class RegistryNotAvailable(MlopsHandler):
    auth_resource = "mlops:registry"
    get = _not_available("the model registry")


class MonitoringNotAvailable(MlopsHandler):
    auth_resource = "mlops:monitoring"
    get = _not_available("model monitoring")


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
