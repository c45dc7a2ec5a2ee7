"""Charts as server-rendered SVG: bars, lines and a funnel. No script, no CDN, no inline
style (the CSP forbids it): presentation attributes only. Each chart has a title and a
description for screen readers, and the page shows its numbers as a table right after it.

Input values are what the table shows: an integer, or None (a rate with nothing to divide: drawn as no
bar / a gap in the line, and written as its text)."""
from markupsafe import Markup, escape

# Drawn narrow, with large type, and never shown wider than 32rem (app.css): on a 390 px phone
# the chart shrinks to about 310 px and its 13-unit text stays at 11 px or more.
WIDTH = 360
COLOURS = ("#1f5f8b", "#b3541e", "#2c7a4b", "#8a4f9e", "#b33a3a")
TEXT = "#222"
MUTED = "#595959"
FONT_SIZE = 13
FONT = f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}"'


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


def bar_chart(chart_id, title, items, marker_text, label_width=140):
    """Horizontal bars; `items`: (label, value)."""
    row, top = 26, 6
    height = top * 2 + row * max(len(items), 1)
    largest = max([value for _, value in items if _number(value)] + [1])
    span = WIDTH - label_width - 56
    parts = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        text = str(label)
        short = text if len(text) <= 18 else text[:17] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        if _number(value):
            width = max(round(span * value / largest), 1 if value else 0)
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{width}" height="{row - 8}" '
                         f'fill="{COLOURS[0]}"/>')
            parts.append(f'<text x="{label_width + width + 4}" y="{y + 17}" fill="{TEXT}">{value:,}</text>'
                         .replace(",", "\u202f"))
        else:
            parts.append(f'<text x="{label_width + 4}" y="{y + 17}" fill="{MUTED}">{escape(marker_text(value))}</text>')
    return _svg(chart_id, title, _describe(items, marker_text), height, "".join(parts))


def funnel_chart(chart_id, title, items, marker_text):
    """Bars narrowing stage by stage, each under its stage's name; `items`: (stage label, value)."""
    row, top, label_height = 42, 4, 16
    height = top * 2 + row * max(len(items), 1)
    largest = max([value for _, value in items if _number(value)] + [1])
    span = WIDTH - 60
    parts = []
    for index, (label, value) in enumerate(items):
        y = top + index * row
        shown = f"{value:,}".replace(",", "\u202f") if _number(value) else marker_text(value)
        parts.append(f'<text x="0" y="{y + label_height - 3}" fill="{TEXT}">{escape(str(label))}</text>')
        width = max(round(span * value / largest), 2) if _number(value) and value else 0
        if width:
            parts.append(f'<rect x="0" y="{y + label_height + 1}" width="{width}" height="{row - label_height - 8}" '
                         f'fill="{COLOURS[index % len(COLOURS)]}"/>')
        parts.append(f'<text x="{width + 4}" y="{y + row - 10}" fill="{TEXT}">{escape(shown)}</text>')
    return _svg(chart_id, title, _describe(items, marker_text), height, "".join(parts))


def line_chart(chart_id, title, x_labels, series, marker_text):
    """Small multiples: one small chart per series over the months, each with its own scale (so a
    large series does not flatten the others) and its name above it (no legend to overlap); a
    hidden value leaves a gap. `series`: (name, [value per month])."""
    panel = 120
    parts = []
    for index, (name, values) in enumerate(series):
        parts.append(_line_panel(index * panel, name, x_labels, values, COLOURS[index % len(COLOURS)]))
    description = " | ".join(
        f"{name}: " + ", ".join(f"{label} {v if _number(v) else marker_text(v)}" for label, v in zip(x_labels, values))
        for name, values in series
    )
    return _svg(chart_id, title, description, panel * max(len(series), 1), "".join(parts))


def _line_panel(offset, name, x_labels, values, colour):
    left, right, top, plot_height = 44, 10, offset + 24, 64
    plot_width = WIDTH - left - right
    largest = max([v for v in values if _number(v)] + [1])
    step = plot_width / max(len(x_labels) - 1, 1)
    bottom = top + plot_height
    parts = [
        f'<text x="0" y="{offset + 14}" fill="{TEXT}" font-weight="600">{escape(str(name))}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - right}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<text x="{left - 4}" y="{top + 5}" text-anchor="end" fill="{TEXT}">{largest:,}</text>'.replace(",", "\u202f"),
        f'<text x="{left - 4}" y="{bottom + 4}" text-anchor="end" fill="{TEXT}">0</text>',
    ]
    # The first, middle and last months: three labels fit a phone's width without touching.
    last = len(x_labels) - 1
    for k in sorted({0, last // 2, last}):
        anchor = "start" if k == 0 else "end" if k == last else "middle"
        parts.append(f'<text x="{left + k * step:.1f}" y="{bottom + 16}" text-anchor="{anchor}" fill="{TEXT}">'
                     f'{escape(str(x_labels[k]))}</text>')
    segments, segment = [], []
    for k, value in enumerate(values):
        if _number(value):
            segment.append((left + k * step, top + plot_height - plot_height * value / largest))
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)
    for segment in segments:
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        else:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    return "".join(parts)
