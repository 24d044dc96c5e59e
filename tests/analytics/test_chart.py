"""The server-side SVG chart: accessible, self-contained, drawn to scale."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree

from publisher.analytics.chart import nice_ceiling, render_svg
from publisher.analytics.stats import DownloadStats, Period

NS = {"s": "http://www.w3.org/2000/svg"}


def make_stats(counts: list[int], subject: str = 'show "Tom & <Jerry>"') -> DownloadStats:
    since = date(2024, 5, 1)
    days = [(since + timedelta(days=i), n) for i, n in enumerate(counts)]
    period = Period(since, days[-1][0])
    return DownloadStats(subject, period, days, [("Overcast", sum(counts))], bot_downloads=0)


def parse(svg: str):
    return etree.fromstring(svg.encode())


def test_chart_has_title_description_and_axis_labels():
    svg = parse(render_svg(make_stats([1, 5, 0, 2])))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.findtext("s:title", namespaces=NS).startswith('Downloads per day of show "Tom')
    desc = svg.findtext("s:desc", namespaces=NS)
    assert "8 downloads in 4 days" in desc
    assert "busiest day was 2024-05-02 with 5 downloads" in desc
    texts = [t.text for t in svg.iterfind(".//s:text", NS)]
    assert "Downloads" in texts and "Date (UTC)" in texts
    assert "01 May" in texts
    assert [t for t in texts if t.isdigit()] == ["0", "2", "4", "6", "8"]  # 5 fits in 8


def test_titles_are_escaped_not_injected():
    raw = render_svg(make_stats([1], subject='show "</title><script>alert(1)</script>"'))
    svg = parse(raw)
    assert svg.find(".//s:script", NS) is None
    assert "<script>" not in raw


def test_no_scripts_and_no_external_references():
    raw = render_svg(make_stats([3, 1, 4, 1, 5]))
    svg = parse(raw)
    assert svg.find(".//s:script", NS) is None
    for element in svg.iter():
        for name in element.attrib:
            assert "href" not in name and not name.startswith("on")
    assert "url(" not in raw and "http://" not in raw.replace("http://www.w3.org/2000/svg", "")


def test_one_bar_per_day_with_its_number_and_heights_to_scale():
    svg = parse(render_svg(make_stats([2, 0, 4])))
    bars = svg.findall(".//s:g/s:rect", NS)
    assert [bar.findtext("s:title", namespaces=NS) for bar in bars] == [
        "2024-05-01: 2 downloads",
        "2024-05-02: 0 downloads",
        "2024-05-03: 4 downloads",
    ]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == 0 and heights[2] == pytest.approx(2 * heights[0])


def test_empty_period_still_draws_an_axis():
    svg = parse(render_svg(make_stats([0] * 30)))
    assert "0 downloads in 30 days" in svg.findtext("s:desc", namespaces=NS)
    assert len(svg.findall(".//s:g/s:rect", NS)) == 30


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (230, 500)]
)
def test_nice_ceiling(value, top):
    assert nice_ceiling(value) == top
