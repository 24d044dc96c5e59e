"""The import's CLI progress: a bar on a terminal, a line per episode elsewhere."""

from __future__ import annotations

import io

from publisher.jobs.imports_cli import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_episodes_bytes_rate_and_eta():
    out = Terminal()
    progress = Progress(out)
    progress.start(total=10, done=2)
    progress.update(done=6, bytes_done=8 * 1048576)
    progress.episode("Episode 7", "FAILED: 404")
    text = out.getvalue()
    assert "2 of 10 episodes were imported before; continuing." in text
    assert "6/10 episodes" in text and "8.0 MB" in text and "MB/s" in text and "ETA" in text
    assert "FAILED: 404: Episode 7" in text


def test_a_log_gets_one_plain_line_per_episode():
    out = io.StringIO()
    progress = Progress(out)
    progress.start(total=2, done=0)
    progress.update(done=1, bytes_done=100)
    progress.episode("Episode 1", "imported")
    assert out.getvalue() == "imported: Episode 1\n"
