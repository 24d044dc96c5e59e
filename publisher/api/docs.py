"""The OpenAPI document (/api/v1/openapi.json) and its human-readable page (/api/v1/docs)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, render_template

from publisher.api.blueprint import bp
from publisher.api.spec import api_route, document_json

OPENAPI_SCHEMA = {"type": "object", "description": "An OpenAPI 3.1 document."}
AUTH_TEXT = {
    "editor": "Token of an editor or admin",
    "admin": "Token of an admin",
}


@api_route(bp, "/openapi.json", "GET", auth="none", tag="documentation",
           alternative_content={"application/json": OPENAPI_SCHEMA})  # fmt: skip
def openapi() -> Response:
    """This API's OpenAPI 3.1 document, generated from the code's schemas and routes."""
    return Response(document_json(current_app), mimetype="application/json")


@api_route(bp, "/docs", "GET", auth="none", tag="documentation", content_type="text/html",
           alternative_content={"text/html": {"type": "string"}})  # fmt: skip
def docs() -> str:
    """This API's reference, as a page (rendered on the server, no scripts)."""
    document = json.loads(document_json(current_app))
    return render_template("api/docs.html", document=document, **reference(document))


def reference(document: dict[str, Any]) -> dict[str, Any]:
    """The document rearranged for reading: operations by tag, each schema's fields."""
    schemas = document["components"]["schemas"]
    sections: dict[str, list[dict[str, Any]]] = {}
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            role = op.get("x-required-role")
            if role:
                auth = AUTH_TEXT[role]
            elif op.get("security"):
                auth = "Optional token (without one: public content only)"
            else:
                auth = "None"
            bodies = [
                {"content_type": ctype, **_fields(media["schema"], schemas)}
                for ctype, media in op.get("requestBody", {}).get("content", {}).items()
            ]
            responses = [
                {
                    "status": status,
                    "description": answer["description"],
                    "schema": ", ".join(
                        _type(media.get("schema", {}))
                        for media in answer.get("content", {}).values()
                    ),
                }
                for status, answer in op["responses"].items()
            ]
            sections.setdefault(op["tags"][0], []).append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "auth": auth,
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type(p["schema"]),
                            "limits": _limits(p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "bodies": bodies,
                    "responses": responses,
                }
            )
    models = {name: _fields(schema, schemas) for name, schema in sorted(schemas.items())}
    return {"sections": sections, "models": models}


def _fields(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"name": name, **_fields(schemas[name], schemas)}
    required = set(schema.get("required", []))
    fields = [
        {
            "name": name,
            "type": _type(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "limits": _limits(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]
    return {"name": schema.get("title", ""), "fields": fields}


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def _limits(schema: dict[str, Any]) -> str:
    names = {
        "minLength": "min length",
        "maxLength": "max length",
        "minimum": "min",
        "maximum": "max",
        "minItems": "min items",
        "maxItems": "max items",
        "default": "default",
    }
    for option in schema.get("anyOf", []):
        schema = {**option, **schema}
    return ", ".join(f"{label} {schema[key]}" for key, label in names.items() if key in schema)
