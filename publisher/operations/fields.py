"""Validated input: the field types and limits every operation's input shares.

Each operation takes one pydantic input type built from these (``ShowCreate``,
``EpisodeFields``…), so a limit is written once and the API, the CLI, the demo, the
studio and the importer all refuse the same values with the same words. Input models
refuse unknown fields; strings are length-limited and may not carry control characters
(PostgreSQL refuses NUL, and no title needs a bell character).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError

from publisher.exceptions import ValidationError
from publisher.models.vocabulary import EpisodeType, ShowStatus, ShowType, Status, literal

# C0 controls other than tab, newline and carriage return; DEL; lone surrogates, which a
# JSON string may carry but UTF-8 (and so the database) cannot store.
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _no_control_characters(value: str) -> str:
    if _FORBIDDEN_CHARACTERS.search(value):
        raise ValueError("Remove control characters (such as NUL) from this text.")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This field may not be blank.")
    return value


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A plain-text string type: stripped, length-limited, no control characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_control_characters),
        Field(json_schema_extra={"pattern": TEXT_PATTERN}),
    ]


def required_text(max_length: int) -> Any:
    """Like text(), and not empty."""
    return Annotated[text(max_length, min_length=1), AfterValidator(_not_blank)]


Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=SLUG_PATTERN),
    Field(description="Lowercase letters, digits and single hyphens, e.g. `my-show`."),
]
Url = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=1000, pattern=r"^(https?://[^\s\x00-\x1f\x7f]+)?$"
    ),
    AfterValidator(_no_control_characters),
    Field(description="An http(s) URL, or empty."),
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=r"^([^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+)?$",
    ),
    AfterValidator(_no_control_characters),
    Field(description="An e-mail address, or empty."),
]
Timestamp = Annotated[
    AwareDatetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
    Field(description="ISO 8601 with a UTC offset, e.g. `2025-05-01T09:00:00+02:00`."),
]
Title = required_text(300)
TagName = required_text(100)
PersonName = required_text(128)
TxtText = required_text(4000)
Name500 = required_text(500)
Name200 = required_text(200)
Name1000 = required_text(1000)
ShortHtml = text(20_000)
LongHtml = text(50_000)
Markdown = text(200_000)
Summary = text(2_000)
Text35 = text(35)
Text300 = text(300)
Text100 = text(100)
Text500 = text(500)
Text128 = text(128)
Text200 = text(200)
StatusName = literal(Status)
ShowStatusName = literal(ShowStatus)
EpisodeTypeName = literal(EpisodeType)
ShowTypeName = literal(ShowType)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=100_000)]


# The default of an input field that may be left out: ``name: Type = UNSET``. Absent means
# "not given" (PATCH changes only what it is given), while an explicit null is refused
# (``Type | None`` would accept it). It is None to pydantic, and Any to the type checker,
# which would otherwise see None assigned to a non-optional type.
UNSET: Any = None


class Input(BaseModel):
    """Base of request models: unknown fields and loose types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


def sent_fields(data: BaseModel, of: type[BaseModel] | None = None) -> dict[str, Any]:
    """The fields the caller actually sent (PATCH semantics), limited to ``of``'s fields."""
    names = (of or type(data)).model_fields
    return {name: getattr(data, name) for name in data.model_fields_set if name in names}


def validated(model: type[BaseModel], data: Any, *, strict: bool = False) -> Any:
    """``data`` (a mapping, or already a ``model``) as a ``model``; pydantic's errors become
    one ValidationError (422) naming each field and what is wrong with it."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data, strict=strict)
    except PydanticValidationError as exc:
        raise ValidationError("Some fields are invalid.", details=field_errors(exc)) from None


def field_errors(exc: PydanticValidationError) -> list[dict[str, str]]:
    """One ``{"field", "message"}`` per problem, in words a producer understands."""
    return [
        {"field": _field_name(error["loc"]), "message": _message(error)}
        for error in exc.errors(include_url=False, include_input=False)
    ]


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


PATTERN_MESSAGES = {
    SLUG_PATTERN: "Use lowercase letters, digits and single hyphens (e.g. `my-show`).",
}


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "model_type" or kind == "model_attributes_type":
        return "Send a JSON object."
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if pattern in PATTERN_MESSAGES:
            return PATTERN_MESSAGES[pattern]
        if "https?" in pattern:
            return "Give a full http:// or https:// URL (or an empty string)."
        if "@" in pattern:
            return "Give an e-mail address (or an empty string)."
        return "This text contains characters that are not allowed."
    if kind == "too_long" and "max_length" in ctx:  # a list with too many entries
        return f"Give at most {ctx['max_length']} entries; remove the others."
    if kind == "timezone_aware":
        return "Give the time with its UTC offset, e.g. 2025-05-01T09:00:00+02:00."
    if kind == "literal_error":
        return f"Use one of: {ctx.get('expected', '')}."
    return str(error["msg"]) + "."
