"""The OpenAPI document: valid 3.1, generated from the schemas, and matching the routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from publisher.api.schemas import ShowCreate

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_document_lists_exactly_the_registered_api_routes(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, methods in document["paths"].items() for method in methods
    }
    registered = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in (rule.methods or set()) & HTTP_METHODS
    }
    assert documented == registered


def test_schemas_come_from_the_pydantic_models(client):
    document = client.get("/api/v1/openapi.json").get_json()
    request = document["paths"]["/api/v1/shows"]["post"]["requestBody"]["content"]
    ref = request["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    expected = ShowCreate.model_json_schema()
    assert set(schema["properties"]) == set(expected["properties"])
    assert schema["required"] == ["title"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["title"]["maxLength"] == 300


def test_roles_and_public_access_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/shows/{slug}"]["delete"]["x-required-role"] == "admin"
    assert paths["/api/v1/shows"]["post"]["security"] == [{"bearer": []}]
    assert {} in paths["/api/v1/shows"]["get"]["security"]


def test_episode_upload_is_documented_as_multipart_with_a_file(client):
    post = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/shows/{slug}/episodes"]
    schema = post["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["audio"]["format"] == "binary"
    assert schema["required"] == ["audio"]


def test_docs_page_is_server_rendered_without_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    # Rendered on the server: no inline code, no script or style from another site
    # (the site's CSP forbids both), only our own static files.
    assert re.findall(r"<script(?![^>]*\bsrc=\"/static/)", html) == []
    assert "<style" not in html
    assert "/api/v1/shows/{slug}/episodes" in html
    assert "Token of an admin" in html
    assert 'id="schema-ShowCreate"' in html


def test_unsupported_methods_are_405_in_the_json_shape(anon):
    response = anon.open("PUT", "/api/v1/shows")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"
