"""Forms of an episode's artwork, transcripts and people pages.

They only bound what a browser may send; the operations decide what is valid (image
rules, transcript formats and language tags, the Podcast Taxonomy's roles and groups).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, Form, FormField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from publisher.podcasting.podcastindex import ROLES, TAXONOMY

# What the transcript operation recognises (the content decides; the choice is a hint).
TRANSCRIPT_TYPES = [
    SelectChoice("", "Recognise it from the file"),
    SelectChoice("text/vtt", "WebVTT (.vtt)"),
    SelectChoice("application/x-subrip", "SRT (.srt)"),
    SelectChoice("application/json", "JSON (Podcasting 2.0 transcript)"),
    SelectChoice("text/plain", "Plain text or HTML"),
]
TRANSCRIPT_TYPE_NAMES = {
    "text/vtt": "WebVTT",
    "application/x-subrip": "SRT",
    "application/json": "JSON",
    "text/plain": "Text",
}
PERSON_ROWS_EMPTY = 3  # empty rows offered without JavaScript
PERSON_FIELDS = ("name", "role", "group", "href", "img")


class ArtworkForm(FlaskForm):
    image = FileField(
        "Artwork image",
        validators=[FileRequired("Choose a JPEG or PNG image.")],
        render_kw={"accept": "image/jpeg,image/png"},
    )


class TranscriptUploadForm(FlaskForm):
    file = FileField(
        "Transcript file",
        validators=[FileRequired("Choose a transcript file.")],
        render_kw={"accept": ".vtt,.srt,.json,.txt,.html,text/*,application/json"},
    )
    language = StringField(
        "Language",
        validators=[Length(max=35)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    type = SelectField("Format", choices=TRANSCRIPT_TYPES, validate_choice=False)


class PersonForm(Form):
    """One podcast:person row (a sub-form: the page's form carries the CSRF token)."""

    name = StringField("Name", validators=[Length(max=128)])
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Guest (default)")]
        + [SelectChoice(role, role.capitalize()) for role in sorted(ROLES)],
        validate_choice=False,  # the operation names an unknown role
    )
    group = SelectField(
        "Group",
        choices=[SelectChoice("", "The role's own group")]
        + [SelectChoice(group, group.capitalize()) for group in TAXONOMY],
        validate_choice=False,
    )
    href = StringField(
        "Page (URL)", validators=[Length(max=1000)], render_kw={"type": "url", "inputmode": "url"}
    )
    img = StringField(
        "Picture (URL)",
        validators=[Length(max=1000)],
        render_kw={"type": "url", "inputmode": "url"},
    )

    def is_empty(self) -> bool:
        """Nothing typed: a role or group chosen alone does not keep a row (emptying a
        person's name and addresses removes them)."""
        return not any((self[name].data or "").strip() for name in ("name", "href", "img"))

    def values(self) -> dict[str, Any]:
        """The row as the operation takes it (empty optional fields left out)."""
        row = {name: (self[name].data or "").strip() for name in PERSON_FIELDS}
        return {name: value for name, value in row.items() if value or name == "name"}


class PeopleForm(FlaskForm):
    version = HiddenField()
    # No max_entries: FieldList would drop rows silently; the operation refuses past 50
    # and the request's form-part limit answers 413 long before memory matters.
    persons = FieldList(FormField(PersonForm), min_entries=0)

    def add_empty_rows(self, count: int = PERSON_ROWS_EMPTY) -> None:
        for _ in range(count):
            self.persons.append_entry()
