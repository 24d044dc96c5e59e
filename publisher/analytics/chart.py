"""Downloads per day as an SVG bar chart, drawn on the server.

Accessible and self-contained: ``role="img"`` with ``<title>`` and ``<desc>`` (a text
summary a screen reader speaks), labelled axes, a ``<title>`` per bar (the day and its
number), text in the document rather than in pictures; no scripts, no external
references (fonts, stylesheets, links). Built with ElementTree so every text is escaped.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # nosec B405  (builds XML; never parses any)
from datetime import date

from publisher.analytics.stats import DownloadStats
from publisher.podcasting.xmltext import clean

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 800, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 64
BAR_COLOUR = "#2b6cb0"
TEXT_STYLE = {"font-family": "system-ui, sans-serif", "font-size": "12", "fill": "#1a202c"}


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times 10^n at or above value (at least 1): a readable axis top."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # unreachable, kept for type checkers


def render_svg(stats: DownloadStats) -> str:
    """The chart of ``stats.days`` as an SVG document (a string)."""
    days = stats.days
    period = f"{stats.period.since.isoformat()} to {stats.period.until.isoformat()}"
    title_text = f"Downloads per day of {stats.subject}, {period} (UTC)"
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": "chart-title chart-desc",
        },
    )
    ET.SubElement(root, "title", {"id": "chart-title"}).text = title_text
    ET.SubElement(root, "desc", {"id": "chart-desc"}).text = _summary(stats)
    ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    _text(root, LEFT, 24, title_text, {"font-size": "14", "font-weight": "bold"})

    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    # Four whole-number steps of 1, 2 or 5 times a power of ten: 0, 10, 20, 30, 40.
    step = nice_ceiling(math.ceil(max((n for _d, n in days), default=0) / 4))
    top = 4 * step
    bottom_y = TOP + plot_height

    # Y axis: gridlines with their numbers, and the axis title.
    for i in range(5):
        y = bottom_y - plot_height * i / 4
        ET.SubElement(root, "line", _line(LEFT, y, LEFT + plot_width, y, "#e2e8f0"))
        _text(root, LEFT - 6, y + 4, str(step * i), {"text-anchor": "end"})
    y_title = _text(
        root, 16, TOP + plot_height / 2, "Downloads", {"text-anchor": "middle", "font-size": "13"}
    )
    y_title.set("transform", f"rotate(-90 16 {TOP + plot_height / 2:.1f})")

    # Bars, each with its own title (a tooltip, and read out by screen readers).
    slot = plot_width / max(len(days), 1)
    bar_width = max(1.0, slot * 0.8)
    bars = ET.SubElement(root, "g", {"fill": BAR_COLOUR})
    for index, (day, count) in enumerate(days):
        height = plot_height * count / top
        x = LEFT + index * slot + (slot - bar_width) / 2
        bar = ET.SubElement(
            bars,
            "rect",
            {
                "x": f"{x:.2f}",
                "y": f"{bottom_y - height:.2f}",
                "width": f"{bar_width:.2f}",
                "height": f"{height:.2f}",
            },
        )
        ET.SubElement(bar, "title").text = f"{day.isoformat()}: {_downloads(count)}"

    # X axis: the baseline, up to about eight date labels, and the axis title.
    ET.SubElement(root, "line", _line(LEFT, bottom_y, LEFT + plot_width, bottom_y, "#4a5568"))
    every = max(1, math.ceil(len(days) / 8))
    for index in range(0, len(days), every):
        x = LEFT + index * slot + slot / 2
        _text(root, x, bottom_y + 16, _short(days[index][0]), {"text-anchor": "middle"})
    _text(
        root,
        LEFT + plot_width / 2,
        HEIGHT - 12,
        "Date (UTC)",
        {"text-anchor": "middle", "font-size": "13"},
    )
    # ElementTree escapes markup but writes U+FFFE, U+FFFF and control characters as they
    # are, which XML forbids: the one cleaning rule of every XML output takes them out.
    return clean(ET.tostring(root, encoding="unicode", xml_declaration=False))


def _summary(stats: DownloadStats) -> str:
    days = stats.days
    text = (
        f"{_downloads(stats.total)} in {len(days)} days, "
        f"from {stats.period.since.isoformat()} to {stats.period.until.isoformat()}."
    )
    if stats.total:
        peak_day, peak = max(days, key=lambda item: (item[1], item[0]))
        text += f" The busiest day was {peak_day.isoformat()} with {_downloads(peak)}."
    if stats.by_app:
        apps = ", ".join(f"{app} {n}" for app, n in stats.by_app[:3])
        text += f" Top apps: {apps}."
    return text


def _downloads(count: int) -> str:
    return f"{count} download" + ("" if count == 1 else "s")


def _short(day: date) -> str:
    return day.strftime("%d %b")


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> dict[str, str]:
    return {
        "x1": f"{x1:.2f}",
        "y1": f"{y1:.2f}",
        "x2": f"{x2:.2f}",
        "y2": f"{y2:.2f}",
        "stroke": colour,
        "stroke-width": "1",
    }


def _text(parent: ET.Element, x: float, y: float, content: str, extra: dict[str, str]):
    element = ET.SubElement(
        parent, "text", {"x": f"{x:.2f}", "y": f"{y:.2f}", **TEXT_STYLE, **extra}
    )
    element.text = content
    return element
