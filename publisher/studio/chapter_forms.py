"""The chapters and soundbites forms: one row per chapter or soundbite, times typed as
h:mm:ss (or m:ss, or seconds), and the field names the operations' refusals point at.

Each row keeps its index in the submitted list, so a refusal for ``chapters.3.startTime``
lands on the fourth filled row, whatever blank or removed rows came between.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from publisher.podcasting.chapters import TITLE_MAX
from publisher.podcasting.podcastindex import SOUNDBITE_TITLE_MAX

TIME_RE = re.compile(r"^(?:(?:(\d{1,3}):)?(\d{1,2}):)?(\d+(?:[.,]\d+)?)$")
# Chapter keys the list does not edit, carried through the form unchanged.
KEPT_KEYS = ("endTime", "toc", "location")
# Blank rows offered below the filled ones when the page has no script to add rows.
BLANK_ROWS = 3


def parse_time(text: str) -> float:
    """Seconds from ``1:02:03``, ``62:03``, ``3723`` or ``3723.5`` (ValueError otherwise)."""
    match = TIME_RE.match(text.strip())
    if not match:
        raise ValueError("Write the time as h:mm:ss, m:ss or seconds, e.g. 1:02:03 or 3723.")
    hours, minutes, seconds = match.groups()
    value = float(seconds.replace(",", "."))
    if (hours or minutes) and value >= 60:
        raise ValueError("Seconds go up to 59 in h:mm:ss.")
    if hours and int(minutes) >= 60:
        raise ValueError("Minutes go up to 59 in h:mm:ss.")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + value
    if not math.isfinite(total) or total > 10**7:
        raise ValueError("That time is longer than any episode.")
    return total


def format_time(seconds: float) -> str:
    """``h:mm:ss`` (with milliseconds when there are any), as the list shows a start."""
    millis = round(seconds * 1000)
    whole, millis = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{text}.{millis:03d}".rstrip("0") if millis else text


def _time(form: Form, field: StringField) -> None:
    if field.data and field.data.strip():
        try:
            parse_time(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ChapterRow(Form):
    """One chapter: the list's fields, and what the list does not edit (kept as JSON)."""

    start = StringField(
        "Start",
        validators=[Optional(), Length(max=20), _time],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    title = StringField("Title", validators=[Length(max=TITLE_MAX)])
    url = StringField("Link", validators=[Length(max=1000)], render_kw={"type": "url"})
    img = StringField("Image", validators=[Length(max=1000)], render_kw={"type": "url"})
    kept = HiddenField(validators=[Length(max=5000)])
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        return not any(
            (self.start.data or "").strip() or (f.data or "").strip()
            for f in (self.title, self.url, self.img)
        )

    def chapter(self) -> dict[str, Any]:
        """The row as a JSON chapter (the operation checks it)."""
        chapter: dict[str, Any] = {}
        start = (self.start.data or "").strip()
        if start:
            chapter["startTime"] = parse_time(start)
        for name in ("title", "url", "img"):
            value = (getattr(self, name).data or "").strip()
            if value:
                chapter[name] = value
        try:
            kept = json.loads(self.kept.data) if self.kept.data else {}
        except ValueError:
            kept = {}
        if isinstance(kept, dict):
            chapter.update({key: kept[key] for key in KEPT_KEYS if key in kept})
        return chapter

    def fill(self, chapter: dict[str, Any]) -> None:
        start = chapter.get("startTime")
        if isinstance(start, int | float) and not isinstance(start, bool) and start >= 0:
            self.start.data = format_time(float(start))
        else:
            self.start.data = ""
        for name in ("title", "url", "img"):
            value = chapter.get(name, "")
            getattr(self, name).data = value if isinstance(value, str) else ""
        kept = {key: chapter[key] for key in KEPT_KEYS if key in chapter}
        self.kept.data = json.dumps(kept) if kept else ""


class ChaptersForm(FlaskForm):
    chapters = FieldList(FormField(ChapterRow), min_entries=0)

    # The operation's names for a chapter's keys → the row's fields.
    ROW_FIELDS = {
        "startTime": "start",
        "endTime": "start",
        "title": "title",
        "url": "url",
        "img": "img",
        "toc": "start",
        "location": "start",
    }


class ChaptersFileForm(FlaskForm):
    file = FileField(
        "Chapters file (JSON)",
        validators=[FileRequired("Choose a JSON chapters file.")],
        render_kw={"accept": "application/json,.json"},
    )


class ClearChaptersForm(FlaskForm):
    confirm = BooleanField(
        "Yes, remove every chapter of this episode",
        validators=[DataRequired("Tick the box to confirm: every chapter goes.")],
    )


class SoundbiteRow(Form):
    start = StringField(
        "Start",
        validators=[Optional(), Length(max=20), _time],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    duration = StringField(
        "Duration (seconds)",
        validators=[Optional(), Length(max=20), _time],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    title = StringField("Title", validators=[Length(max=SOUNDBITE_TITLE_MAX)])
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.start, self.duration, self.title))

    def soundbite(self) -> dict[str, Any]:
        """The row as the API's soundbite (a missing start or duration: the operation says)."""
        bite: dict[str, Any] = {}
        if (self.start.data or "").strip():
            bite["start_time"] = parse_time(self.start.data)
        if (self.duration.data or "").strip():
            bite["duration"] = parse_time(self.duration.data)
        if (self.title.data or "").strip():
            bite["title"] = self.title.data.strip()
        return bite

    def fill(self, bite: dict[str, Any]) -> None:
        self.start.data = format_time(float(bite["start_time"]))
        self.duration.data = f"{float(bite['duration']):g}"
        self.title.data = bite.get("title", "")


class SoundbitesForm(FlaskForm):
    soundbites = FieldList(FormField(SoundbiteRow), min_entries=0)

    ROW_FIELDS = {"start_time": "start", "duration": "duration", "title": "title"}
