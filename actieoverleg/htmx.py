"""Page-or-fragment rendering for htmx 2 (static/htmx-2.0.11.min.js).

A fragment template (`_name.html`) is included by its page and returned alone to an htmx
request, so both paths render the same markup. Validation errors come back as 422 and
conflicts as 409 with the re-rendered fragment; htmx is told to swap those (see the
`htmx-config` meta tag in base.html).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, flash, redirect, render_template, request


def is_htmx() -> bool:
    """True for a request made by htmx (and not a boosted full-page navigation)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def redirect_or_fragment(
    url: str, fragment: str, message: str | None = None, **context: Any
) -> Response | tuple[str, int]:
    """After a successful change: the updated fragment for htmx (the message swapped into the
    live region out of band), POST/redirect/GET with the message flashed otherwise."""
    if is_htmx():
        return render_template(fragment, message=message, **context), 200
    if message:
        flash(message, "success")
    return redirect(url, code=303)


def init_app(app: Flask) -> None:
    """Responses differ by HX-Request, so caches must key on it."""

    @app.after_request
    def vary_on_hx(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response
