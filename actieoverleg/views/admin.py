"""Beheer: regions, organisations, users, meeting series, audit log."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..permissions import allow, is_admin

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.route("/")
@allow(is_admin)
def index():
    return render_template("admin/index.html")
