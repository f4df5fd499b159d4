"""Use cases: the small API the window and the command line share. No Qt here."""
