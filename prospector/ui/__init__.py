"""The Qt window. The only package that imports PySide6; it talks to the core through services."""
