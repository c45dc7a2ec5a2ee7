"""Charts as server-rendered SVG: bars, lines and a funnel. No script, no CDN, no inline
style (the CSP forbids it): presentation attributes only. Each chart has a title and a
description for screen readers, and the page shows its numbers as a table right after it.

Input values are what the table shows: an integer, or None (a rate with nothing to divide: drawn as no
bar / a gap in the line, and written as its text)."""
from markupsafe import Markup, escape

WIDTH = 640
COLOURS = ("#1f5f8b", "#d9822b", "#3a8d5b", "#8a4f9e", "#b33a3a")
TEXT = "#222"
MUTED = "#767676"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _svg(chart_id, title, description, height, body):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _describe(items, marker_text):
    return "; ".join(f"{label}: {value if _number(value) else marker_text(value)}" for label, value in items)


def bar_chart(chart_id, title, items, marker_text, label_width=200):
    """Horizontal bars; `items`: (label, value)."""
    row, top = 26, 8
    height = top * 2 + row * max(len(items), 1)
    largest = max([value for _, value in items if _number(value)] + [1])
    span = WIDTH - label_width - 70
    parts = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        text = str(label)
        short = text if len(text) <= 30 else text[:29] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        if _number(value):
            width = max(round(span * value / largest), 1 if value else 0)
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{width}" height="{row - 8}" '
                         f'fill="{COLOURS[0]}"/>')
            parts.append(f'<text x="{label_width + width + 6}" y="{y + 17}" fill="{TEXT}">{value:,}</text>'
                         .replace(",", "\u202f"))
        else:
            parts.append(f'<text x="{label_width + 6}" y="{y + 17}" fill="{MUTED}">{escape(marker_text(value))}</text>')
    return _svg(chart_id, title, _describe(items, marker_text), height, "".join(parts))


def funnel_chart(chart_id, title, items, marker_text):
    """Centred bars narrowing stage by stage; `items`: (stage label, value)."""
    row, top, label_height = 44, 6, 14
    height = top * 2 + row * max(len(items), 1)
    largest = max([value for _, value in items if _number(value)] + [1])
    parts = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        shown = f"{value:,}".replace(",", "\u202f") if _number(value) else marker_text(value)
        parts.append(f'<text x="{WIDTH / 2}" y="{y + label_height - 2}" text-anchor="middle" fill="{TEXT}">'
                     f'{escape(str(label))}: {escape(shown)}</text>')
        if _number(value) and value:
            width = max(round((WIDTH - 40) * value / largest), 2)
            parts.append(f'<rect x="{(WIDTH - width) / 2}" y="{y + label_height + 2}" width="{width}" '
                         f'height="{row - label_height - 8}" fill="{COLOURS[index % len(COLOURS)]}"/>')
    return _svg(chart_id, title, _describe(items, marker_text), height, "".join(parts))


def _segments(points):
    """The runs of consecutive points (None: a hidden value, a gap)."""
    segments, segment = [], []
    for point in points:
        if point is not None:
            segment.append(point)
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)
    return segments


def _line_parts(segments, colour):
    parts = []
    for segment in segments:
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        else:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    return parts


def line_chart(chart_id, title, x_labels, series, marker_text):
    """One line per series over the months; `series`: (name, [value per month]). A hidden
    value leaves a gap."""
    height, left, right, top, bottom = 260, 48, 16, 16, 64
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    largest = max([v for _, values in series for v in values if _number(v)] + [1])
    step = plot_width / max(len(x_labels) - 1, 1)

    def point(k, value):
        return left + k * step, top + plot_height - plot_height * value / largest

    parts = [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - right}" y2="{top + plot_height}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="{MUTED}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="{TEXT}">{largest}</text>',
        f'<text x="{left - 6}" y="{top + plot_height + 4}" text-anchor="end" fill="{TEXT}">0</text>',
    ]
    every = max(1, len(x_labels) // 6)
    for k, label in enumerate(x_labels):
        if k % every == 0 or k == len(x_labels) - 1:
            x = left + k * step
            parts.append(f'<text x="{x}" y="{top + plot_height + 16}" text-anchor="middle" fill="{TEXT}">'
                         f'{escape(str(label))}</text>')
    for index, (name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts += _line_parts(_segments([point(k, value) if _number(value) else None for k, value in enumerate(values)]),
                             colour)
        legend_x = left + index * (plot_width / max(len(series), 1))
        parts.append(f'<rect x="{legend_x:.1f}" y="{height - 22}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16:.1f}" y="{height - 12}" fill="{TEXT}">{escape(str(name))}</text>')
    description = " | ".join(
        f"{name}: " + ", ".join(f"{label} {v if _number(v) else marker_text(v)}" for label, v in zip(x_labels, values))
        for name, values in series
    )
    return _svg(chart_id, title, description, height, "".join(parts))
