"""Server-rendered SVG charts (pygal) of published statistics tables.

A chart draws exactly the numbers of its table: `Published.number`, so a suppressed cell
(`<10`) is a gap, never a bar. The SVG is served as an image, carries no script, and the
page always shows the same numbers as a table.

Drawing takes pygal 10–30 ms a chart, so each process keeps the latest drawings by the
table's fingerprint (a hash of all it publishes): the same numbers are drawn once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from .indicators import Table

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#c7c7c7",
    opacity="1",
    opacity_hover="1",
    font_family="system-ui, Arial, sans-serif",
    colors=("#154273", "#5b7fa6", "#a3b5c9", "#8a6d00", "#535353", "#275937"),
    title_font_size=16,
    no_data_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)
KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "stacked": pygal.HorizontalStackedBar}
KEEP = 256  # drawings kept per process: every chart of a few dozen reports

_drawn: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()


def svg(table: Table) -> bytes:
    """The table's chart as a standalone SVG document, drawn once per fingerprint."""
    key = table.fingerprint
    with _lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
    drawing = _draw(table)
    with _lock:
        _drawn[key] = drawing
        while len(_drawn) > KEEP:
            _drawn.popitem(last=False)
    return drawing


def _draw(table: Table) -> bytes:
    spec = table.chart
    if spec is None:
        raise ValueError(f"table {table.key} has no chart")
    rows = table.rows[:-1] if table.total_last else table.rows
    horizontal = spec.kind != "bar"
    if horizontal:  # pygal draws the first label at the bottom; read top-down like the table
        rows = rows[::-1]
    chart = KINDS[spec.kind](
        js=[],
        style=STYLE,
        width=760,
        height=max(260, 90 + 34 * len(rows)) if horizontal else 340,
        show_legend=len(spec.columns) > 1,
        legend_at_bottom=True,
        truncate_label=-1,
        truncate_legend=-1,
        margin=16,
        value_formatter=(lambda v: f"{v:.0f}%") if spec.percent else (lambda v: f"{v:.0f}"),
        range=(0, 100) if spec.percent else None,
        include_x_axis=True,
        no_data_text="Geen gegevens",
    )
    chart.title = table.title
    chart.x_labels = [label for label, _cells in rows]
    for index in spec.columns:
        chart.add(table.columns[index + 1], [cells[index].number for _label, cells in rows])
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
