"""Markdown headings survive; descriptions are escaped once (finding 11)."""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html

from publisher.content import render_markdown, strip_tags


def test_markdown_headings_start_at_h2_below_the_page_title():
    rendered = render_markdown("# Intro\n\ntext\n\n## Detail\n\n###### Deepest")
    assert re.findall(r"<(h\d)>([^<]*)<", rendered) == [
        ("h2", "Intro"), ("h3", "Detail"), ("h6", "Deepest")
    ]  # fmt: skip


def test_an_article_page_has_one_h1_and_the_body_headings_below_it(client, factory):
    article = factory.article(title="The title", body_markdown="# Part one\n\nWords.")
    page = lxml_html.fromstring(client.get(f"/articles/{article.slug}").data)
    assert [h.text_content().strip() for h in page.iter("h1")] == ["The title"]
    assert "Part one" in [h.text_content().strip() for h in page.iter("h2")]


def test_strip_tags_gives_plain_text():
    assert strip_tags("<p>Tom &amp; Jerry &lt;3</p>") == "Tom & Jerry <3"


def test_descriptions_in_meta_and_json_ld_are_escaped_once(client, factory):
    show = factory.show(status="published")
    episode = factory.episode(show=show, description="<p>Salt &amp; pepper &lt;b&gt;</p>")
    response = client.get(f"/shows/{show.slug}/{episode.slug}")
    body = response.get_data(as_text=True)
    assert "&amp;lt;" not in body and "&amp;amp;" not in body
    page = lxml_html.fromstring(response.data)
    meta = page.xpath('//meta[@name="description"]/@content')[0]
    assert meta == "Salt & pepper <b>"
    ld = json.loads(page.xpath('//script[@type="application/ld+json"]')[0].text)
    assert ld["description"] == "Salt & pepper <b>"


def test_article_summary_in_meta_is_escaped_once(client, factory):
    article = factory.article(summary="", body_markdown="Fish & chips < 5 pounds")
    page = lxml_html.fromstring(client.get(f"/articles/{article.slug}").data)
    assert page.xpath('//meta[@name="description"]/@content')[0] == "Fish & chips < 5 pounds"
