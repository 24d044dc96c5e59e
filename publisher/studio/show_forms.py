"""The show form, grouped the way a producer thinks: basics, people, directories, advanced."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from publisher.models import ShowStatus, ShowType
from publisher.podcasting.apple import APPLE_CATEGORIES
from publisher.podcasting.podcastindex import MEDIUMS

SLUG_HINT = "Lowercase letters, digits and hyphens; it is part of the feed URL and never changes."


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(str(value), str(value).capitalize()) for value in values]


class ShowForm(FlaskForm):
    # Basics
    title = StringField(
        "Title", validators=[DataRequired("Give the show a title."), Length(max=300)]
    )
    description = TextAreaField("Description", validators=[Length(max=20_000)])
    status = SelectField("Status", choices=_choices(ShowStatus), default=ShowStatus.PUBLISHED.value)
    language = StringField("Language", validators=[Length(max=35)], default="en")
    show_type = SelectField("Type", choices=_choices(ShowType), default=ShowType.EPISODIC.value)
    explicit = BooleanField("Explicit content")
    # People
    author = StringField("Author", validators=[Length(max=300)])
    owner_name = StringField("Owner name", validators=[Length(max=300)])
    owner_email = StringField(
        "Owner e-mail", validators=[Length(max=254)], render_kw={"type": "email"}
    )
    # Directories
    category = SelectField(
        "Apple Podcasts category",
        choices=[SelectChoice("", "(none)"), *[SelectChoice(c, c) for c in APPLE_CATEGORIES]],
    )
    subcategory = StringField("Subcategory", validators=[Length(max=100)])
    link = StringField("Website", validators=[Length(max=1000)], render_kw={"type": "url"})
    copyright = StringField("Copyright", validators=[Length(max=500)])
    funding_url = StringField(
        "Support link", validators=[Length(max=1000)], render_kw={"type": "url"}
    )
    funding_text = StringField("Support link text", validators=[Length(max=128)])
    license = StringField("Licence", validators=[Length(max=128)])
    location = StringField("Location", validators=[Length(max=128)])
    medium = SelectField("Medium", choices=_choices(MEDIUMS), default="podcast")
    # Advanced
    locked = BooleanField("Locked (other hosts may not import this feed)")
    complete = BooleanField("Complete (no more episodes will be published)")
    new_feed_url = StringField(
        "New feed URL (only when the show moves elsewhere)",
        validators=[Length(max=1000)],
        render_kw={"type": "url"},
    )

    GROUPS = {
        "Basics": ["title", "description", "status", "language", "show_type", "explicit"],
        "People": ["author", "owner_name", "owner_email"],
        "Directories": [
            "category",
            "subcategory",
            "link",
            "copyright",
            "funding_url",
            "funding_text",
            "license",
            "location",
            "medium",
        ],
        "Advanced": ["locked", "complete", "new_feed_url"],
    }

    @classmethod
    def field_names(cls) -> list[str]:
        return [name for names in cls.GROUPS.values() for name in names]


class NewShowForm(ShowForm):
    slug = StringField(
        "Slug (optional)",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=SLUG_HINT),
        ],
    )
