"""Characters XML forbids never reach an XML document (finding 10)."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from publisher.analytics.chart import render_svg
from publisher.analytics.stats import DownloadStats, Period

FORBIDDEN = ["\ufffe", "\uffff", "\x01", "\x0b", "\ud800"]


@pytest.mark.parametrize("character", FORBIDDEN)
def test_the_stats_chart_stays_well_formed(character):
    subject = f"Show {character} title"
    stats = DownloadStats(
        subject, Period(date(2024, 5, 1), date(2024, 5, 1)), [(date(2024, 5, 1), 3)],
        [(f"App{character}", 3)], bot_downloads=0,
    )  # fmt: skip
    svg = render_svg(stats)
    root = etree.fromstring(svg.encode("utf-8", "surrogatepass"))
    assert "Show  title" in root.findtext("{http://www.w3.org/2000/svg}title")


@pytest.mark.parametrize("character", ["\ufffe", "\uffff"])
def test_the_chart_of_a_show_titled_with_them_over_http_is_well_formed(editor, factory, character):
    show = factory.show(title=f"Noise{character}")
    response = editor.get(f"/api/v1/shows/{show.slug}/stats?format=svg")
    assert response.status_code == 200
    etree.fromstring(response.data)


@pytest.mark.parametrize("character", ["\ufffe", "\uffff"])
def test_feeds_and_sitemap_drop_them_too(client, factory, character):
    show = factory.show(title=f"Noise{character}", status="published")
    factory.episode(show=show, title=f"Episode{character}")
    for path in (f"/shows/{show.slug}/feed.xml", "/sitemap.xml", "/feed.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        etree.fromstring(response.data)
