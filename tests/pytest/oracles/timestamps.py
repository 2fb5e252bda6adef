"""Order dates that name their time zone, with the timestamp staging must read: planted truth.

An offset or zone name is read as the instant's UTC time (as Spark reads it, and as typed
TIMESTAMP WITH TIME ZONE columns reach staging); text without one is a local time, read as
written. None: the text cannot be read and the row is rejected ("cannot cast"). Used by
test_foundation.py (DuckDB, through dbt) and test_spark.py (Spark's own cast), so that both
engines are held to the same answers.
"""

from __future__ import annotations

#: (order_date text, the UTC timestamp it must give as ISO text, or None when unreadable)
ISO_TIMESTAMPS: list[tuple[str, str | None]] = [
    ("2024-01-15 10:23:45", "2024-01-15 10:23:45"),
    ("2024-01-15", "2024-01-15 00:00:00"),
    ("2024-01-15T10:23:45Z", "2024-01-15 10:23:45"),
    ("2024-01-15T10:23:45.250Z", "2024-01-15 10:23:45.25"),
    # the evening of the 15th in New York is the 16th in UTC: the order's day changes
    ("2024-01-15 23:30:00-05:00", "2024-01-16 04:30:00"),
    ("2024-01-15 10:23:45 -0500", "2024-01-15 15:23:45"),  # Shopify's export
    ("2024-01-15 10:23:45-05", "2024-01-15 15:23:45"),
    ("2024-01-15T10:23:45+0530", "2024-01-15 04:53:45"),
    ("2024-01-15 10:23:45 +00:00", "2024-01-15 10:23:45"),
    ("2024-01-15 10:23:45 Europe/Paris", "2024-01-15 09:23:45"),
    ("2024-07-15 10:23:45 Europe/Paris", "2024-07-15 08:23:45"),  # summer time
    ("2024-01-15 10:23:45 UTC", "2024-01-15 10:23:45"),
    # not ISO 8601: a cast to TIMESTAMP would have dropped the suffix (10:23, or the zone)
    ("2024-01-15 10:23 PM", None),
    ("2024-01-15 10:23:45 Mars/Olympus", None),
]
