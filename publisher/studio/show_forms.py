"""The show form: every field of ``operations.shows.ShowFields``, grouped the way a producer
thinks (basics, artwork, people, directories, advanced), with the repeating entries
(categories, funding links, hosts and crew, txt records) as editable lists of rows.

The form only carries values: every check is the operation's (the API refuses the same
values with the same words), and its errors come back onto the field or the row they name
(``persons.1.href`` → the second person's page), see :func:`place_errors`.
"""

from __future__ import annotations

import copy
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from publisher.exceptions import PublisherError
from publisher.models import Show, ShowStatus, ShowType
from publisher.operations.shows import ADMIN_ONLY_SHOW_FIELDS
from publisher.podcasting.apple import APPLE_CATEGORIES
from publisher.podcasting.elements import CATEGORIES_MAX, FUNDING_MAX, LOCATION_RELS
from publisher.podcasting.podcastindex import MEDIUMS, ROLE_GROUP, TAXONOMY
from publisher.studio.formtools import form_values

SLUG_HINT = "Lowercase letters, digits and hyphens; it is part of the feed URL and never changes."
PERSONS_MAX = 50  # ShowFields.persons' max_length
TXT_MAX_ENTRIES = 10  # ShowFields.txt's max_length
URL = {"type": "url", "spellcheck": "false"}


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(str(value), str(value).capitalize()) for value in values]


# ---------------------------------------------------------------------------- list rows


class CategoryRow(Form):
    category = SelectField(
        "Category",
        choices=[SelectChoice("", "(none)"), *[SelectChoice(c, c) for c in APPLE_CATEGORIES]],
        default="",
    )
    # Offered as a select grouped by category (the template; the script narrows it to the
    # chosen category); the operation checks the pair against Apple's list.
    subcategory = StringField("Subcategory", validators=[Length(max=100)])

    def is_blank(self) -> bool:
        return not (self.category.data or self.subcategory.data)

    def value(self) -> dict[str, str]:
        return {"category": self.category.data or "", "subcategory": self.subcategory.data or ""}


class FundingRow(Form):
    url = StringField("Link", validators=[Length(max=1000)], render_kw=URL)
    text = StringField("Label", validators=[Length(max=128)])

    def is_blank(self) -> bool:
        return not ((self.url.data or "").strip() or (self.text.data or "").strip())

    def value(self) -> dict[str, str]:
        return {"url": self.url.data or "", "text": self.text.data or ""}


_ROLES = list(dict.fromkeys(role for roles in TAXONOMY.values() for role in roles))


class PersonRow(Form):
    name = StringField("Name", validators=[Length(max=128)])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(role, f"{role.capitalize()} ({ROLE_GROUP[role]})") for role in _ROLES
        ],
        default="host",
    )
    group = SelectField(
        "Group",
        choices=[SelectChoice("", "(the role's own)"), *_choices(TAXONOMY)],
        default="",
    )
    href = StringField("Web page", validators=[Length(max=1000)], render_kw=URL)
    img = StringField("Picture URL", validators=[Length(max=1000)], render_kw=URL)

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.href, self.img))

    def value(self) -> dict[str, str]:
        person = {"name": self.name.data or "", "role": self.role.data or "host"}
        for key in ("group", "href", "img"):
            if (getattr(self, key).data or "").strip():
                person[key] = getattr(self, key).data
        return person

    @staticmethod
    def initial(stored: dict[str, Any]) -> dict[str, str]:
        return {key: stored.get(key) or "" for key in ("name", "role", "group", "href", "img")}


class TxtRow(Form):
    text = StringField("Text", validators=[Length(max=4000)])
    purpose = StringField("Purpose", validators=[Length(max=128)])

    def is_blank(self) -> bool:
        return not ((self.text.data or "").strip() or (self.purpose.data or "").strip())

    def value(self) -> dict[str, str]:
        entry = {"text": self.text.data or ""}
        if (self.purpose.data or "").strip():
            entry["purpose"] = self.purpose.data or ""
        return entry


# Each list: its row form, the operation's maximum, and the empty rows offered without JS.
# A form accepts one row more than the maximum, so the operation says what the limit is
# instead of a row silently disappearing; anything beyond is never read.
LISTS: dict[str, tuple[type[Form], int, int]] = {
    "categories": (CategoryRow, CATEGORIES_MAX, CATEGORIES_MAX),
    "funding": (FundingRow, FUNDING_MAX, 2),
    "persons": (PersonRow, PERSONS_MAX, 2),
    "txt": (TxtRow, TXT_MAX_ENTRIES, 1),
}


def _rows(row: type[Form], label: str, maximum: int) -> FieldList:
    return FieldList(FormField(row), label=label, max_entries=maximum + 1)


# ---------------------------------------------------------------------------- the form


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
    link = StringField("Website", validators=[Length(max=1000)], render_kw=URL)
    # Artwork
    image = FileField("Artwork image", render_kw={"accept": "image/jpeg,image/png"})
    # People
    author = StringField("Author", validators=[Length(max=300)])
    owner_name = StringField("Owner name", validators=[Length(max=300)])
    owner_email = StringField(
        "Owner e-mail", validators=[Length(max=254)], render_kw={"type": "email"}
    )
    persons = _rows(PersonRow, "Hosts and crew", PERSONS_MAX)
    # Directories
    categories = _rows(CategoryRow, "Apple Podcasts categories", CATEGORIES_MAX)
    medium = SelectField("Medium", choices=_choices(MEDIUMS), default="podcast")
    copyright = StringField("Copyright", validators=[Length(max=500)])
    license = StringField("Licence", validators=[Length(max=128)])
    license_url = StringField("Licence URL", validators=[Length(max=1000)], render_kw=URL)
    funding = _rows(FundingRow, "Support links", FUNDING_MAX)
    location = StringField("Location", validators=[Length(max=128)])
    location_geo = StringField("Coordinates (geo URI)", validators=[Length(max=100)])
    location_osm = StringField("OpenStreetMap id", validators=[Length(max=35)])
    location_rel = SelectField(
        "The location is the show's",
        choices=[SelectChoice("", "(not said)"), *_choices(LOCATION_RELS)],
        default="",
    )
    location_country = StringField("Country code", validators=[Length(max=35)])
    # Advanced
    update_frequency = StringField("Update frequency", validators=[Length(max=128)])
    update_frequency_rrule = StringField("Update rule (RFC 5545)", validators=[Length(max=200)])
    update_frequency_dtstart = DateTimeLocalField(
        "Rule starts", validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    txt = _rows(TxtRow, "Text records (podcast:txt)", TXT_MAX_ENTRIES)
    complete = BooleanField("Complete (no more episodes will be published)")
    block = BooleanField("Keep the show out of podcast apps and directories (block)")
    locked = BooleanField("Locked (other hosts may not import this feed)")
    new_feed_url = StringField(
        "New feed URL (only when the show moves elsewhere)",
        validators=[Length(max=1000)],
        render_kw=URL,
    )

    GROUPS = {
        "Basics": ["title", "description", "status", "language", "show_type", "explicit", "link"],
        "Artwork": ["image"],
        "People": ["author", "owner_name", "owner_email", "persons"],
        "Directories": [
            "categories",
            "medium",
            "copyright",
            "license",
            "license_url",
            "funding",
            "location",
            "location_geo",
            "location_osm",
            "location_rel",
            "location_country",
        ],
        "Advanced": [
            "update_frequency",
            "update_frequency_rrule",
            "update_frequency_dtstart",
            "txt",
            "complete",
            "block",
            "locked",
            "new_feed_url",
        ],
    }

    HINTS = {
        "description": "Shown in podcast apps under the show's name. Simple HTML (paragraphs, "
        "links, lists) is kept; Apple accepts 4,000 bytes.",
        "status": "A draft show and its feed stay hidden from the public.",
        "language": "A language code like en, fr or pt-BR; apps use it to file the show.",
        "show_type": "Episodic: newest first (most shows). Serial: oldest first, listened in "
        "order, with seasons.",
        "explicit": "Apps mark the show explicit and may hide it from some listeners.",
        "link": "The show's website; apps link to it.",
        "image": "Square JPEG or PNG, 1400 to 3000 pixels a side, RGB colours. Apps show it "
        "as the cover; Apple refuses a show without it.",
        "author": "The name apps show under the title (itunes:author).",
        "owner_name": "Who directories contact about the show (itunes:owner).",
        "owner_email": "Apple and the Podcast Index write here to confirm ownership; it is in "
        "the feed.",
        "persons": "The show's hosts and crew (podcast:person); apps that support it show "
        "them with their picture and page. Episodes add their guests.",
        "categories": "Up to three Apple Podcasts categories; the first is the main one. Apps "
        "and directories file the show under them.",
        "medium": "What the feed is (podcast:medium); most shows are a podcast.",
        "copyright": "E.g. © 2026 Harbour Media.",
        "license": "An SPDX licence id such as cc-by-4.0 (podcast:license), or a name with "
        "its URL below.",
        "license_url": "Needed when the licence is not an SPDX id.",
        "funding": "Where listeners support the show (podcast:funding); apps show a support "
        "button with the label.",
        "location": "The place the show is about or made in, e.g. Lisbon (podcast:location).",
        "location_geo": "Optional: geo:latitude,longitude, e.g. geo:38.72,-9.14.",
        "location_osm": "Optional: an OpenStreetMap id, e.g. R5400890.",
        "location_rel": "Whether the place is the show's subject or where its creator is.",
        "location_country": "Optional: a two-letter country code, e.g. PT.",
        "update_frequency": "How often new episodes come, in words, e.g. Every Monday "
        "(podcast:updateFrequency).",
        "update_frequency_rrule": "The same as a rule apps read, e.g. FREQ=WEEKLY;BYDAY=MO.",
        "update_frequency_dtstart": "When the rule starts, in your time zone; needed with "
        "COUNT or INTERVAL.",
        "txt": "Text records for services, e.g. the code Apple or a host asks you to put in "
        "the feed to prove it is yours (podcast:txt).",
        "complete": "Apps stop checking for new episodes (itunes:complete).",
        "block": "Asks apps and directories not to list the show (itunes:block and "
        "podcast:block). The feed still works for those who have its address.",
        "locked": "Other hosting platforms refuse to import this feed (podcast:locked), so "
        "nobody can move the show without you.",
        "new_feed_url": "Only when the show moves to another host: apps follow the new "
        "address (itunes:new-feed-url).",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The operation's errors about a whole list ("at most 3 categories"), by list.
        self.list_errors: dict[str, list[str]] = {}

    @classmethod
    def scalar_names(cls) -> list[str]:
        """The plain fields the operation takes as they are."""
        special = {"image", "update_frequency_dtstart", *LISTS}
        return [name for names in cls.GROUPS.values() for name in names if name not in special]

    # ------------------------------------------------------------------ filling in

    @classmethod
    def for_show(cls, show: Show, zone: zoneinfo.ZoneInfo) -> ShowForm:
        """The form with the show's values; on a POST, the submitted ones."""
        categories = [{"category": show.category, "subcategory": show.subcategory}]
        categories = [*categories, *(show.extra_categories or [])] if show.category else []
        funding = [{"url": show.funding_url, "text": show.funding_text}]
        funding = [*funding, *(show.extra_funding or [])] if show.funding_url else []
        form = cls(
            obj=show,
            categories=categories,
            funding=funding,
            persons=[PersonRow.initial(p) for p in show.hosts or []],
        )
        dtstart = show.update_frequency_dtstart
        if not form.is_submitted() and dtstart is not None:
            form.update_frequency_dtstart.data = dtstart.astimezone(zone).replace(tzinfo=None)
        return form

    def add_blank_rows(self) -> None:
        """A few empty rows per list, so a producer without JavaScript can add entries."""
        for name, (_row, maximum, blanks) in LISTS.items():
            rows: FieldList = self[name]
            wanted = min(maximum, len(rows.entries) + blanks)
            if name == "categories":
                wanted = maximum
            while len(rows.entries) < wanted:
                rows.append_entry()

    # ------------------------------------------------------------------ reading out

    def values(
        self,
        zone: zoneinfo.ZoneInfo,
        *,
        names: list[str] | None = None,
        show: Show | None = None,
    ) -> dict[str, Any]:
        """The operation's input: the plain fields, each list's filled rows (blank rows
        are left out), the rule's start in UTC (left out when it is the ``show``'s to the
        minute the form shows, so seconds set through the API survive a save)."""
        values = form_values(self, names if names is not None else self.scalar_names())
        for name in LISTS:
            rows = [entry.form.value() for entry in self[name].entries
                    if not entry.form.is_blank()]  # fmt: skip
            if name == "categories" and not rows:
                values.update(category="", subcategory="")  # none: cleared
            else:
                values[name] = rows
        local = self.update_frequency_dtstart.data
        start = local.replace(tzinfo=zone).astimezone(UTC) if isinstance(local, datetime) else None
        stored = show.update_frequency_dtstart if show is not None else None
        if stored is None or start is None or stored.replace(second=0, microsecond=0) != start:
            values["update_frequency_dtstart"] = start
        return values

    def filled_rows(self, name: str) -> list[int]:
        """Positions (in the form) of the rows sent to the operation, in order."""
        return [i for i, entry in enumerate(self[name].entries) if not entry.form.is_blank()]


class NewShowForm(ShowForm):
    slug = StringField(
        "Slug (optional)",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=SLUG_HINT),
        ],
    )


def admin_only_changes(form: ShowForm, show: Show, submitted: Any) -> list[dict[str, str]]:
    """The admin-only fields (security finding 5) an editor's submission would change.

    Editors see them read-only, so a browser sends none of them; a field that is sent
    anyway with another value than the show's is a refusal on that field."""
    problems = []
    for name in ADMIN_ONLY_SHOW_FIELDS:
        if name not in submitted:
            continue
        field = form[name]
        current = getattr(show, name)
        sent = field.data if isinstance(field, BooleanField) else (field.data or "").strip()
        if sent != current:
            problems.append({"field": name, "message": "Only an admin can change this."})
    return problems


# ---------------------------------------------------------------------------- errors


def place_errors(form: ShowForm, exc: PublisherError) -> PublisherError:
    """Put the operation's errors about list rows on their row (``persons.1.href`` → the
    field, ``persons.1`` → the row, ``persons`` → the list), counting only the rows that
    were sent; return the refusal with the rest, for ``formtools.refused``."""
    details = exc.details if isinstance(exc.details, list) else None
    if details is None:
        return exc
    rest, placed = [], False
    for detail in details:
        path = str(detail.get("field", "")).split(".")
        message = str(detail.get("message", ""))
        if path[0] not in LISTS:
            rest.append(detail)
            continue
        placed = True
        rows: FieldList = form[path[0]]
        filled = form.filled_rows(path[0])
        if len(path) < 2 or not path[1].isdigit() or int(path[1]) >= len(filled):
            form.list_errors.setdefault(path[0], []).append(message)
            continue
        row = rows.entries[filled[int(path[1])]].form
        field = getattr(row, path[2], None) if len(path) > 2 else None
        if field is not None and hasattr(field, "errors") and not isinstance(field, FormField):
            field.errors = [*list(field.errors or []), message]
        else:
            row.form_errors.append(message)
    remaining = copy.copy(exc)
    remaining.details = rest
    if placed and not rest:
        remaining.message = "Please correct the fields marked below."
    return remaining
