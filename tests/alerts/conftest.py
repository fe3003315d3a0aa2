"""A real SMTP server (aiosmtpd) on loopback, and a client whose alerts reach it."""

from __future__ import annotations

import time

import pytest

from tests.pg_cluster import free_port


class Inbox:
    """Collects what the SMTP server received; can answer with a chosen SMTP code."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.reply = "250 OK"
        self.delay = 0.0  # seconds to take before answering DATA (a slow server)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if self.reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.reply

    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def wait(self, n: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.envelopes) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages()


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(monkeypatch):
    port = free_port()
    monkeypatch.setenv("MLOPS_JUPYTER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MLOPS_JUPYTER_SMTP_PORT", str(port))
    monkeypatch.setenv("MLOPS_JUPYTER_SMTP_FROM_ADDRESS", "mlops@example.org")
    return port


@pytest.fixture
def smtp(smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(sqlite_url, tmp_path):
    import mlops_jupyter as mj

    c = mj.Client(sqlite_url, artifact_root=str(tmp_path / "artifacts"))
    yield c
    deliverer = c.__dict__.get("_deliverer")
    if deliverer is not None:
        deliverer.stop()
    c.close()
