"""Configuration: defaults, then instance/config.py, then PUBLISHER_* variables, then tests'."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask


class DefaultConfig:
    """Defaults; every key can be overridden (see README "Configuration")."""

    SITE_NAME = "Publisher"
    SITE_DESCRIPTION = "Articles and podcasts"
    PUBLIC_URL = "http://127.0.0.1:5000"
    STORAGE = "filesystem"
    MEDIA_ROOT: str | None = None  # instance/media when unset
    MAX_UPLOAD_MB = 1024
    ARTWORK_MAX_MB = 20  # show and episode artwork uploads (docs/feeds.md)
    UPLOAD_TEMP_DIR: str | None = None  # where uploads are spooled; the system's when unset
    # The S3 store (docs/media.md); S3Storage's keyword defaults are these values.
    S3_BUCKET: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str | None = None
    S3_PUBLIC_URL: str | None = None
    S3_PRESIGN_EXPIRES = 3600  # seconds a presigned GET or upload-part URL stays valid
    S3_ADDRESSING_STYLE: str | None = None  # "path" with an endpoint URL, else "auto"
    S3_MAX_ATTEMPTS = 4
    S3_CONNECT_TIMEOUT = 5
    S3_READ_TIMEOUT = 60
    S3_MULTIPART_THRESHOLD_MB = 16
    S3_MULTIPART_CHUNK_MB = 8
    S3_MAX_CONCURRENCY = 4
    SQLALCHEMY_DATABASE_URI: str | None = None  # SQLite file in instance/ when unset
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    LOG_LEVEL = "INFO"
    # Behind a reverse proxy: how many X-Forwarded-For hops to trust (listener counting).
    PROXY_FIX_X_FOR = 0
    ANALYTICS_ENABLED = True  # count downloads at the enclosure URL
    # Public pages (docs/site.md).
    SITE_TIMEZONE = "UTC"  # dates on pages
    SITE_CACHE_MAX_AGE = 60  # Cache-Control max-age of public pages, in seconds
    # Feeds (docs/feeds.md).
    FEED_PAGE_SIZE = 100  # episodes per RFC 5005 page (?page=N)
    FEED_MAX_AGE = 300  # Cache-Control max-age of feeds, in seconds
    ARTICLES_FEED_LIMIT = 50  # newest articles in /feed.xml
    FEED_RECHECK_SECONDS = 1.0  # a process re-checks the database at most this often
    WEBSUB_HUB: str | None = None  # advertised in feeds and pinged on publish
    # API rate limits (docs/api.md).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # redis://… when several processes serve the API
    API_RATE_LIMIT = "600 per minute"  # per token
    API_ANONYMOUS_RATE_LIMIT = "120 per minute"  # per IP, without a token
    # Audio analysis and renditions (docs/audio.md).
    AUDIO_TARGET_LUFS_STEREO = -16.0  # Apple's recommendation for stereo
    AUDIO_TARGET_LUFS_MONO = -19.0  # mono plays on both speakers: 3 LU louder
    AUDIO_TARGET_TOLERANCE_LU = 1.0  # a finding only outside target ± this
    AUDIO_MAX_TRUE_PEAK_DBTP = -1.0
    AUDIO_SILENCE_THRESHOLD_DB = -60.0  # quieter than this is silence (silencedetect's default)
    AUDIO_SILENCE_WARNING_SECONDS = 2.0  # leading/trailing silence worth a finding
    AUDIO_MAX_LOUDNESS_RANGE_LU = 15.0
    AUDIO_WAVEFORM_POINTS = 1000  # waveform pixels, at most (about 5 KB of JSON)
    AUDIO_RENDITION_CODEC = "mp3"  # mp3 or aac, for formats Apple does not play
    AUDIO_RENDITION_BITRATE_STEREO = 128000
    AUDIO_RENDITION_BITRATE_MONO = 64000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Apply the layers in order and fill the values derived from the instance folder."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PUBLISHER")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'publisher.db'}"
    if not app.config.get("MEDIA_ROOT"):
        app.config["MEDIA_ROOT"] = str(instance / "media")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret_key(instance)
    app.config["PUBLIC_URL"] = str(app.config["PUBLIC_URL"]).rstrip("/")
    # The request-size safety net sits just above the upload limit so that ingest,
    # which counts bytes as it streams, is the one that answers with a clear 413.
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024


def _persistent_secret_key(instance: Path) -> str:
    """Read the secret key from instance/secret_key, creating it once (mode 0600)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
