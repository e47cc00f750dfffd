"""WTDC Desktop: an offline companion for ITU-D conference delegations."""

__version__ = "0.1.0"
APP_NAME = "WTDC Desktop"
APP_ID = "wtdc-desktop"
