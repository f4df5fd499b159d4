"""Style sheets the dialogs share: a problem, a success and a hint look the same everywhere."""

PROBLEM_STYLE = (
    "QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #f5c6c0;"
    " border-radius: 4px; padding: 8px; }"
)
DONE_STYLE = (
    "QLabel { background: #eef6ee; border: 1px solid #c3dfc3; border-radius: 4px; padding: 8px; }"
)
HINT_STYLE = "color: #666;"
