"""Import a show from its feed: the form for the importer's job (operations.imports)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.operations import imports as import_ops
from publisher.studio.blueprint import bp
from publisher.studio.formtools import refused


class ImportForm(FlaskForm):
    """What ``ImportCreate`` takes; the operation validates it (as for the API)."""

    source = StringField(
        "Feed URL",
        render_kw={"type": "url", "inputmode": "url", "spellcheck": "false",
                   "autocomplete": "off", "placeholder": "https://example.com/feed.xml"},
    )  # fmt: skip
    # The choice is checked by the operation (one validator, the API's messages).
    media = RadioField(
        "Audio",
        choices=[
            SelectChoice("download", "Copy every episode's audio here"),
            SelectChoice("external", "Leave the audio at the old host for now"),
        ],
        default="download",
        validate_choice=False,
    )
    owner_email = StringField(
        "Owner e-mail (only for a locked feed)",
        render_kw={"type": "email", "spellcheck": "false", "autocomplete": "email"},
    )

    def values(self) -> dict[str, object]:
        return {
            "source": self.source.data or "",
            "media": self.media.data or "download",
            "owner_email": (self.owner_email.data or "").strip() or None,
        }


@bp.route("/import", methods=["GET", "POST"])
def import_show():
    """Import a show from another host's feed, as a job whose progress the next page shows."""
    form = ImportForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():  # the CSRF token (CSRFProtect refuses a POST without)
            try:
                job = import_ops.request_import(form.values(), current_user)
            except PublisherError as exc:
                status = refused(form, exc)
            else:
                db.session.commit()
                flash("The import has started; this page follows its progress.", "success")
                return redirect(url_for("studio.job", job_id=job.id))
    return render_template("studio/import.html", form=form), status
