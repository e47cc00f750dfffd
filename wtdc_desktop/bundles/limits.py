"""Limits a reader enforces (spec §7); each can be changed by configuration."""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    compressed_size: int = 2 * GiB
    uncompressed_size: int = 4 * GiB
    compression_ratio: float = 200.0
    members: int = 200_000
    manifest_size: int = 32 * MiB
    record_line: int = 8 * MiB
    text_field: int = 4 * MiB
    #: arrays and objects inside one another in one JSON value (the manifest, a record)
    json_depth: int = 32


DEFAULT_LIMITS = Limits()
