"""Run benchmark modules: every ``bench/<name>.py`` defining ``main(argv)``, or those named."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        module.name
        for module in pkgutil.iter_modules([str(here)])
        if not module.name.startswith("_") and module.name != "common"
    )


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[0] in available() and argv[1].startswith("-"):
        # One benchmark with its own options: python -m bench audio --repeat 3
        print(f"\n## {argv[0]}\n", flush=True)
        return 1 if importlib.import_module(f"bench.{argv[0]}").main(argv[1:]) else 0
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available())}")
        return 2
    failed = 0
    for name in names:
        print(f"\n## {name}\n", flush=True)
        module = importlib.import_module(f"bench.{name}")
        failed += bool(module.main([]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
