"""Server-side SVG charts for the analytics page: no script, no chart library, nothing from a CDN.

Each chart is an inline `<svg role="img">` with a title and a description, drawn with presentation attributes and
classes only (the CSP allows no inline style); colours come from `/static/analytics.css`. The table under each chart
holds the exact numbers, so the chart only has to be readable at a glance. Every text is escaped.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

WIDTH = 720
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 56, 16, 16, 40


def _svg(name: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" data-chart="{escape(name)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{escape(name)}-title {escape(name)}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(name)}-title">{escape(title)}</title><desc id="{escape(name)}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, cls: str = "label", anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}">{escape(text)}</text>'


def _short(week: str) -> str:
    return week[5:]  # "2026-11-30" -> "11-30": the year is in the period shown above the charts


def heatmap(name: str, title: str, rows: Sequence[str], columns: Sequence[str],
            values: Sequence[Sequence[int]]) -> Markup:
    """Rows (weeks) by columns (articles); a cell's shade grows with its count, which is written in it."""
    cell_h = 18
    height = _PAD_TOP + cell_h * len(rows) + _PAD_BOTTOM
    cell_w = (WIDTH - _PAD_LEFT - _PAD_RIGHT) / max(len(columns), 1)
    top = max((v for row in values for v in row), default=0)
    body = []
    for j, column in enumerate(columns):
        body.append(_text(_PAD_LEFT + (j + 0.5) * cell_w, height - _PAD_BOTTOM + 16, column))
    body.append(_text(WIDTH / 2, height - 6, "article", "axis"))
    for i, (row, row_values) in enumerate(zip(rows, values)):
        y = _PAD_TOP + i * cell_h
        body.append(_text(_PAD_LEFT - 6, y + cell_h - 5, _short(row), "label", "end"))
        for j, value in enumerate(row_values):
            x = _PAD_LEFT + j * cell_w
            shade = 0.08 + 0.92 * value / top if top and value else 0.0
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" class="cell" '
                        f'fill-opacity="{shade:.2f}"><title>{escape(row)}, article {escape(columns[j])}: '
                        f'{value}</title></rect>')
            if value:
                body.append(_text(x + cell_w / 2, y + cell_h - 5, str(value), "value" if shade < 0.6 else "value inv"))
    desc = f"{len(rows)} weeks by {len(columns)} articles; the busiest cell has {top} questions."
    return _svg(name, title, desc, height, body)


def lines(name: str, title: str, xs: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
          *, top: float = 1.0, unit: str = "%") -> Markup:
    """Line chart of fractions (0..`top`) over weeks; None leaves a gap (no data that week)."""
    height = 220
    plot_w, plot_h = WIDTH - _PAD_LEFT - _PAD_RIGHT, height - _PAD_TOP - _PAD_BOTTOM
    step = plot_w / max(len(xs) - 1, 1)

    def y_of(v: float) -> float:
        return _PAD_TOP + plot_h * (1 - min(v, top) / top if top else 1)

    body = []
    for k in range(5):
        v = top * k / 4
        body.append(f'<line x1="{_PAD_LEFT}" x2="{WIDTH - _PAD_RIGHT}" y1="{y_of(v):.1f}" y2="{y_of(v):.1f}" '
                    'class="grid"/>')
        body.append(_text(_PAD_LEFT - 6, y_of(v) + 4, f"{v * 100:.0f}{unit}", "label", "end"))
    every = max(1, len(xs) // 8)
    for i, x in enumerate(xs):
        if i % every == 0:
            body.append(_text(_PAD_LEFT + i * step, height - _PAD_BOTTOM + 16, _short(x)))
    for n, (label, values) in enumerate(series):
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        path = " ".join(f"{_PAD_LEFT + i * step:.1f},{y_of(v):.1f}" for i, v in points)
        body.append(f'<polyline points="{path}" class="line s{n}" fill="none"/>')
        for i, v in points:
            body.append(f'<circle cx="{_PAD_LEFT + i * step:.1f}" cy="{y_of(v):.1f}" r="3" class="dot s{n}">'
                        f'<title>{escape(label)}, week of {escape(xs[i])}: {v * 100:.1f}{unit}</title></circle>')
        body.append(f'<rect x="{_PAD_LEFT + 150 * n}" y="{height - 14}" width="10" height="10" class="key s{n}"/>')
        body.append(_text(_PAD_LEFT + 150 * n + 14, height - 5, label, "label", "start"))
    desc = "; ".join(f"{label}: {sum(1 for v in values if v is not None)} weeks with data" for label, values in series)
    return _svg(name, title, desc, height, body)


def stacked_bars(name: str, title: str, categories: Sequence[str], parts: Sequence[str],
                 values: Sequence[Sequence[int]]) -> Markup:
    """One horizontal bar per category, split into `parts` (e.g. open, resolved, rejected)."""
    bar_h, gap, label_w = 20, 8, 150
    height = _PAD_TOP + (bar_h + gap) * len(categories) + _PAD_BOTTOM
    top = max((sum(v) for v in values), default=0)
    scale = (WIDTH - label_w - _PAD_RIGHT - 40) / top if top else 0.0
    body = []
    for i, (category, row) in enumerate(zip(categories, values)):
        y = _PAD_TOP + i * (bar_h + gap)
        body.append(_text(label_w - 6, y + bar_h - 5, category, "label", "end"))
        x = float(label_w)
        for n, (part, value) in enumerate(zip(parts, row)):
            if value:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{value * scale:.1f}" height="{bar_h}" class="bar s{n}">'
                            f'<title>{escape(category)}, {escape(part)}: {value}</title></rect>')
                x += value * scale
        body.append(_text(x + 6, y + bar_h - 5, str(sum(row)), "value", "start"))
    for n, part in enumerate(parts):
        body.append(f'<rect x="{label_w + 110 * n}" y="{height - 20}" width="10" height="10" class="key s{n}"/>')
        body.append(_text(label_w + 110 * n + 14, height - 11, part, "label", "start"))
    desc = "; ".join(f"{c}: {sum(v)}" for c, v in zip(categories, values))
    return _svg(name, title, desc, height, body)


def histogram(name: str, title: str, buckets: Sequence[str], on_time: Sequence[int], late: Sequence[int], *,
              marker_after: int, marker_label: str) -> Markup:
    """Columns per days-to-close bucket, split into on time (bottom) and late (top), with a dashed line after the
    bucket holding the due date."""
    height = 240
    plot_w, plot_h = WIDTH - _PAD_LEFT - _PAD_RIGHT, height - _PAD_TOP - _PAD_BOTTOM - 14
    col_w = plot_w / max(len(buckets), 1)
    top = max((a + b for a, b in zip(on_time, late)), default=0)
    scale = plot_h / top if top else 0.0
    base = _PAD_TOP + 14 + plot_h
    body = []
    for i, (label, a, b) in enumerate(zip(buckets, on_time, late)):
        x = _PAD_LEFT + i * col_w + 4
        for n, (part, value, bottom) in enumerate((("on time", a, 0), ("late", b, a))):
            if value:
                y = base - (bottom + value) * scale
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w - 8:.1f}" height="{value * scale:.1f}" '
                            f'class="bar s{n + 1}"><title>{escape(label)}, {part}: {value}</title></rect>')
        if a + b:
            body.append(_text(x + (col_w - 8) / 2, base - (a + b) * scale - 4, str(a + b), "value"))
        body.append(_text(x + (col_w - 8) / 2, base + 16, label))
    mx = _PAD_LEFT + (marker_after + 1) * col_w
    body.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{_PAD_TOP}" y2="{base}" class="marker"/>')
    body.append(_text(mx + 4, _PAD_TOP + 10, marker_label, "label", "start"))
    for n, part in enumerate(("on time", "late")):
        body.append(f'<rect x="{_PAD_LEFT + 110 * n}" y="{height - 14}" width="10" height="10" class="key s{n + 1}"/>')
        body.append(_text(_PAD_LEFT + 110 * n + 14, height - 5, part, "label", "start"))
    desc = f"{sum(on_time)} closed on time and {sum(late)} late."
    return _svg(name, title, desc, height, body)
