"""`make bench`: run every bench/bench_*.py and print their tables."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    """Run each benchmark module's main() in turn (or only those named on the command line)."""
    wanted = set(sys.argv[1:])
    sys.path.insert(0, str(HERE.parent))
    for path in sorted(HERE.glob("bench_*.py")):
        if wanted and path.stem not in wanted:
            continue
        print(f"\n## {path.stem}\n", flush=True)
        module = runpy.run_path(str(path))
        module["main"]()


if __name__ == "__main__":
    main()
