"""GET /api/v1/shows/<slug>/stats and /api/v1/episodes/<id>/stats."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from lxml import etree


@pytest.fixture
def auth(factory):
    """An editor's token; the editor is a member of the shows (stats need membership)."""
    return {
        "Authorization": f"Bearer {factory.token(factory.member_of_every_show(factory.user()))}"
    }


@pytest.fixture
def show_with_downloads(factory, add_downloads):
    show = factory.show(slug="the-show", title="The Show")
    first, second = factory.episode(show=show), factory.episode(show=show)
    other_show_episode = factory.episode()
    add_downloads(first, date(2024, 5, 1), 3, "Apple Podcasts")
    add_downloads(first, date(2024, 5, 3), 1, "Overcast")
    add_downloads(second, date(2024, 5, 3), 2, "Apple Podcasts")
    add_downloads(second, date(2024, 5, 2), 5, "Googlebot", bot=True)
    add_downloads(first, date(2024, 4, 30), 7)  # before the period
    add_downloads(other_show_episode, date(2024, 5, 1), 9)
    return show, first, second


PERIOD = "since=2024-05-01&until=2024-05-04"


def test_show_stats_per_day_with_zero_days_total_and_apps(client, auth, show_with_downloads):
    response = client.get(f"/api/v1/shows/the-show/stats?{PERIOD}", headers=auth)
    assert response.status_code == 200
    assert response.json == {
        "show": "the-show",
        "since": "2024-05-01",
        "until": "2024-05-04",
        "total": 6,
        "days": [
            {"date": "2024-05-01", "downloads": 3},
            {"date": "2024-05-02", "downloads": 0},
            {"date": "2024-05-03", "downloads": 3},
            {"date": "2024-05-04", "downloads": 0},
        ],
        "by_app": [
            {"app": "Apple Podcasts", "downloads": 5},
            {"app": "Overcast", "downloads": 1},
        ],
        "bot_downloads_excluded": 5,
        "filtered_downloads_excluded": 0,
    }


def test_episode_stats(client, auth, show_with_downloads):
    _show, first, _second = show_with_downloads
    response = client.get(f"/api/v1/episodes/{first.id}/stats?{PERIOD}", headers=auth)
    assert response.status_code == 200
    body = response.json
    assert body["episode"] == {"id": first.id, "guid": first.guid, "title": first.title}
    assert body["total"] == 4
    assert [d["downloads"] for d in body["days"]] == [3, 0, 1, 0]


def test_default_period_is_the_last_30_days(client, auth, factory, add_downloads):
    episode = factory.episode()
    today = datetime.now(UTC).date()
    add_downloads(episode, today, 2)
    add_downloads(episode, today - timedelta(days=29), 1)
    add_downloads(episode, today - timedelta(days=30), 4)  # just outside
    body = client.get(f"/api/v1/episodes/{episode.id}/stats", headers=auth).json
    assert (body["since"], body["until"]) == ((today - timedelta(days=29)).isoformat(), str(today))
    assert len(body["days"]) == 30
    assert body["total"] == 3


def test_csv_export(client, auth, show_with_downloads):
    response = client.get(f"/api/v1/shows/the-show/stats?{PERIOD}&format=csv", headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="the-show-downloads-2024-05-01-2024-05-04.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["date", "downloads"],
        ["2024-05-01", "3"],
        ["2024-05-02", "0"],
        ["2024-05-03", "3"],
        ["2024-05-04", "0"],
    ]


def test_svg_chart(client, auth, show_with_downloads):
    response = client.get(f"/api/v1/shows/the-show/stats?{PERIOD}&format=svg", headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    svg = etree.fromstring(response.data)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert 'show "The Show"' in svg.findtext("{*}title")
    assert "6 downloads in 4 days" in svg.findtext("{*}desc")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("until=2024-13-01", "until"),
        ("since=2024-5-1", "since"),
        ("since=2024-05-10&until=2024-05-01", "since"),
        ("since=2020-01-01&until=2024-01-01", "since"),  # too long
        ("format=pdf", "format"),
    ],
)
def test_bad_parameters_are_422_with_a_message(client, auth, show_with_downloads, query, field):
    response = client.get(f"/api/v1/shows/the-show/stats?{query}", headers=auth)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in [detail["field"] for detail in error["details"]]
    assert error["message"]


def test_unknown_show_or_episode_is_404(client, auth):
    assert client.get("/api/v1/shows/nope/stats", headers=auth).status_code == 404
    response = client.get("/api/v1/episodes/999999/stats", headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/shows/the-show/stats", "/api/v1/episodes/1/stats"])
def test_stats_need_a_token(client, factory, path):
    factory.show(slug="the-show")
    response = client.get(path)
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    revoked = factory.token(revoked=True)
    assert client.get(path, headers={"Authorization": f"Bearer {revoked}"}).status_code == 401


def test_drafts_stats_are_visible_to_producers(client, auth, factory, add_downloads):
    draft = factory.episode(public=False)
    add_downloads(draft, datetime.now(UTC).date(), 1)
    body = client.get(f"/api/v1/episodes/{draft.id}/stats", headers=auth).json
    assert body["total"] == 1


def test_a_counted_listen_shows_up_in_the_stats(client, auth, stored_episode, listener):
    ep = stored_episode("mp3", seconds=5)
    listener(user_agent="Pocket Casts").get(ep.url)
    body = client.get(f"/api/v1/episodes/{ep.episode.id}/stats", headers=auth).json
    assert body["total"] == 1
    assert body["by_app"] == [{"app": "Pocket Casts", "downloads": 1}]


@pytest.mark.parametrize("value", ["0", "1700000000", "2024-05-01T00:00:00"])
def test_only_calendar_days_are_accepted(client, auth, show_with_downloads, value):
    response = client.get(f"/api/v1/shows/the-show/stats?until={value}", headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "until"


def test_an_id_past_the_database_integer_range_is_404_not_500(client, auth):
    response = client.get("/api/v1/episodes/2147483648/stats", headers=auth)
    assert response.status_code == 404
