"""An episode's people (podcast:person: guests and crew) as an editable list, saved
through the episode operation the API's PATCH uses (``EpisodeElements.persons``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from publisher.exceptions import PublisherError
from publisher.extensions import db
from publisher.operations import episodes as episode_ops
from publisher.operations.versions import VersionConflict, bump_version, check_version
from publisher.studio.access import episode_for_editing, studio_access
from publisher.studio.blueprint import bp
from publisher.studio.episode_file_forms import PeopleForm
from publisher.studio.formtools import refused


def _version(form: PeopleForm) -> int | None:
    try:
        return int(form.version.data or "")
    except ValueError:
        return None


def place_person_errors(form: PeopleForm, sent_rows: list[int], exc: PublisherError) -> None:
    """Put ``persons.<i>[.<field>]`` refusals on the form row they came from (``sent_rows``
    maps the i-th person sent to its row: empty rows are not sent)."""
    details = exc.details if isinstance(exc.details, list) else []
    for detail in details:
        parts = str(detail.get("field", "")).split(".")
        message = str(detail.get("message", ""))
        if parts[0] != "persons":
            continue
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(sent_rows):
            form.persons.errors = [*list(form.persons.errors or []), message]
            continue
        row = form.persons[sent_rows[int(parts[1])]].form
        target = row[parts[2]] if len(parts) > 2 and parts[2] in row else None
        if target is not None:
            target.errors = [*list(target.errors or []), message]
        else:
            row.row_errors = [*getattr(row, "row_errors", []), message]


@bp.route("/shows/<slug>/episodes/<int:episode_id>/people", methods=["GET", "POST"])
@studio_access("member")
def episode_people(slug: str, episode_id: int):
    """Edit the episode's people: name, role, group, page and picture of each."""
    episode = episode_for_editing(slug, episode_id)
    status = 200
    if request.method == "GET":
        form = PeopleForm(data={"persons": list(episode.persons or [])})
        form.version.data = str(episode.version)
    else:
        form = PeopleForm()
        status = 400
        if form.validate_on_submit():
            sent_rows = [i for i, entry in enumerate(form.persons) if not entry.form.is_empty()]
            persons = [form.persons[i].form.values() for i in sent_rows]
            try:
                check_version(episode, _version(form))
                episode_ops.update_episode(episode, {"persons": persons})
                bump_version(episode)
            except VersionConflict as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
                form.version.data = str(episode.version)  # saving again keeps these rows
                status = 409
            except PublisherError as exc:
                status = refused(form, exc)
                form.persons.errors = []  # placed on their rows instead
                place_person_errors(form, sent_rows, exc)
            else:
                db.session.commit()
                count = len(persons)
                flash(f"The episode's people are saved ({count}).", "success")
                return redirect(url_for("studio.episode_people", slug=slug, episode_id=episode.id))
    while form.persons.entries and form.persons.entries[-1].form.is_empty():
        form.persons.pop_entry()  # the blank rows sent are offered again below
    form.add_empty_rows()
    return render_template(
        "studio/episode_people.html",
        show=episode.show,
        episode=episode,
        form=form,
        saved=list(episode.persons or []),
        conflict=status == 409,
    ), status
