"""A test hook for stopping a run at a known stage, and nothing else.

With DETAINERS_PAUSE_AT=<stage> in its environment, a run that reaches that stage writes
`.paused-<stage>` (holding its pid) beside the warehouse and waits until the file is removed
(or DETAINERS_PAUSE_SECONDS, default 120, pass, or the run is asked to stop).
tests/test_reliability.py and tests/test_interrupts.py use it to kill or interrupt a run at
each stage deterministically. Unset, it costs one dictionary lookup.

Stages: `locked` (write lock held, nothing fetched), `build` (build file copied, nothing
loaded), `publish` (build complete, about to be renamed over the published file).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from detainers import stop


def pause_if_asked(stage: str, warehouse: Path) -> None:
    if os.environ.get("DETAINERS_PAUSE_AT") != stage:
        return
    marker = warehouse.parent / f".paused-{stage}"
    marker.write_text(str(os.getpid()))
    deadline = time.monotonic() + float(os.environ.get("DETAINERS_PAUSE_SECONDS", "120"))
    while marker.exists() and time.monotonic() < deadline and not stop.requested():
        time.sleep(0.05)
    marker.unlink(missing_ok=True)
