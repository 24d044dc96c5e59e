"""Configuration: defaults, then instance/config.py, then PUBLISHER_* variables, then tests'."""

from __future__ import annotations

import contextlib
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
    MAX_JSON_KB = 1024  # larger JSON bodies get 413 before they are read
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
    # A write whose ledger entry is older than this is a crash's debris (docs/deployment.md).
    STORAGE_LEDGER_GRACE_MINUTES = 15
    # The job queue runs the storage janitor this often (minutes; 0: never, use cron).
    STORAGE_JANITOR_MINUTES = 15
    SQLALCHEMY_DATABASE_URI: str | None = None  # SQLite file in instance/ when unset
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    LOG_LEVEL = "INFO"
    # Behind a reverse proxy: how many X-Forwarded-For hops to trust (listener counting).
    PROXY_FIX_X_FOR = 0
    ANALYTICS_ENABLED = True  # count downloads at the enclosure URL
    # Distinct user agents counted per network block (IPv4 /24, IPv6 /64), episode and day;
    # the downloads of more are stored as filtered (docs/delivery.md).
    ANALYTICS_MAX_USER_AGENTS = 10
    # Unset: rate limits in memory, the job queue in a SQLite file in instance/, daily
    # salts in the database. Set (redis://host:6379/0): all of them in this Redis.
    REDIS_URL: str | None = None
    # Public pages (docs/site.md).
    SITE_TIMEZONE = "UTC"  # dates on pages
    SITE_CACHE_MAX_AGE = 60  # Cache-Control max-age of public pages, in seconds
    # Feeds (docs/feeds.md).
    FEED_PAGE_SIZE = 100  # episodes per RFC 5005 page (?page=N)
    FEED_MAX_AGE = 300  # Cache-Control max-age of feeds, in seconds
    ARTICLES_FEED_LIMIT = 50  # newest articles in /feed.xml
    FEED_RECHECK_SECONDS = 1.0  # a process re-checks the database at most this often
    WEBSUB_HUB: str | None = None  # advertised in feeds and pinged on publish
    # Rate limits (docs/security.md), in Flask-Limiter's notation.
    RATELIMIT_ENABLED = True
    # Where counters live; unset: REDIS_URL when set, else process memory.
    RATELIMIT_STORAGE_URI: str | None = None
    API_RATE_LIMIT = "600 per minute"  # per token
    API_ANONYMOUS_RATE_LIMIT = "120 per minute"  # per address, without a token
    AUTH_FAILURE_LIMIT = "10 per minute"  # failed authentications per address
    SEARCH_RATE_LIMIT = "60 per minute"  # per address
    PAGE_RATE_LIMIT = "600 per minute"  # other public pages, per address
    FEED_RATE_LIMIT = "1200 per minute"  # feeds and sitemap, per address (NATs: generous)
    MEDIA_RATE_LIMIT = "3000 per minute"  # enclosures, per address (apps send many ranges)
    API_ANONYMOUS_RATE_LIMIT = "120 per minute"  # per IP, without a token
    # Background jobs (docs/jobs.md).
    JOBS_QUEUE_FILE: str | None = None  # instance/jobs.db when unset (no REDIS_URL)
    JOBS_WORKERS = 2  # worker threads of `flask jobs consume`
    JOBS_MAX_ATTEMPTS = 3  # a failing job is tried this often before it is "failed"
    JOBS_RETRY_DELAY = 10  # seconds before the first retry; doubles with each attempt
    JOBS_HEARTBEAT_SECONDS = 5  # a running job says it is alive this often
    JOBS_STALL_SECONDS = 60  # no heartbeat for this long: its consumer died, run it again
    JOBS_KEEP_DAYS = 30  # finished job rows are deleted after this many days (0: kept)
    # Download rollups (docs/jobs.md): raw download rows are kept this many days.
    DOWNLOAD_RETENTION_DAYS = 90
    STATS_READ_ROLLUPS = True  # False: stats from raw rows only (benchmarks, checks)
    # Importing shows from other hosts (docs/import.md).
    IMPORT_CONCURRENCY = 4  # parallel media downloads
    IMPORT_TIMEOUT = 30  # seconds without a byte before a download is retried
    IMPORT_DOWNLOAD_ATTEMPTS = 4  # per file, with exponential backoff
    IMPORT_MAX_FEED_MB = 50  # a larger feed document is refused
    IMPORT_WORK_DIR: str | None = None  # partial downloads; instance/imports when unset
    # Imports started through the API fetch public addresses only (no loopback, private
    # or link-local hosts); the CLI may. True lifts it for the API too (tests, intranets).
    IMPORT_ALLOW_PRIVATE_ADDRESSES = False
    # Studio (docs/studio.md).
    STUDIO_IDLE_MINUTES = 120  # a studio session unused this long must log in again
    STUDIO_LOGIN_LIMITS_ENABLED = True
    STUDIO_LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"  # failed sign-ins per e-mail
    STUDIO_LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"  # failed sign-ins per address
    PREVIEW_LINK_HOURS = 72  # how long a shared preview link works
    SESSION_COOKIE_SECURE: bool | None = None  # None: Secure when PUBLIC_URL is https
    # Audio analysis and renditions (docs/audio.md).
    AUDIO_ANALYZE_ON_UPLOAD = True  # queue an analysis job for every new or replaced audio
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
        private_folder(instance)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'publisher.db'}"
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("MEDIA_ROOT"):
        app.config["MEDIA_ROOT"] = str(instance / "media")
    if not app.config.get("JOBS_QUEUE_FILE"):
        app.config["JOBS_QUEUE_FILE"] = str(instance / "jobs.db")
    if not app.config.get("IMPORT_WORK_DIR"):
        app.config["IMPORT_WORK_DIR"] = str(instance / "imports")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret_key(instance)
    app.config["PUBLIC_URL"] = str(app.config["PUBLIC_URL"]).rstrip("/")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["PUBLIC_URL"].startswith("https://")
    # The request-size safety net sits just above the upload limit so that ingest,
    # which counts bytes as it streams, is the one that answers with a clear 413.
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024


def _persistent_secret_key(instance: Path) -> str:
    """Read the secret key from instance/secret_key, creating it once (mode 0600)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_folder(instance)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by its owner only (0700): it holds
    the secret key, the SQLite database and the job queue. An existing folder is left as
    the operator set it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_sqlite_file(uri: str) -> None:
    """Create a SQLite database file owner-only (0600) before SQLite creates it with the
    umask's 0644; SQLite gives its -wal and -shm files the same mode."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return
    name = uri[len(prefix) :].split("?", 1)[0]
    if not name or name == ":memory:":
        return
    path = Path(name)
    if path.exists():
        return
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):  # another process made it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
