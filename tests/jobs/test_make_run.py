"""`make run`'s Procfile: honcho starts the web app and a consumer; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from publisher.extensions import db
from publisher.models import Job
from tests.jobs.test_consumer_kill import ROOT, job_state

HONCHO = Path(sys.executable).parent / "honcho"


@pytest.fixture
def app_config(tmp_path):
    return {"JOBS_QUEUE_FILE": str(tmp_path / "jobs.db")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_procfile_runs_web_and_consumer_and_ctrl_c_stops_both(app, tmp_path):
    port = free_port()
    env = {**os.environ, "PUBLISHER_SECRET_KEY": "test-secret"}
    for key in ("SQLALCHEMY_DATABASE_URI", "MEDIA_ROOT", "JOBS_QUEUE_FILE"):
        env[f"PUBLISHER_{key}"] = str(app.config[key])
    env.pop("REDIS_URL", None)
    log = tmp_path / "honcho.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen([str(HONCHO), "start", "-f", "Procfile", "-p", str(port)],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the web app did not answer:\n{log.read_text()}")
                time.sleep(0.3)
        with app.app_context():  # the consumer runs a job
            job_id = Job.request("stats.prune", {}).id
            db.session.commit()
        while not job_state(app, job_id).finished:
            if time.monotonic() > deadline:
                pytest.fail(f"the consumer did not run the job:\n{log.read_text()}")
            time.sleep(0.3)
        assert job_state(app, job_id).status == "done"
    finally:
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        honcho.wait(30)
    output = log.read_text()
    assert "web.1" in output and "worker.1" in output
    pids = subprocess.run(["pgrep", "-s", str(honcho.pid)], capture_output=True, text=True)
    assert pids.stdout.strip() == "", f"processes left running:\n{output}"
