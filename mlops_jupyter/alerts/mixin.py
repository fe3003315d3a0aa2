"""The alert deliverer of a client (library or server), created on first use.

Kept apart from :mod:`.delivery` so that creating a client does not import the
SMTP and HTTP machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .delivery import Deliverer


class AlertsClientMixin:
    """Gives a client its background alert deliverer."""

    def alert_deliverer(self) -> Deliverer:
        deliverer = self.__dict__.get("_deliverer")
        if deliverer is None:
            from .delivery import Deliverer

            deliverer = self.__dict__["_deliverer"] = Deliverer(self)  # type: ignore[arg-type]
        return deliverer
