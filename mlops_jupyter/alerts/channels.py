"""Delivery channels: email over SMTP and JSON webhooks.

Emails carry a plain-text and an HTML part; every piece of user text is escaped in
the HTML, and header values are stripped of every line separator (CR, LF, NEL, U+2028,
U+2029), of other control and format characters and of RFC 2047 encoded-word
markers, so no name can add a header or a recipient. Webhooks refuse
loopback, link-local, private and other non-public addresses unless the host is
allowlisted (server-side request forgery).
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import smtplib
import socket
import ssl
import unicodedata
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from ..config import read_config_file
from ..errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class TransientError(Exception):
    """Delivery failed but may succeed later (retry with backoff)."""


class PermanentError(Exception):
    """Delivery can never succeed as configured (shown as failed)."""


# Characters never kept in a header: controls (C0, DEL, C1 such as NEL U+0085), format
# characters (bidi overrides, zero-width), surrogates, private-use and unassigned code
# points, and the line and paragraph separators U+2028/U+2029. Python's email
# package splits header values with str.splitlines(), which breaks on NEL, U+2028 and
# U+2029 as well as CR/LF, and refuses such a value.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def header_text(value: Any, limit: int = 200) -> str:
    """User text made safe for a header: one line, no encoded-word markers.

    Every unsafe character (see ``_UNSAFE_CATEGORIES``) becomes a space, runs of
    whitespace become one space, and the result is cut to ``limit`` characters; the
    email package then folds and encodes it (RFC 2047) as needed.
    """
    text = "".join(" " if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch
                   for ch in str(value))
    text = _SPACES.sub(" ", text).strip()
    text = text.replace("=?", "= ?").replace("?=", "? =")
    return text[:limit]


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server. The password is never printed or logged."""

    host: str = "localhost"
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    from_address: str = "mlops-jupyter@localhost"
    timeout: float = 10.0

    @classmethod
    def resolve(cls, **overrides: Any) -> SmtpSettings:
        """Explicit values > ``MLOPS_JUPYTER_SMTP_*`` environment > ``[smtp]`` in the config."""
        table = read_config_file().get("smtp", {})
        values: dict[str, Any] = {}
        for key, cast in (("host", str), ("port", int), ("security", str), ("user", str),
                          ("password", str), ("from_address", str), ("timeout", float)):
            env = os.environ.get(f"MLOPS_JUPYTER_SMTP_{key.upper()}")
            raw = overrides.get(key)
            if raw is None:
                raw = env if env not in (None, "") else table.get(key)
            if raw is not None:
                values[key] = cast(raw)
        settings = cls(**values)
        if settings.security not in ("none", "starttls", "ssl"):
            raise InvalidInput("smtp security must be none, starttls or ssl",
                               field="security")
        return settings


def render_email(settings: SmtpSettings, recipients: list[str], subject: str,
                 text_body: str, html_body: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.from_address
    msg["To"] = ", ".join(recipients)  # validated plain addresses only
    msg["Subject"] = header_text(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id  # stable per event: receivers can drop a duplicate
    msg.set_content(text_body)
    msg.add_alternative(html_body, subtype="html")
    return msg


def send_email(settings: SmtpSettings, msg: EmailMessage, recipients: list[str]) -> None:
    """Send one message; raise TransientError or PermanentError on failure."""
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout,
                context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password or "")
            refused = client.send_message(msg, to_addrs=recipients)
        if refused:
            raise PermanentError(f"recipients refused: {', '.join(sorted(refused))}")
    except smtplib.SMTPAuthenticationError as e:
        raise PermanentError(f"SMTP login refused ({e.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as e:
        raise PermanentError(f"recipients refused: {', '.join(sorted(e.recipients))}") from None
    except smtplib.SMTPResponseException as e:
        detail = f"SMTP {e.smtp_code}: {_reply(e.smtp_error)}"
        if 500 <= e.smtp_code < 600:
            raise PermanentError(detail) from None
        raise TransientError(detail) from None
    except (smtplib.SMTPException, OSError) as e:
        raise TransientError(f"SMTP server unreachable: {type(e).__name__}: {e}") from None


def _reply(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _CONTROL.sub(" ", str(value))[:200]


def html_table(rows: list[tuple[Any, Any]]) -> str:
    cells = "".join(f"<tr><th align='left'>{html.escape(str(k))}</th>"
                    f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table border='1' cellpadding='4' cellspacing='0'>{cells}</table>"


def text_table(rows: list[tuple[Any, Any]]) -> str:
    width = max((len(str(k)) for k, _ in rows), default=0)
    return "\n".join(f"  {str(k):<{width}}  {v}" for k, v in rows)


# -- webhooks ---------------------------------------------------------------------------
def webhook_allowlist() -> set[str]:
    env = os.environ.get("MLOPS_JUPYTER_WEBHOOK_ALLOWLIST", "")
    hosts = {h.strip().lower() for h in env.split(",") if h.strip()}
    configured = read_config_file().get("webhook_allowlist", [])
    hosts.update(str(h).lower() for h in ([configured] if isinstance(configured, str)
                                           else configured))
    return hosts


def check_public_host(url: str, allow: set[str] | None = None) -> list[str]:
    """Resolve the URL's host; refuse non-public addresses unless the host is allowlisted."""
    host = (urlsplit(url).hostname or "").lower()
    allow = webhook_allowlist() if allow is None else allow
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as e:
        raise TransientError(f"cannot resolve webhook host {host!r}: {e}") from None
    addresses = sorted({info[4][0] for info in infos})
    if host in allow:
        return addresses
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise PermanentError(
                f"webhook host {host!r} resolves to {addr}, a loopback, link-local, private "
                "or reserved address; add the host to webhook_allowlist to allow it")
    return addresses


def post_webhook(url: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
    import urllib3

    check_public_host(url)
    try:
        response = urllib3.request("POST", url, body=json.dumps(payload, default=str),
                                   headers={"Content-Type": "application/json"},
                                   timeout=timeout, retries=False, redirect=False)
    except urllib3.exceptions.HTTPError as e:
        raise TransientError(f"webhook unreachable: {type(e).__name__}") from None
    if response.status >= 500 or response.status == 429:
        raise TransientError(f"webhook answered {response.status}")
    if response.status >= 300:
        raise PermanentError(f"webhook answered {response.status}")
