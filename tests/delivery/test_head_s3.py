"""HEAD on an enclosure kept in S3: S3 refuses HEAD on a URL signed for GET, so the app
answers HEAD itself from the episode row; GET still redirects to a URL signed for GET."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import requests

from publisher.models import utcnow
from tests.s3server import FAKE_ENVIRONMENT as CREDENTIALS


@pytest.fixture
def app_config(s3_app_config):
    return s3_app_config


@pytest.fixture
def s3_episode(factory, audio):
    path = audio("mp3", seconds=3)
    published = utcnow() - timedelta(minutes=5)
    return factory.ingested_episode(path, status="published", publish_at=published), path


def signature_for(url: str, method: str) -> str:
    """The SigV4 query signature ``url`` would carry if it were signed for ``method``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != "X-Amz-Signature"]  # fmt: skip
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query)
    )
    params = dict(query)
    canonical_request = "\n".join([
        method, quote(parts.path, safe="/-_.~"), canonical_query,
        f"host:{parts.netloc}\n", params["X-Amz-SignedHeaders"], "UNSIGNED-PAYLOAD",
    ])  # fmt: skip
    date, region, service = params["X-Amz-Credential"].split("/")[1:4]
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", params["X-Amz-Date"], f"{date}/{region}/{service}/aws4_request",
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])  # fmt: skip
    key = ("AWS4" + CREDENTIALS["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def test_head_is_answered_from_the_row_without_a_redirect(client, s3_episode):
    episode, path = s3_episode
    answer = client.head(f"/media/{episode.guid}.mp3")
    assert answer.status_code == 200
    assert "Location" not in answer.headers
    assert answer.headers["Content-Length"] == str(path.stat().st_size)
    assert answer.headers["Content-Type"] == "audio/mpeg"
    assert answer.headers["Accept-Ranges"] == "bytes"
    assert answer.headers["ETag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.data == b""


def test_get_redirects_to_a_url_signed_for_get(client, s3_episode):
    episode, path = s3_episode
    answer = client.get(f"/media/{episode.guid}.mp3")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    signature = dict(parse_qsl(urlsplit(location).query))["X-Amz-Signature"]
    assert signature == signature_for(location, "GET")
    assert signature != signature_for(location, "HEAD")  # so HEAD there would be refused
    assert requests.get(location, timeout=10).content == path.read_bytes()


def test_head_of_a_draft_is_404(client, factory, audio):
    path = audio("mp3", seconds=3)
    episode = factory.ingested_episode(path, status="draft")
    assert client.head(f"/media/{episode.guid}.mp3").status_code == 404
