"""The one error every reader raises: the file cannot become text, and the message says why in Chinese."""
from __future__ import annotations


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message says why, in Chinese."""
