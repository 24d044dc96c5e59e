"""Route-spec registry: declare an API operation once, get validation and documentation.

``@api_route(bp, "/shows/<slug>", "PATCH", auth="editor", body=ShowUpdate, response=ShowOut)``
registers the Flask route, and the wrapper it installs

- authenticates (``auth``: ``"public"`` = token optional, ``"editor"``/``"admin"`` = role
  required, ``"none"`` = no token looked at),
- validates the query string, the JSON body and/or the multipart form with the pydantic
  models given (422 with ``details`` per field; unknown fields refused),
- calls the view with ``query=``, ``body=``, ``form=`` and ``files=`` keyword arguments,
- serialises a returned pydantic model (or ``(model, status)``) to JSON.

The operation is kept on the view function (``view.api_operation``), so
:func:`openapi_document` walks ``app.url_map`` and documents exactly the routes that are
registered: a route without an operation is missing from the document, and a test fails.
Any blueprint's views can use the decorator (see docs/api.md, "Documenting a new route").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal

from flask import Blueprint, Flask, Response, g, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from publisher.api.schemas import Error
from publisher.auth import authenticate, require_token
from publisher.exceptions import ValidationError
from publisher.operations.fields import SLUG_PATTERN, field_errors

Auth = Literal["none", "public", "editor", "admin"]
JSON = "application/json"
MULTIPART = "multipart/form-data"

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "Deleted",
    400: "Malformed request (e.g. the body is not valid JSON).",
    401: "No token, or the token is unknown or revoked.",
    403: "The token's user lacks the role this needs.",
    404: "No such item (or it is not public and no token was sent).",
    409: "Conflicts with an existing item (e.g. the slug is taken).",
    413: "The upload is larger than MAX_UPLOAD_MB.",
    415: "Wrong Content-Type for the body.",
    422: "Invalid fields; `details` lists each field and what is wrong.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The media store is unavailable.",
}


@dataclass
class FileField:
    """A file part of a multipart body."""

    name: str
    description: str
    required: bool = True


@dataclass
class Operation:
    """One documented method on one route."""

    method: str
    summary: str
    description: str
    tag: str
    auth: Auth
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None  # JSON body
    form: type[BaseModel] | None = None  # multipart body: text fields...
    files: list[FileField] = field(default_factory=list)  # ...and file fields
    response: type[BaseModel] | None = None
    status: int = 200
    content_type: str = JSON  # of the successful answer
    alternative_content: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[int, ...] = ()

    def error_statuses(self, has_path_params: bool) -> list[int]:
        codes = {400, 429, *self.errors}
        if self.auth != "none":
            codes.add(401)
        if self.auth in ("editor", "admin"):
            codes.add(403)
        if has_path_params:
            codes.add(404)
        if self.query or self.body or self.form:
            codes.add(422)
        if self.body or self.form:
            codes.update({413, 415})
        return sorted(codes)


def api_route(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    auth: Auth,
    tag: str,
    response: type[BaseModel] | None = None,
    status: int = 200,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    files: Iterable[FileField] = (),
    content_type: str = JSON,
    alternative_content: dict[str, dict[str, Any]] | None = None,
    errors: Iterable[int] = (),
    summary: str | None = None,
) -> Callable[[Callable], Callable]:
    """Register ``view`` on ``bp`` for ``method`` and ``rule`` and document it."""

    def decorator(view: Callable) -> Callable:
        doc = (view.__doc__ or "").strip()
        first_line, _, rest = doc.partition("\n")
        operation = Operation(
            method=method.upper(),
            summary=summary or first_line,
            description=rest.strip(),
            tag=tag,
            auth=auth,
            query=query,
            body=body,
            form=form,
            files=list(files),
            response=response,
            status=status,
            content_type=content_type,
            alternative_content=alternative_content or {},
            errors=tuple(errors),
        )

        @wraps(view)
        def wrapper(**path_args: Any) -> Any:
            if auth == "public":
                authenticate()
            kwargs = dict(path_args)
            if query is not None:
                kwargs["query"] = _validate(query, request.args.to_dict(), strict=False)
            kwargs.update(_parse_body(operation))
            result = view(**kwargs)
            return _to_response(result, status)

        guarded = require_token(auth)(wrapper) if auth in ("editor", "admin") else wrapper
        guarded.api_operation = operation  # type: ignore[union-attr]
        bp.add_url_rule(rule, view.__name__, guarded, methods=[operation.method])
        return guarded

    return decorator


# ---------------------------------------------------------------------------- requests


def _parse_body(operation: Operation) -> dict[str, Any]:
    if operation.body is None and operation.form is None:
        return {}
    mimetype = request.mimetype
    if operation.form is not None and mimetype == MULTIPART:
        return _parse_multipart(operation)
    if operation.body is not None and mimetype == JSON:
        data = request.get_data()
        if not data.strip():
            raise BadRequest("The request body is empty; send a JSON object.")
        return {"body": _validate(operation.body, data, strict=True, raw_json=True)}
    accepted = " or ".join(
        kind for kind, model in ((JSON, operation.body), (MULTIPART, operation.form)) if model
    )
    raise UnsupportedMediaType(f"Send the body as {accepted} (got {mimetype or 'none'}).")


def _parse_multipart(operation: Operation) -> dict[str, Any]:
    assert operation.form is not None
    if request.content_length and not request.form and not request.files:
        # Werkzeug ignores a body without a single well-formed part; saying nothing would
        # turn a broken request into "no change".
        raise BadRequest("The multipart body has no readable part; check its boundary.")
    file_names = {f.name for f in operation.files}
    unknown_files = [name for name in request.files if name not in file_names]
    in_wrong_part = [name for name in request.form if name in file_names]
    details = [{"field": name, "message": "Unknown field."} for name in unknown_files]
    details += [{"field": name, "message": "Send this as a file part."} for name in in_wrong_part]
    files: dict[str, FileStorage] = {}
    for spec in operation.files:
        upload = request.files.get(spec.name)
        if upload is None or not upload.filename:
            if spec.required and spec.name not in in_wrong_part:
                details.append({"field": spec.name, "message": "Attach the file in this field."})
            continue
        files[spec.name] = upload
    try:
        form = _validate(operation.form, request.form.to_dict(), strict=False)
    except ValidationError as exc:
        raise ValidationError(exc.message, details=details + exc.details) from None
    if details:
        raise ValidationError("Some fields are invalid.", details=details)
    return {"form": form, "files": files}


def _validate(model: type[BaseModel], data: Any, *, strict: bool, raw_json: bool = False):
    """Validate with ``model``; pydantic's errors become one 422 (or 400 for broken JSON)."""
    try:
        if raw_json:
            return model.model_validate_json(data, strict=strict)
        return model.model_validate(data, strict=strict)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise BadRequest(f"The body is not valid JSON: {errors[0]['msg']}.") from None
        raise ValidationError("Some fields are invalid.", details=field_errors(exc)) from None


# ---------------------------------------------------------------------------- answers


def _to_response(result: Any, default_status: int) -> Any:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    status = default_status
    if isinstance(result, tuple):
        result, status = result
    if isinstance(result, BaseModel):
        return jsonify(result.model_dump(mode="json")), status
    return result, status


# ---------------------------------------------------------------------------- document

_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_PATH_SCHEMAS = {
    "int": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "default": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100},
}


def openapi_document(app: Flask, prefix: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered route under ``prefix``."""
    operations: list[tuple[str, str, Operation, list[dict[str, Any]]]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        operation = getattr(app.view_functions[rule.endpoint], "api_operation", None)
        if operation is None:
            continue  # undocumented: the drift test names it
        path, parameters = _openapi_path(rule.rule)
        operations.append((path, rule.endpoint, operation, parameters))

    models = _models(op for _, _, op, _ in operations)
    keys, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas = _clean(definitions.get("$defs", {}))

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return keys[(model, mode)]  # type: ignore[index]

    paths: dict[str, dict[str, Any]] = {}
    for path, endpoint, op, parameters in operations:
        paths.setdefault(path, {})[op.method.lower()] = _operation_object(
            endpoint, op, parameters, ref
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{app.config['SITE_NAME']} API",
            "version": "1",
            "description": "Publish shows, episodes and articles. See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`flask --app wsgi tokens create EMAIL --name NAME`",
                }
            },
        },
    }


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _RULE_ARGUMENT.finditer(rule):
        converter = match["converter"] or "default"
        parameters.append(
            {
                "name": match["name"],
                "in": "path",
                "required": True,
                "schema": dict(_PATH_SCHEMAS.get(converter, {"type": "string"})),
            }
        )
    return _RULE_ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def _models(operations: Iterable[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Error, "serialization"): None}
    for op in operations:
        for model in (op.query, op.body, op.form):
            if model is not None:
                wanted[(model, "validation")] = None
        if op.response is not None:
            wanted[(op.response, "serialization")] = None
    return list(wanted)


def _operation_object(endpoint: str, op: Operation, path_params: list, ref: Callable) -> dict:
    parameters = list(path_params)
    if op.query is not None:
        schema = op.query.model_json_schema(mode="validation")
        required = set(schema.get("required", []))
        for name, prop in _clean(schema["properties"]).items():
            description = prop.pop("description", None)
            parameter = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": _not_null(prop),
            }
            if description:
                parameter["description"] = description
            parameters.append(parameter)

    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": STATUS_TEXT.get(op.status, "OK")}
    if op.response is not None:
        success["content"] = {op.content_type: {"schema": ref(op.response, "serialization")}}
    elif op.status != 204:
        success["content"] = {op.content_type: {"schema": {}}}
    for content_type, schema in op.alternative_content.items():
        success.setdefault("content", {})[content_type] = {"schema": schema}
    responses[str(op.status)] = success
    for code in op.error_statuses(bool(path_params)):
        error: dict[str, Any] = {
            "description": STATUS_TEXT.get(code, "Error"),
            "content": {JSON: {"schema": ref(Error, "serialization")}},
        }
        if code == 429:
            error["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait.",
                    "schema": {"type": "integer"},
                }
            }
        if code == 401:
            error["headers"] = {
                "WWW-Authenticate": {
                    "description": "Bearer challenge.",
                    "schema": {"type": "string"},
                }
            }
        responses[str(code)] = error

    obj: dict[str, Any] = {
        "operationId": endpoint.rsplit(".", 1)[-1],
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses,
    }
    if op.description:
        obj["description"] = op.description
    if parameters:
        obj["parameters"] = parameters
    if op.auth in ("editor", "admin"):
        obj["security"] = [{"bearer": []}]
        obj["x-required-role"] = op.auth
    elif op.auth == "public":
        obj["security"] = [{}, {"bearer": []}]  # optional: a token shows unpublished items too
    request_content: dict[str, Any] = {}
    if op.body is not None:
        request_content[JSON] = {"schema": ref(op.body, "validation")}
    if op.form is not None:
        request_content[MULTIPART] = {"schema": _multipart_schema(op, ref)}
    if request_content:
        obj["requestBody"] = {"required": True, "content": request_content}
    return obj


def _multipart_schema(op: Operation, ref: Callable) -> dict[str, Any]:
    assert op.form is not None
    schema = _clean(op.form.model_json_schema(mode="validation"))
    schema.pop("$defs", None)
    for spec in op.files:
        schema["properties"][spec.name] = {
            "type": "string",
            "format": "binary",
            "description": spec.description,
        }
        if spec.required:
            schema.setdefault("required", []).append(spec.name)
    schema["properties"] = {name: _not_null(p) for name, p in schema["properties"].items()}
    return schema


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Form fields and query parameters cannot be null: they are left out instead."""
    schema = dict(schema)
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        del schema["anyOf"]
        schema.update(options[0])
    if "default" in schema and schema["default"] is None:
        del schema["default"]
    return schema


def _clean(schema: Any) -> Any:
    """Drop ``"default": null`` on fields that may not be null (they are simply optional)."""
    if isinstance(schema, dict):
        cleaned = {key: _clean(value) for key, value in schema.items()}
        if "default" in cleaned and cleaned["default"] is None and not _allows_null(cleaned):
            del cleaned["default"]
        return cleaned
    if isinstance(schema, list):
        return [_clean(item) for item in schema]
    return schema


def _allows_null(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "null":
        return True
    return any(_allows_null(option) for option in schema.get("anyOf", []))


def document_json(app: Flask) -> str:
    """The document as JSON text, built once per app (routes do not change at run time)."""
    cache = app.extensions.setdefault("publisher_openapi", {})
    if "json" not in cache:
        cache["json"] = json.dumps(openapi_document(app), indent=2)
    return cache["json"]


def current_user_or_none() -> Any:
    """The token's user for this request, or None for anonymous callers."""
    return g.get("api_user")
