"""The episode form; times are typed in the producer's time zone and stored in UTC."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from publisher.models import EpisodeType, Status

STATUS_CHOICES = [
    SelectChoice(Status.DRAFT.value, "Draft (only producers see it)"),
    SelectChoice(Status.SCHEDULED.value, "Scheduled (published at the time below)"),
    SelectChoice(Status.PUBLISHED.value, "Published"),
]


class PublicationMixin:
    status = SelectField("Status", choices=STATUS_CHOICES)
    publish_at = DateTimeLocalField(
        "Publication time", validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )

    def publish_at_utc(self, zone: zoneinfo.ZoneInfo) -> datetime | None:
        """The typed local time as an aware UTC datetime (None when empty)."""
        local = self.publish_at.data
        if local is None:
            return None
        return local.replace(tzinfo=zone).astimezone(UTC)


class EpisodeForm(PublicationMixin, FlaskForm):
    version = HiddenField()
    title = StringField(
        "Title", validators=[DataRequired("Give the episode a title."), Length(max=300)]
    )
    slug = StringField(
        "Slug",
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Lowercase letters, digits and hyphens."),
        ],
    )
    description = TextAreaField("Show notes", validators=[Length(max=50_000)])
    season = IntegerField("Season", validators=[Optional(), NumberRange(0, 100_000)])
    number = IntegerField("Episode number", validators=[Optional(), NumberRange(0, 100_000)])
    episode_type = SelectField(
        "Type", choices=[SelectChoice(t.value, t.value.capitalize()) for t in EpisodeType]
    )
    explicit = BooleanField("Explicit content")
    itunes_title = StringField("Title in Apple Podcasts", validators=[Length(max=300)])
    block = BooleanField("Keep this episode out of Apple Podcasts")

    FIELDS = [
        "title",
        "slug",
        "description",
        "season",
        "number",
        "episode_type",
        "explicit",
        "itunes_title",
        "block",
        "status",
    ]


class AudioForm(FlaskForm):
    audio = FileField("New audio file", validators=[FileRequired("Choose an audio file.")])
