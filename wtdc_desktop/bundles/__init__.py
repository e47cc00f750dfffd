"""Published bundles: reader, verifier, writer and apply. No Qt here."""

#: Minutes between two syncs of a remembered source (bundles and timetables alike). Here, not in
#: the scheduler, so that views can read it without importing the network code.
DEFAULT_INTERVAL_MINUTES = 15.0
