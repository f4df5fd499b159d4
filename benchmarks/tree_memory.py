"""Peak resident memory of a benchmark's process and its children together.

An import cleans its rows in a second process and a big CSV export writes in two: what such a
job costs the machine is the sum of its processes at the same moment, which the sum of each
one's own peak overstates (they do not peak together) and a child's ``ru_maxrss`` cannot give
(Linux carries the parent's peak over into a child started by fork and exec, so a child reports
at least the parent's size at its start).
"""

from __future__ import annotations

import os
import sys
import threading


def peak_rss_mb() -> float:
    """This process's own peak, from the OS."""
    import resource  # not on Windows; the benchmarks run on Linux and macOS

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            found += [int(c) for c in children.read().split()]
    return found


class TreeMemory:
    """The peak of this process's and its children's resident memory together, sampled every
    few milliseconds (Linux; elsewhere only this process's own peak is measured). Every child
    counts, multiprocessing's resource tracker included.
    """

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        if os.path.exists("/proc/self/status"):
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.peak = max(self.peak, peak_rss_mb())

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.005):
            try:
                total = _rss_mb(me) + sum(_rss_mb(child) for child in _children(me))
            except OSError:  # a child ended between the listing and the reading
                continue
            self.peak = max(self.peak, total)
