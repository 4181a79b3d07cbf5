"""Reading a file's bytes the safe way, for every reader in the package: the one place that opens data files.

Links, folders, FIFOs and devices are refused without being read, so a hostile data folder cannot hang or flood a
command. This module imports nothing else from the package but the error shape."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import DataError, Problem


def read_bytes_safely(path: Path, shown: str, missing: str) -> bytes:
    """The bytes of a regular file, refusing symbolic links, folders, FIFOs and devices without reading them.

    The file is opened without following links and without blocking (a FIFO would otherwise hang), and checked
    again on the open handle, so what is read is what was checked."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise DataError([Problem(shown, 0, "", "", f"file not found: {missing}")]) from None
    if stat.S_ISLNK(info.st_mode):
        raise DataError([Problem(shown, 0, "", "", "is a symbolic link: data files must be regular files inside the "
                                                   "data folder (the link was not followed)")])
    if not stat.S_ISREG(info.st_mode):
        raise DataError([Problem(shown, 0, "", "", f"is not a regular file ({_kind(info.st_mode)}): refused, not read")])
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):
            raise DataError([Problem(shown, 0, "", "", "changed into a link or special file while being read: refused")]) from None
        raise DataError([Problem(shown, 0, "", "", f"cannot be read: {exc.strerror}")]) from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise DataError([Problem(shown, 0, "", "", "is not a regular file: refused, not read")])
        return stream.read()


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"
