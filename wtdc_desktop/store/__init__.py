"""The local SQLite store: schema, migrations and queries. No Qt here."""

from wtdc_desktop.store.db import Store, StoreError, StoreLocked, StoreNotWritable, StoreTooNew, DiskFull

__all__ = ["Store", "StoreError", "StoreLocked", "StoreNotWritable", "StoreTooNew", "DiskFull"]
