"""Checks the API and studio call before saving podcast fields."""

from __future__ import annotations

import pytest

from publisher.errors import ValidationError
from publisher.podcasting.apple import APPLE_CATEGORIES, feed_category, validate_category
from publisher.podcasting.podcastindex import (
    validate_medium,
    validate_person,
    validate_rrule,
    validate_soundbite,
    validate_txt,
)


def test_apples_list_has_19_categories_and_110_names():
    assert len(APPLE_CATEGORIES) == 19
    assert len(APPLE_CATEGORIES) + sum(len(subs) for subs in APPLE_CATEGORIES.values()) == 110


def test_categories_are_matched_to_their_canonical_spelling():
    assert validate_category(" health & fitness ", "mental health") == (
        "Health & Fitness",
        "Mental Health",
    )
    assert validate_category("History") == ("History", "")


@pytest.mark.parametrize(
    ("category", "subcategory", "message"),
    [
        ("Cooking", "", "'Cooking' is not an Apple Podcasts category"),
        ("Arts", "Mental Health", "'Mental Health' is not a subcategory of 'Arts'"),
        ("History", "Ancient", "Its subcategories: none"),
    ],
)
def test_bad_categories_are_refused_with_a_message(category, subcategory, message):
    with pytest.raises(ValidationError, match=message):
        validate_category(category, subcategory)


def test_the_feed_falls_back_to_a_valid_category():
    assert feed_category("Arts", "Cooking") == ("Arts", "")
    assert feed_category("Cooking", "") == ("Society & Culture", "")


def test_people_follow_the_taxonomy():
    assert validate_person({"name": " Ann ", "role": "Cover Art Designer"}) == {
        "name": "Ann",
        "role": "cover art designer",
        "group": "visuals",
    }
    assert validate_person({"name": "Bo"}, default_role="guest")["role"] == "guest"
    with pytest.raises(ValidationError, match="not a role"):
        validate_person({"name": "Cy", "role": "overlord"})
    with pytest.raises(ValidationError, match="not in the group"):
        validate_person({"name": "Di", "role": "host", "group": "writing"})
    with pytest.raises(ValidationError, match="needs a name"):
        validate_person({"name": "  "})
    with pytest.raises(ValidationError, match="at most 128"):
        validate_person({"name": "x" * 129})


def test_update_frequency_rules():
    assert validate_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO,WE") == "FREQ=WEEKLY;BYDAY=MO,WE"
    for bad in ("", "weekly", "FREQ=SOMETIMES", "FREQ=DAILY;COLOUR=RED"):
        with pytest.raises(ValidationError, match="Example: FREQ=WEEKLY"):
            validate_rrule(bad)


def test_txt_soundbites_and_medium():
    assert validate_txt([{"text": "abc", "purpose": "verify"}]) == [
        {"text": "abc", "purpose": "verify"}
    ]
    with pytest.raises(ValidationError, match="at most 4000"):
        validate_txt([{"text": "x" * 4001}])
    with pytest.raises(ValidationError, match="at most 128"):
        validate_txt([{"text": "x", "purpose": "p" * 129}])
    assert validate_soundbite({"start_time": "73", "duration": 60}) == {
        "start_time": 73.0,
        "duration": 60.0,
    }
    with pytest.raises(ValidationError, match="duration > 0"):
        validate_soundbite({"start_time": 1, "duration": 0})
    assert validate_medium("music") == "music"
    with pytest.raises(ValidationError, match="not a podcast:medium"):
        validate_medium("hologram")
