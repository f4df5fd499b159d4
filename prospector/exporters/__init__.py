"""Writers of files other programs read (calendars now; spreadsheets and share files later).

No database and no Qt: a service reads what to write and hands plain values to a writer here.
"""
