"""The built app's entry point: PyInstaller freezes this script, not prospector/__main__.py.

A big import hands the reading and cleaning to a worker process started with "spawn", which
runs this same executable again: ``freeze_support()`` must come first, so that in the worker it
runs the worker's task and exits instead of opening a second window. Only then may imports use
a worker (``prospector.worker_processes.ALLOWED_WHEN_FROZEN``); the self-test checks it.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from prospector import worker_processes

    worker_processes.ALLOWED_WHEN_FROZEN = True

    from prospector.cli import main

    sys.exit(main())
