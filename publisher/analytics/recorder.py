"""A per-process background recorder: media requests are queued when their response
closes and written in batches by one thread, so counting costs a request an append to
a queue, not a database transaction.

- One daemon thread per process (started lazily, again after a fork), one short
  transaction per batch (up to ``BATCH_MAX`` requests gathered for ``BATCH_WAIT``).
- Bounded: when the queue is full the request is dropped and logged; delivery never
  waits on counting.
- What is queued is this process's pending writes only, never state another process
  needs; it is flushed when the process exits normally (gunicorn's graceful stop).
  A crash loses at most the queue, the same order of loss as the asynchronous commit.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from flask import Flask

from publisher.analytics import counting

logger = logging.getLogger(__name__)

QUEUE_MAX = 10_000
BATCH_MAX = 500
BATCH_WAIT = 0.05  # seconds to gather more requests into one transaction


class Recorder:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue: queue.Queue[counting.MediaRequest] = queue.Queue(QUEUE_MAX)
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid: int | None = None

    def submit(self, media_request: counting.MediaRequest) -> None:
        self._ensure_thread()
        try:
            self.queue.put_nowait(media_request)
        except queue.Full:
            logger.warning(
                "Counting queue full; a request for episode %s was not counted.",
                media_request.episode_id,
            )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _ensure_thread(self) -> None:
        # A forked worker inherits the object but not the thread: start one per process.
        if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                if self.pid != os.getpid():
                    self.queue = queue.Queue(QUEUE_MAX)
                self.pid = os.getpid()
                self.thread = threading.Thread(
                    target=self._run, name="publisher-download-recorder", daemon=True
                )
                self.thread.start()
                atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            deadline = time.monotonic() + BATCH_WAIT
            while len(batch) < BATCH_MAX:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    batch.append(self.queue.get(timeout=remaining))
                except queue.Empty:
                    break
            try:
                counting.record(self.app, batch)  # logs and swallows its failures
            finally:
                for _ in batch:
                    self.queue.task_done()


def recorder_for(app: Flask) -> Recorder:
    """The app's recorder in this process."""
    recorder = app.extensions.get("publisher.download_recorder")
    if recorder is None:
        recorder = app.extensions.setdefault("publisher.download_recorder", Recorder(app))
    return recorder
