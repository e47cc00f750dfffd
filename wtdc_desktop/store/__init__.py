"""The local SQLite store: schema, migrations and queries. No Qt here."""

from wtdc_desktop.store.db import DiskError, DiskFull, Store, StoreError, StoreLocked, StoreNotWritable, StoreTooNew

__all__ = ["DiskError", "DiskFull", "Store", "StoreError", "StoreLocked", "StoreNotWritable", "StoreTooNew"]
