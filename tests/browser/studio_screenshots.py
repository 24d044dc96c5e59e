"""Screenshots of the studio for the README and docs/studio.md.

    python -m tests.browser.studio_screenshots [OUTPUT_DIR]     # default: docs/screenshots

builds a studio in a temporary SQLite database with the loopback S3 server (moto) as
media store, signs in, and photographs the login page, the dashboard, an episode upload
held at its second part (so the progress bar is mid-way), the article editor, a
show's downloads, its feed check, an episode's chapters on its waveform and its audio
checks. Needs `make test-tools`-free dependencies only
(Chromium, ffmpeg).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from tests.browser.live import DESKTOP


def _downloads(app, episode_ids: list[int]) -> None:
    from publisher.extensions import db
    from publisher.models import Download, utcnow

    rng = random.Random(7)
    apps = ["Apple Podcasts", "Spotify", "Overcast", "AntennaPod", "Pocket Casts"]
    today = utcnow().date()
    with app.app_context():
        for back in range(30):
            day = today - timedelta(days=back)
            for n in range(rng.randint(20, 60) + (30 - back)):
                db.session.add(
                    Download(
                        episode_id=rng.choice(episode_ids),
                        day=day,
                        created_at=utcnow() - timedelta(days=back),
                        client_hash=f"{back}-{n}",
                        app_name=rng.choice(apps),
                    )
                )
        db.session.commit()


def _speech_like(folder: Path) -> Path:
    """Three minutes of a tone whose level rises and falls like speech, so the waveform
    has a shape (the quiet demo files draw a flat line)."""
    path = folder / "harbour-pilots.mp3"
    level = "abs(sin(2*PI*0.7*t))*(0.6+0.4*sin(2*PI*0.02*t))"
    source = f"aevalsrc=0.4*sin(2*PI*180*t)*{level}:s=44100:d=180"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source,
         "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", str(path)],
        check=True,
    )  # fmt: skip
    return path


def main(argv: list[str]) -> int:
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from publisher import create_app
    from publisher.extensions import db
    from publisher.jobs import get_queue
    from publisher.models import Episode
    from tests.browser.live import launch_chromium, silent_mp3_with_chapters
    from tests.browser.studio_support import live_studio, log_in
    from tests.s3server import FAKE_ENVIRONMENT, S3Server, start_moto
    from tests.support.app import test_config

    out_dir = Path(argv[0] if argv else "docs/screenshots")
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(FAKE_ENVIRONMENT)
    moto = start_moto()
    _host, port = moto.get_host_and_port()
    s3 = S3Server(f"http://127.0.0.1:{port}", port)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'studio.db'}"
        app = create_app(test_config(url, folder / "migrate"))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        audio = silent_mp3_with_chapters(folder, 1500, [(0, "Cold open"), (600, "The vote")])
        big = folder / "harbour-interview.mp3"
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=44100:cl=stereo:d=430",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "320k",
                str(big),
            ],
            check=True,
        )
        with live_studio(url, folder / "live", "s3", s3) as studio, sync_playwright() as pw:
            factory = studio.factory
            admin = factory.user(role="admin", name="Ada Admin", timezone="Europe/Paris")
            show = factory.show(slug="harbour-hour", title="The Harbour Hour")
            episodes = [
                factory.episode(show=show, title=title)
                for title in ("Ferries at dawn", "The night market", "Storm season")
            ]
            factory.episode(
                show=show,
                title="Election night special",
                public=False,
                status="scheduled",
                publish_at=episodes[0].publish_at + timedelta(days=3),
            )
            article = factory.article(
                title="Storm season opens",
                public=False,
                body_markdown="## What to expect\n\nThe **storm** "
                "season opens tomorrow. Boats stay in the harbour.",
                tags=["Weather", "Harbour"],
                episodes=episodes[:2],
            )
            _downloads(studio.app, [e.id for e in episodes])
            spoken = factory.ingested_episode(
                _speech_like(folder), show=show, title="Harbour pilots", status="draft"
            )
            get_queue(studio.app).run_pending()  # its analysis and waveform, as a consumer would
            with studio.app.app_context():
                db.session.get(Episode, spoken.id).chapters = {
                    "version": "1.2.0",
                    "chapters": [
                        {"startTime": 0, "title": "Cold open"},
                        {"startTime": 48, "title": "On the pilot boat"},
                        {"startTime": 131, "title": "The night crossing"},
                    ],
                }
                db.session.commit()
            browser = launch_chromium(pw)
            context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
            page = context.new_page()
            page.goto(f"{studio.url}/studio/login")
            page.screenshot(path=out_dir / "studio-login.png")
            log_in(page, studio, admin)
            page.goto(f"{studio.url}/studio/")
            page.screenshot(path=out_dir / "studio-dashboard.png", full_page=True)
            page.goto(f"{studio.url}/studio/shows/{show.slug}/episodes/new")
            page.route("**/*partNumber=[23]*", lambda route: None)  # parts 2 and 3 wait
            page.get_by_label("Audio file").set_input_files(str(big))
            with page.expect_event("requestfinished", predicate=lambda r: r.method == "PUT"):
                page.get_by_role("button", name="Upload").click()
            page.wait_for_timeout(500)
            page.screenshot(path=out_dir / "studio-upload.png")
            page.close()
            page = context.new_page()
            page.goto(f"{studio.url}/studio/articles/{article.id}/edit")
            page.screenshot(path=out_dir / "studio-article.png", full_page=True)
            page.goto(f"{studio.url}/studio/shows/{show.slug}/stats")
            page.screenshot(path=out_dir / "studio-stats.png", full_page=True)
            page.goto(f"{studio.url}/studio/shows/{show.slug}/checks")
            page.screenshot(path=out_dir / "studio-checks.png", full_page=True)
            base = f"{studio.url}/studio/shows/{show.slug}/episodes/{spoken.id}"
            page.goto(f"{base}/chapters")
            page.locator("[data-waveform-zoomview] canvas").first.wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=out_dir / "studio-chapters.png", full_page=True)
            page.goto(f"{base}/audio")
            page.screenshot(path=out_dir / "studio-audio.png", full_page=True)
            browser.close()
        del audio
    moto.stop()
    for name in ("login", "dashboard", "upload", "article", "stats", "checks", "chapters", "audio"):
        path = out_dir / f"studio-{name}.png"
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
