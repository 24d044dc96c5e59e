"""Download stats at scale: a show's 90-day stats from the daily rollups vs the same
request over raw rows, in the same run, on PostgreSQL (`python -m bench stats`).

Data: ``--rows`` downloads (default 10 million) over ``--days`` UTC days (365) for
``--shows`` shows (50) of 40 episodes each, one show taking about a quarter of them,
generated in time order by PostgreSQL itself (generate_series). Then the rollup job's
function backfills every day, and the stats API (``GET /api/v1/shows/<slug>/stats``)
answers for the most popular show, through the Flask test client on a pooled
connection, with ``STATS_READ_ROLLUPS`` on and off. Target: ≤ 50 ms with rollups.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

from bench.common import table, verdict
from bench.delivery import database

APPS = ["Apple Podcasts", "Spotify", "Overcast", "Pocket Casts", "AntennaPod", "Castro",
        "Podcast Addict", "Unknown", "Chrome", "Firefox"]  # fmt: skip


def generate(app, rows: int, days: int, shows: int, episodes_per_show: int) -> float:
    from sqlalchemy import text

    from publisher.extensions import db
    from publisher.models import utcnow

    started = time.perf_counter()
    today = utcnow().date()
    with app.app_context():
        conn = db.session.connection()
        conn.execute(text(
            "INSERT INTO shows (slug, title, description, status, language, author, owner_name, "
            "owner_email, category, subcategory, explicit, show_type, link, copyright, "
            "podcast_guid, locked, funding_url, funding_text, complete, new_feed_url, medium, "
            "license, location, update_frequency, update_frequency_rrule, hosts, txt, "
            "created_at, updated_at) "
            "SELECT 'show-' || s, 'Show ' || s, '', 'published', 'en', '', '', '', '', '', "
            "false, 'episodic', '', '', md5(s::text)::uuid::text, false, '', '', false, '', "
            "'podcast', '', '', '', '', '[]', '[]', now(), now() "
            "FROM generate_series(1, :shows) AS s"), {"shows": shows})  # fmt: skip
        conn.execute(text(
            "INSERT INTO episodes (show_id, guid, slug, title, description, status, publish_at, "
            "episode_type, explicit, audio_offset_bytes, persons, soundbites, created_at, "
            "updated_at, storage_key, size_bytes, mime_type) "
            "SELECT s.id, md5(s.id || '-' || e), 'e' || e, 'Episode ' || e, '', 'published', "
            "now(), 'full', false, 0, '[]', '[]', now(), now(), 'k/' || s.id || '/' || e, "
            "1000, 'audio/mpeg' FROM shows s, generate_series(1, :n) AS e ORDER BY s.id, e"),
            {"n": episodes_per_show})  # fmt: skip
        db.session.commit()
        # Episode ids 1..shows*n; show 1's episodes take ~26 % of downloads.
        total_episodes = shows * episodes_per_show
        per_day = rows // days
        apps = "ARRAY[" + ",".join(f"'{a}'" for a in APPS) + "]"
        # One statement, in time order, indexes built afterwards (much faster to load).
        indexes = ["ix_downloads_episode_id_created_at", "ix_downloads_episode_id_day",
                   "ix_downloads_day"]  # fmt: skip
        conn = db.session.connection()
        definitions = dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'downloads' "
            "AND indexname = ANY(:names)"), {"names": indexes}).all())  # fmt: skip
        for name in definitions:
            conn.execute(text(f"DROP INDEX {name}"))
        conn.execute(text(
            "INSERT INTO downloads (episode_id, created_at, day, client_hash, user_agent, "
            "app_name, is_bot) "
            "SELECT CASE WHEN random() < 0.26 THEN 1 + floor(random() * :n)::int "
            f"ELSE 1 + floor(random() * {total_episodes})::int END, "
            "(d + time '12:00') AT TIME ZONE 'UTC', d, md5(i::text || d::text), '', "
            f"({apps})[1 + floor(random() * {len(APPS)})::int], random() < 0.04 "
            "FROM generate_series(:first, :last, interval '1 day') AS days(d), "
            "generate_series(1, :count) AS i ORDER BY d"),
            {"n": episodes_per_show, "first": today - timedelta(days=days - 1),
             "last": today, "count": per_day})  # fmt: skip
        db.session.commit()
        print(f"  … rows loaded in {time.perf_counter() - started:.0f} s; building indexes",
              flush=True)  # fmt: skip
        for definition in definitions.values():
            db.session.execute(text(definition))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - started


def measure(app, slug: str, days: int, repeat: int, rollups: bool) -> tuple[float, dict]:
    from publisher.extensions import db
    from publisher.models import utcnow

    app.config["STATS_READ_ROLLUPS"] = rollups
    client = app.test_client()
    token = app.config["BENCH_TOKEN"]
    until = utcnow().date()
    since = until - timedelta(days=days - 1)
    url = f"/api/v1/shows/{slug}/stats?since={since}&until={until}"
    timings, body = [], {}
    for _ in range(repeat + 1):
        started = time.perf_counter()
        answer = client.get(url, headers={"Authorization": f"Bearer {token}"})
        timings.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.get_data(True)
        body = answer.get_json()
    with app.app_context():
        db.session.remove()
    return statistics.median(timings[1:]) * 1000, body  # the first run warms caches


def _baseline(app, repeat: int) -> float:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {app.config['BENCH_TOKEN']}"}
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        client.get("/api/v1/shows/show-1", headers=headers)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[1:]) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stats", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--shows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.analytics.rollup import roll_up
    from publisher.extensions import db
    from publisher.models import ApiToken, User

    with database() as url:
        if not url.startswith("postgresql"):
            print("PostgreSQL is needed for this benchmark (BENCH_POSTGRES_URL).")
            return 1
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "DOWNLOAD_RETENTION_DAYS": args.days + 10})  # fmt: skip
        with app.app_context():
            upgrade()
            user = User(email="bench@example.com", role="admin", name="Bench")
            user.set_password("bench-password")
            db.session.add(user)
            _token, app.config["BENCH_TOKEN"] = ApiToken.issue(user, "bench")
            db.session.commit()
        print(f"Generating {args.rows:,} downloads over {args.days} days, {args.shows} shows…")
        generated = generate(app, args.rows, args.days, args.shows, 40)
        with app.app_context():
            started = time.perf_counter()
            report = roll_up()
            rolled = time.perf_counter() - started
            popular = db.session.scalar(db.text(
                "SELECT count(*) FROM downloads d JOIN episodes e ON e.id = d.episode_id "
                "WHERE e.show_id = 1"))  # fmt: skip
            summary_rows = db.session.scalar(db.text("SELECT count(*) FROM download_days"))
        print(f"Generated in {generated:.0f} s; rollup of {len(report['days'])} days in "
              f"{rolled:.1f} s ({summary_rows:,} rollup rows); show-1 has {popular:,} "
              f"downloads.\n")  # fmt: skip
        rows, ok = [], True
        for days in (30, 90, 365):
            raw_ms, raw_body = measure(app, "show-1", days, args.repeat, rollups=False)
            rolled_ms, rolled_body = measure(app, "show-1", days, args.repeat, rollups=True)
            same = raw_body == rolled_body
            target = days != 90 or rolled_ms <= 50
            ok = ok and same and target
            rows.append([f"popular show, {days} days", f"{raw_ms:.1f}", f"{rolled_ms:.1f}",
                         f"{raw_ms / rolled_ms:.0f}x", "yes" if same else "NO",
                         verdict(target) if days == 90 else "-"])  # fmt: skip
        baseline = _baseline(app, args.repeat)
        print(f"### Stats API, {args.rows:,} rows (median of {args.repeat}, ms)\n")
        print(f"(An API request that reads one show, for scale: {baseline:.1f} ms.)\n")
        print(table(["request", "raw rows", "rollups", "speed-up", "same answer",
                     "≤ 50 ms"], rows))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
