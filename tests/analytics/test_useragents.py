"""App names and bots from the shipped OPAWG list."""

from __future__ import annotations

import json
import re

import pytest

from publisher.analytics import useragents
from publisher.analytics.useragents import classify


def test_the_shipped_list_loads_and_every_pattern_compiles():
    raw = json.loads(useragents.DATA_FILE.read_text(encoding="utf-8"))
    assert useragents.entry_count() == len(raw) > 300
    for entry in raw:
        for pattern in entry["user_agents"]:
            re.compile(pattern)
    licence = useragents.DATA_FILE.parent / "LICENSE"
    assert "Open Podcast Analytics Working Group" in licence.read_text()


@pytest.mark.parametrize(
    ("user_agent", "app"),
    [
        ("Podcasts/1440.4 CFNetwork/1128.0.1 Darwin/19.6.0", "Apple Podcasts"),
        ("Spotify/8.7.10 iOS/15.3.1 (iPhone13,2)", "Spotify"),
        ("Overcast/3.0 (+http://overcast.fm/; iOS podcast app)", "Overcast"),
        ("Pocket Casts", "Pocket Casts"),
        ("AntennaPod/3.4.0", "AntennaPod"),
        ("de.danoeh.antennapod/1.7.3b (Linux;Android 8.0.0) ExoPlayerLib/2.9.3", "AntennaPod"),
        ("gPodder/3.10.21 (+http://gpodder.org/) Linux", "gPodder"),
        ("Castro 2020.14/1287", "Castro"),
        ("CastBox/8.2.6-191015245 (Linux;Android 10) ExoPlayerLib/2.10.4", "CastBox"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36",
            "Google Chrome",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/14.0 Safari/605.1.15",
            "Safari",
        ),
        ("SomethingNobodyKnows/1.0", "Unknown"),
    ],
)
def test_app_names(user_agent, app):
    info = classify(user_agent)
    assert info.app == app
    assert info.is_bot is False


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "Spotify/1.0",  # Spotify's cache service, not a listener
        "Overcast/1.0 Podcast Sync",
        "atc/1.0 watchOS/7.1 model/Watch5,1 hwp/t8006 build/18R590 (6; dt:201)",
        "",  # no user agent at all
        "   ",
        "ExampleCrawler/2.0 (+https://crawler.example)",  # not in the list, looks like one
        "Mozilla/5.0 HeadlessChrome/120.0",
    ],
)
def test_bots(user_agent):
    assert classify(user_agent).is_bot is True


def test_a_bot_mark_on_any_matching_entry_wins_over_the_app():
    # Matches the browser entries and the Googlebot one: a bot all the same.
    ua = (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/86.0.4240.96 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    assert classify(ua).is_bot is True


def test_device_and_os_come_from_the_list():
    info = classify("Spotify/8.7.10 Android/33 (Pixel 7)")
    assert (info.app, info.device, info.os) == ("Spotify", "phone", "android")
