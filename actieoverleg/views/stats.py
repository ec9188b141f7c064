"""Statistics for the national chairs' meeting (a later issue fills this page)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..permissions import allow, can_see_statistics

bp = Blueprint("stats", __name__, url_prefix="/statistieken")


@bp.route("/")
@allow(can_see_statistics)
def index():
    """An honest empty landing page: aggregates only, and none computed yet."""
    return render_template("stats/index.html")
