"""Dates are shown in SITE_TIMEZONE; machine-readable times keep their offset."""

from datetime import UTC, datetime

import pytest

from tests.support.site import page


@pytest.fixture
def app_config():
    return {"SITE_TIMEZONE": "Europe/Moscow"}


def test_article_time_is_shown_in_the_site_time_zone(client, factory):
    factory.article(slug="tz", publish_at=datetime(2021, 3, 4, 9, 5, tzinfo=UTC))
    html = page(client, "/articles/tz")
    assert '<time datetime="2021-03-04T12:05:00+03:00">4 Mar 2021, 12:05</time>' in html
