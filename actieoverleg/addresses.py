"""Addresses the app hands out: absolute links under BASE_URL (for mails, invites and the
calendar feed, made outside a request as well) and the sender's domain, which names every
Message-ID and calendar UID.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link under BASE_URL; works outside a request (CLI, background)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def sender_address() -> str:
    """The bare address of MAIL_DEFAULT_SENDER: From, and the invites' organiser."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def mail_domain() -> str:
    return sender_address().rpartition("@")[2] or "localhost"
