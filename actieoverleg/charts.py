"""Server-rendered SVG charts (pygal) of published statistics tables.

A chart draws exactly the numbers of its table: `Published.number`, so a suppressed cell
(`<10`) is a gap, never a bar. The SVG is served as an image, carries no script, and the
page always shows the same numbers as a table.

Every chart names its indicator and unit in a visible title (also the SVG's `<title>`), labels
both axes, and lists in its legend only the series it draws, one under the other so that no
label is cut off.

All charts of a report are one SVG document (`sheet`), each chart under a `<view id="t-…">`,
so a page shows them with `<img src="…svg#t-key">` at the cost of a single request instead of
one per chart (docs/architecture.md, "Statistics").

Drawing takes pygal 10–30 ms a chart, so each process keeps the latest drawings by the
table's fingerprint (a hash of all it publishes): the same numbers are drawn once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Iterable
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


WIDTH = 760
SVG_NS = "http://www.w3.org/2000/svg"
LEGEND_ROW = 22  # pixels per legend entry: entries are stacked, each gets the full width
AXIS_TITLE = 24  # pixels for the title of the axis below the plot
TITLE_LINE = 22  # pixels per line of the chart title beyond the first
TITLE_CHARS = 70  # characters of the title on one line at WIDTH (generous: pygal wraps it)


def height(table: Table) -> int:
    """The chart's height in pixels at WIDTH (for the <img> and its place in the sheet): the
    plot, the title's extra lines, the axis title and one row per legend entry."""
    if table.chart is None or table.chart.kind == "bar":
        plot = 340
    else:  # a bar per drawn series in each row, unless they are stacked
        bars = 1 if table.chart.kind == "stacked" else max(1, len(drawn_series(table)))
        plot = max(260, 90 + (34 + 14 * (bars - 1)) * len(_rows(table)))
    legend = len(drawn_series(table))
    extra_lines = (len(title(table)) - 1) // TITLE_CHARS
    named = len(table.chart.columns) > 1 if table.chart else False
    return plot + AXIS_TITLE + TITLE_LINE * extra_lines + (LEGEND_ROW * legend if named else 0)


def title(table: Table) -> str:
    """The chart's title: the indicator and its unit."""
    spec = table.chart
    name = (spec.title if spec and spec.title else "") or table.title
    return f"{name} ({spec.unit})" if spec and spec.unit and spec.unit not in name else name


def drawn_series(table: Table) -> list[int]:
    """The chart's columns that draw at least one bar (not all 0, `<10` or `–`): only these
    get a series and a legend entry."""
    if table.chart is None:
        return []
    rows = _rows(table)
    return [i for i in table.chart.columns if any(cells[i].number for _label, cells in rows)]


def view_id(table: Table) -> str:
    """The fragment that shows this table's chart in the sheet."""
    return f"t-{table.key}"


def sheet(tables: Iterable[Table]) -> bytes:
    """One SVG document with the chart of every table given that has a bar to draw, stacked,
    each shown on its own through its `<view>` (the root has no size, so an <img> takes the
    view's proportions)."""
    views, charts, top = [], [], 0
    for table in tables:
        if table.chart is None or not table.chart_drawable:
            continue
        tall = height(table)
        views.append(f'<view id="{view_id(table)}" viewBox="0 {top} {WIDTH} {tall}"/>'.encode())
        charts.append(b'<g transform="translate(0 %d)">%s</g>' % (top, _drawing(table)))
        top += tall
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="{SVG_NS}" viewBox="0 0 {WIDTH} {max(top, 1)}">'
    return head.encode() + b"".join(views) + b"".join(charts) + b"</svg>"


def _rows(table: Table) -> list:
    return table.rows[:-1] if table.total_last else table.rows


def _drawing(table: Table) -> bytes:
    """The table's chart as an <svg> element, drawn once per fingerprint."""
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
    rows = _rows(table)
    horizontal = spec.kind != "bar"
    if horizontal:  # pygal draws the first label at the bottom; read top-down like the table
        rows = rows[::-1]
    series = drawn_series(table)
    axis = spec.axis or table.columns[0] or "Categorie"
    chart = KINDS[spec.kind](
        js=[],
        style=STYLE,
        width=WIDTH,
        height=height(table),
        show_legend=len(spec.columns) > 1,  # several columns: name the ones drawn
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        # pygal names the axes as if the bars stood upright: for horizontal bars its x axis is
        # the one of the values, below the plot
        x_title=spec.unit if horizontal else axis,
        y_title=axis if horizontal else spec.unit,
        truncate_label=-1,
        truncate_legend=-1,
        margin=16,
        value_formatter=(lambda v: f"{v:.0f}%") if spec.percent else (lambda v: f"{v:.0f}"),
        range=(0, 100) if spec.percent else None,
        include_x_axis=True,
        no_data_text="Geen gegevens",
    )
    chart.title = title(table)
    chart.x_labels = [label for label, _cells in rows]
    for index in series:
        chart.add(table.columns[index + 1], [cells[index].number for _label, cells in rows])
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    root.set("width", str(WIDTH))
    root.set("height", str(height(table)))
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
