"""Writers of files other programs read: calendars, spreadsheets (.xlsx, CSV); share files next.

No database and no Qt: a service reads what to write and hands plain values to a writer here.
"""
