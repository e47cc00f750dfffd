"""Published bundles: reader, verifier, writer and apply. No Qt here."""

#: Minutes between two syncs of a remembered source: defined once in the pure layer; named here so
#: that the scheduler's users read it without importing the network code.
from wtdc_desktop.domain.constants import DEFAULT_INTERVAL_MINUTES  # noqa: F401
