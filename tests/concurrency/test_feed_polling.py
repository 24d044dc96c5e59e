"""A feed never goes backwards for a client (issue 16, #3).

gunicorn runs two worker processes, each remembering its last check of a feed for
FEED_RECHECK_SECONDS (left at its default). While an editor changes the show four times
a second, four pollers send If-None-Match with the ETag they last got, as podcast apps
do; none may ever receive a version older than one it already had."""

from __future__ import annotations

import threading
import time

import pytest

from publisher.config import DefaultConfig
from tests.concurrency.live import TITLE_RE, api, request

pytestmark = pytest.mark.parametrize("store", ["filesystem"], indirect=True)

SECONDS = 6
POLLERS = 4


def version_of(body: bytes) -> int:
    versions = {int(found) for found in TITLE_RE.findall(body)}
    assert len(versions) == 1, f"one version per document, got {versions}"
    return versions.pop()


def test_no_poller_ever_gets_an_older_feed_than_it_had(live, factory, token):
    assert DefaultConfig.FEED_RECHECK_SECONDS >= 1  # the default window is in play
    show = factory.show(description="<p>rev-0</p>")
    factory.episode(show=show)
    path = f"/shows/{show.slug}/feed.xml"
    stop = threading.Event()
    regressions: list[tuple[int, int]] = []
    seen: list[int] = []
    not_modified = [0]
    edits = [0]
    errors: list[str] = []

    def edit() -> None:
        revision = 0
        while not stop.is_set():
            revision += 1
            answer = api(live.url, token, "PATCH", f"/shows/{show.slug}",
                         {"description": f"<p>rev-{revision}</p>"})  # fmt: skip
            if answer.status != 200:
                errors.append(f"edit: {answer.status} {answer.body[:200]!r}")
            edits[0] = revision
            time.sleep(0.25)

    def poll() -> None:
        etag, newest = None, -1
        while not stop.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            answer = request(live.url, "GET", path, headers=headers)
            if answer.status == 304:
                not_modified[0] += 1
            elif answer.status == 200:
                version = version_of(answer.body)
                if version < newest:
                    regressions.append((newest, version))
                newest = max(newest, version)
                etag = answer.headers["etag"]
                seen.append(version)
            else:
                errors.append(f"poll: {answer.status}")
            time.sleep(0.01)

    threads = [threading.Thread(target=edit)] + [
        threading.Thread(target=poll) for _ in range(POLLERS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors[:5]
    assert regressions == [], f"{len(regressions)} regressions, e.g. {regressions[:5]}"
    # The test saw what it is about: many versions, and conditional answers.
    assert edits[0] >= 10 and max(seen) >= edits[0] - 2
    assert len(set(seen)) >= 10 and not_modified[0] > 0
