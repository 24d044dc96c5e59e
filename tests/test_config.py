"""Configuration layers: defaults, instance/config.py, PUBLISHER_* variables, test config."""

from publisher import create_app


def make(tmp_path, **config):
    return create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, **config})


def test_defaults_fill_database_and_media_from_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLISHER_SQLALCHEMY_DATABASE_URI", raising=False)
    app = make(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'publisher.db'}"
    assert app.config["MEDIA_ROOT"] == str(tmp_path / "media")
    assert app.config["STORAGE"] == "filesystem"
    assert app.config["MAX_UPLOAD_MB"] == 1024


def test_instance_config_then_environment_then_test_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "SITE_NAME = 'From instance'\nPUBLIC_URL = 'https://instance.example'\nMAX_UPLOAD_MB = 5\n"
    )
    monkeypatch.setenv("PUBLISHER_PUBLIC_URL", "https://env.example/")
    monkeypatch.setenv("PUBLISHER_MAX_UPLOAD_MB", "7")
    app = make(tmp_path)
    assert app.config["SITE_NAME"] == "From instance"
    assert app.config["PUBLIC_URL"] == "https://env.example"  # trailing slash dropped
    assert app.config["MAX_UPLOAD_MB"] == 7  # env values are parsed as JSON
    assert make(tmp_path, MAX_UPLOAD_MB=9).config["MAX_UPLOAD_MB"] == 9


def test_missing_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLISHER_SECRET_KEY", raising=False)
    first = make(tmp_path).config["SECRET_KEY"]
    second = make(tmp_path).config["SECRET_KEY"]
    assert len(first) == 64
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_upload_limit_sets_the_request_size_safety_net(tmp_path):
    app = make(tmp_path, MAX_UPLOAD_MB=10)
    assert app.config["MAX_CONTENT_LENGTH"] == 11 * 1024 * 1024


def test_production_logs_go_to_stdout(tmp_path, capsys):
    import logging

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "LOG_LEVEL": "INFO"})
    assert not app.testing and not app.debug
    logger = logging.getLogger("publisher")
    try:
        logging.getLogger("publisher.example").info("hello from %s", "production")
        assert "hello from production" in capsys.readouterr().out
    finally:  # the handler holds this test's captured stdout: don't leave it behind
        for handler in [h for h in logger.handlers if getattr(h, "_publisher", False)]:
            logger.removeHandler(handler)
