"""Writing files safely: the whole new content or the old file, never half of one.

:func:`write_atomic` writes to a temporary file in the same folder and
renames it over the target, so a crash, a full disk or Ctrl-C leaves the
old file (or none) in place.  Used for the protocol, the OpenAlex cache,
exports and the simulation's order file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InvalidInput

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text, written as is — no newline translation — or bytes) to ``path`` atomically.

    The folder must exist: a missing folder is an :class:`InvalidInput`
    naming the file, and nothing is written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"{target}: folder {folder} does not exist", file=str(target))
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _mode_for(target: Path) -> int:
    """The target's permissions if it exists, else what a plain ``open`` would give."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
