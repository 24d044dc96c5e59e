"""Error answers: templates for pages, one JSON shape under /api/, rollback on 500."""

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Tag


def test_unknown_page_renders_the_404_template(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert response.get_json()["error"]["message"]


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_server_error_rolls_back_and_renders_500(app):
    @app.get("/boom")
    def boom():
        db.session.add(Tag(slug="half-written", name="half"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Tag)) is None


def test_server_error_under_api_is_json(app):
    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret detail" not in response.get_data(as_text=True)


def test_request_larger_than_the_limit_gets_413(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024

    @app.post("/upload-probe")
    def upload_probe():
        from flask import request

        return str(len(request.get_data()))

    response = app.test_client().post("/upload-probe", data=b"x" * 4096)
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_forbidden_page_renders_the_403_template(app):
    from flask import abort

    @app.get("/private")
    def private():
        abort(403)

    response = app.test_client().get("/private")
    assert response.status_code == 403
    assert "Forbidden" in response.get_data(as_text=True)
