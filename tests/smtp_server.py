"""A real SMTP server in the test process (aiosmtpd), with switches for the fault tests."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps what it accepts; can refuse recipients or answer DATA with a code."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}  # recipient -> reply, e.g. "550 5.1.1 unknown"
        self.data_replies: list[str] = []  # the next DATA replies, e.g. ["451 4.3.0 try later"]
        self.on_data = None  # called (in the server thread) after a message is taken in
        self.delay = 0.0  # seconds before answering DATA
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.data_replies:
                return self.data_replies.pop(0)
            self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.on_data is not None:
            self.on_data()
        return "250 OK queued"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class SMTPServer:
    """Start and stop on a fixed port, so "server down, then up" is the same address."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
