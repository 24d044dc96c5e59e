"""Between WTForms and the operations: form data in, the operation's field errors back."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.media.storage import ObjectNotFound, get_storage


def form_values(form: FlaskForm, names: list[str]) -> dict[str, Any]:
    """The submitted values of these fields, as the operations take them: a text field
    left out of the submission is empty, other fields left out are not sent."""
    values: dict[str, Any] = {}
    for name in names:
        field = getattr(form, name, None)
        if field is None:
            continue
        if isinstance(field, StringField):  # TextAreaField too
            values[name] = field.data or ""
        elif field.data is not None or isinstance(field, IntegerField):  # empty: cleared
            values[name] = field.data
    return values


def refused(form: FlaskForm, exc: PublisherError) -> int:
    """An operation refused the form: nothing it did is kept (rollback), its reasons go on
    the fields they name, and the page answers with the refusal's status."""
    db.session.rollback()
    show_errors(form, exc)
    return exc.status_code


def show_errors(form: FlaskForm, exc: PublisherError) -> None:
    """Put an operation's refusal on the fields it names (and a summary on the form)."""
    placed = False
    if isinstance(exc.details, list):
        for detail in exc.details:
            name = str(detail.get("field", "")).split(".")[0]
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*list(field.errors or []), detail.get("message", "")]
                placed = True
    form.form_errors.append("Please correct the fields marked below." if placed else exc.message)


def flash_errors(form: FlaskForm) -> None:
    for name, errors in form.errors.items():
        label = getattr(getattr(form, str(name), None), "label", None)
        for error in errors:
            flash(f"{label.text}: {error}" if label else str(error), "error")


def stored_file(
    key: str, content_type: str, missing: str = "The file is missing from the media store."
) -> Response:
    """A stored object (artwork, cover, transcript) read whole, for the producers' eyes
    only: studio pages are never cached. 404 with ``missing`` when the object is gone; a
    store that is down is the app's usual 503."""
    try:
        with get_storage().open(key) as stream:
            data = stream.read()
    except ObjectNotFound:
        abort(404, missing)
    return Response(data, content_type=content_type)
