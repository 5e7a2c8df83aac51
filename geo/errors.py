"""One base class so the command line can report any expected failure in one line."""


class GeoError(Exception):
    """Bad input or data: the message names the file or record and says what is wrong."""
