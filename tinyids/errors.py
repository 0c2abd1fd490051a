"""Error types: every failure a user can cause names the file, row or key at fault."""

from __future__ import annotations


class TinyidsError(Exception):
    """Base class of errors that tinyids reports to the user as a clear message."""


class ConfigError(TinyidsError):
    """A configuration key or value is missing, unknown or out of range."""


class DataError(TinyidsError):
    """A dataset file is malformed: wrong columns, bad cells, NaN/inf, unknown labels."""


class ChecksumError(DataError):
    """A downloaded or mirrored file does not have the expected digest."""


class DownloadError(DataError):
    """No source could provide a dataset file."""


class UnsafeArchiveError(DataError):
    """An archive member would escape the target folder, is a link, or is too large."""
