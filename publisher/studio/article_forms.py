"""The article editor's form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from publisher.studio.episode_forms import PublicationMixin


class NewArticleForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the article a title."), Length(max=300)]
    )


class ArticleForm(PublicationMixin, FlaskForm):
    version = HiddenField()
    title = StringField(
        "Title", validators=[DataRequired("Give the article a title."), Length(max=300)]
    )
    slug = StringField(
        "Slug",
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Lowercase letters, digits and hyphens."),
        ],
    )
    summary = TextAreaField("Summary", validators=[Length(max=2_000)])
    body = TextAreaField("Text (Markdown)", validators=[Length(max=200_000)])
    tags = StringField("Tags", validators=[Optional(), Length(max=5_000)])
    episodes = HiddenField("Linked episodes")

    def tag_names(self) -> list[str]:
        return [name.strip() for name in (self.tags.data or "").split(",") if name.strip()]

    def episode_ids(self) -> list[int]:
        return [int(part) for part in (self.episodes.data or "").split(",") if part.isdigit()]


class CoverForm(FlaskForm):
    """The cover image upload (its own form: the article's text is not posted with it)."""

    file = FileField(
        "Cover image",
        validators=[FileRequired("Choose a JPEG, PNG or WebP image.")],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
