"""When a long run of improvement moves must stop: at a point in time, or as soon as the
caller asks (a manager cancelling a solve from the web page)."""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    """A monotonic time to stop at, and a check for a request to stop sooner."""

    def __init__(self, at: float, stopped: Callable[[], bool] | None = None) -> None:
        self.at = at
        self._stopped = stopped

    def passed(self) -> bool:
        """Whether the time is up or the caller asked to stop."""
        return time.monotonic() >= self.at or (self._stopped is not None and self._stopped())
