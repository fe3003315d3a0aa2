"""The shared base of every mlops REST handler: auth resource, errors, JSON in and out.

Handlers parse input, call the store in a worker thread, and format the answer;
they hold no business rules. Errors are translated here, once: an ``MlopsError``
becomes its ``http_status`` with ``{"message", "reason": code, "field"}``; a
database failure becomes 503 ``storage_error``; anything else is a bare 500. No
traceback, token, password or SQL ever reaches the client.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from http.client import responses
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from sqlalchemy.exc import DBAPIError, IntegrityError
from tornado import web
from tornado.log import app_log

from ..errors import InvalidInput, MlopsError, NotFound, StorageError
from ..store.base import TrackingStore

T = TypeVar("T")

INT32_MAX = 2**31 - 1  # ids and steps are 32-bit integer columns on PostgreSQL
INT64_MAX = 2**63 - 1

# jupyter_server's IdentityProvider.generate_anonymous_user: a random uuid4 hex as the
# username and "Anonymous <moon>" as the name, made anew for each token request
# that carries no login cookie (every API client).
_ANONYMOUS_ID = re.compile(r"[0-9a-f]{32}")

_DEFAULT_REASONS = {400: "invalid_input", 403: "forbidden", 404: "not_found",
                    405: "method_not_allowed", 409: "conflict", 413: "too_large",
                    503: "storage_error"}


def error_body(status: int, exc: BaseException | None) -> dict[str, Any]:
    """The JSON of an error answer: never a traceback or a secret."""
    if isinstance(exc, MlopsError):
        body: dict[str, Any] = {"message": str(exc), "reason": exc.code}
        if exc.field:
            body["field"] = exc.field
        return body
    if isinstance(exc, web.HTTPError):
        message = exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
        reason = getattr(exc, "mlops_reason", None) or _DEFAULT_REASONS.get(status, "error")
        return {"message": message or responses.get(status, "error"), "reason": reason}
    if status == 503:
        return {"message": "the tracking database is unavailable", "reason": "storage_error"}
    return {"message": responses.get(status, "Unhandled error"),
            "reason": _DEFAULT_REASONS.get(status, "error")}


def api_error(status: int, message: str, reason: str) -> web.HTTPError:
    """An HTTPError whose JSON body carries ``reason`` (the status line stays standard)."""
    err = web.HTTPError(status, message.replace("%", "%%"))
    err.mlops_reason = reason  # type: ignore[attr-defined]
    return err


def _translate(exc: BaseException | None) -> BaseException | None:
    if isinstance(exc, IntegrityError):
        return NotFound("the iteration does not exist (or was removed meanwhile)",
                        field="iteration")
    if isinstance(exc, DBAPIError):
        return StorageError("the tracking database is unavailable",
                            hint="check the server log and the database")
    return exc


def in_pool(executor: Any) -> Callable[..., Awaitable[Any]]:
    """``await call(fn, *args)``: ``fn(*args)`` in ``executor``, off the event loop."""
    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
    return call


class MlopsHandler(APIHandler):
    """Base of every mlops route: ``auth_resource`` plus error and JSON handling."""

    auth_resource = "mlops:tracking"

    @property
    def store(self) -> TrackingStore:
        return self.settings["mlops_store"]

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call in the extension's thread pool."""
        return await in_pool(self.settings["mlops_executor"])(
            functools.partial(fn, *args, **kwargs))

    def actor(self) -> str:
        """Who makes this write, for the audit log and ``created_by``.

        A named Jupyter user (a custom IdentityProvider, JupyterHub) is recorded by
        ``username``. The anonymous users that jupyter_server invents for the shared
        token (a random id per request without a cookie, per browser session with
        one) all stand for whoever holds that token, so they are recorded as one
        stable actor, ``token:<first 12 hex of the token's SHA-256>`` (the token
        itself never reaches the database), or ``anonymous`` on a server without a
        token (password login or authentication disabled).
        """
        return actor_name(self.current_user, getattr(self, "token", None))

    # -- errors -------------------------------------------------------------------
    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        exc = _translate(exc_info[1]) if exc_info else None
        if isinstance(exc, MlopsError):
            status_code = exc.http_status
        if exc is not None and exc_info:
            kwargs["exc_info"] = (type(exc), exc, None)
        super().send_error(status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(error_body(status_code, exc_info[1] if exc_info else None)))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        translated = _translate(value)
        if isinstance(translated, MlopsError) and translated.http_status < 500:
            app_log.info("%s %s: %s", self.request.method, self.request.path, translated)
            return
        super().log_exception(typ, value, tb)

    # -- JSON ---------------------------------------------------------------------
    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, allow_nan=False, separators=(",", ":")))

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object with only valid text in it."""
        if not self.request.body:
            raise InvalidInput("the request needs a JSON object body", field="body")
        try:
            data = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidInput(f"the body is not valid JSON: {e}", field="body") from e
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object", field="body")
        # NUL and lone surrogates can only come from \u escapes or surrogate bytes
        # (json.loads decodes with surrogatepass): skip the walk over large clean bodies.
        if b"\\u" in self.request.body or b"\xed" in self.request.body:
            check_text(data, "body")
        return data

    def query_int(self, name: str, default: int | None = None, *, lo: int = 0,
                  hi: int = INT32_MAX) -> int | None:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError as e:
            raise InvalidInput(f"{name} must be an integer, got {text!r:.40}", field=name) from e
        if not lo <= value <= hi:
            raise InvalidInput(f"{name} must be between {lo} and {hi}", field=name)
        return value

    def query_bool(self, name: str, default: bool = False) -> bool:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise InvalidInput(f"{name} must be true or false, got {text!r:.40}", field=name)


def actor_name(user: Any, token: str | None) -> str:
    """The audit name of a jupyter_server user (see :meth:`MlopsHandler.actor`)."""
    username = getattr(user, "username", None) or str(user)
    name = getattr(user, "name", None) or ""
    if _ANONYMOUS_ID.fullmatch(username) and name.startswith("Anonymous "):
        if token:
            return "token:" + hashlib.sha256(token.encode()).hexdigest()[:12]
        return "anonymous"
    return username


def check_text(value: Any, where: str) -> None:
    """Reject NUL characters and lone surrogates anywhere in a JSON value."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{where} contains a NUL character", field=where)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidInput(f"{where} is not valid unicode text", field=where) from e
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(k, where)
            check_text(v, f"{where}.{k}" if where != "body" else k)
    elif isinstance(value, list):
        for v in value:
            check_text(v, where)


def path_id(text: str, what: str) -> int:
    """A numeric id from the URL; out-of-range ids cannot exist."""
    value = int(text)
    if value > INT32_MAX:
        raise NotFound(f"no {what} with id {text:.20}", field=what)
    return value


# -- typed access to body fields -------------------------------------------------------
_MISSING = object()


def field(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *,
          required: bool = False, nullable: bool = True, max_length: int | None = None,
          lo: int | None = None, hi: int | None = None) -> Any:
    """``body[key]`` checked against ``kind`` (bools are never ints)."""
    value = body.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required or (value is None and not nullable):
            raise InvalidInput(f"{key} is required", field=key)
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
        raise InvalidInput(f"{key} must be {names}, got {type(value).__name__}", field=key)
    if max_length is not None and isinstance(value, str) and len(value) > max_length:
        raise InvalidInput(f"{key} is {len(value)} characters long; the limit is {max_length}",
                           field=key)
    if isinstance(value, int) and not isinstance(value, bool) and (
            (lo is not None and value < lo) or (hi is not None and value > hi)):
        raise InvalidInput(f"{key} must be between {lo} and {hi}", field=key)
    if isinstance(value, float) and not math.isfinite(value) and float in kinds:
        raise InvalidInput(f"{key} must be a finite number", field=key)
    return value


_TYPE_NAMES = {str: "text", int: "an integer", float: "a number", dict: "an object",
               list: "an array", bool: "true or false"}
