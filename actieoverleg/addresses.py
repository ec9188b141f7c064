"""Addresses the app hands out: absolute links (for mails, invites and the calendar feed,
made outside a request as well) and the sender's domain, which names every Message-ID and
calendar UID.

Links start at `BASE_URL` when it is configured (production: the address users open, behind
the TLS proxy). Unset, they start at the address the request came in on, so `flask run -p
5055` links to port 5055; outside a request (a CLI command) at `LOCAL_URL`. `make run` sets
`BASE_URL` from its HOST and PORT, so the demo's mails and the CLI's link there too.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

LOCAL_URL = "http://127.0.0.1:5000"  # flask's own default address


def base_url() -> str:
    """Where links start: BASE_URL, else the request's own root, else the local default."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    return request.url_root if has_request_context() else LOCAL_URL


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link under `base_url()`; works outside a request (CLI, background)."""
    base = urlsplit(base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def sender_address() -> str:
    """The bare address of MAIL_DEFAULT_SENDER: From, and the invites' organiser."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def mail_domain() -> str:
    return sender_address().rpartition("@")[2] or "localhost"
