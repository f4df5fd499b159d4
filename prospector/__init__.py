"""Prospector: a desktop prospecting assistant for cold-callers and small sales offices."""

__version__ = "0.1.0"
