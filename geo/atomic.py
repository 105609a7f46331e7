"""Atomic file writes: a temporary file in the target folder, fsync, then an atomic rename.

A reader sees either the old file or the new one, never half a file; if anything fails on the way,
the old file is untouched and the temporary file is removed. The new file gets the mode of the
file it replaces, or the usual mode of a new file (0666 minus the umask), not the 0600 of a
temporary file.

A process killed mid-write cannot remove its temporary file, so temporary files carry a
recognisable name, ``.regiokaart-tmp.<pid>.<target name>.<random>.tmp``, and
:func:`cleanup_temp_files` removes those whose writer is gone (its pid no longer runs) or that are
older than :data:`STALE_SECONDS`. Every atomic write cleans its folder first; the app cleans the
plans folder at start.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

TMP_PREFIX = ".regiokaart-tmp."
TMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)\..*" + re.escape(TMP_SUFFIX) + r"\Z", re.S)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists under another user, or cannot tell: keep it until it is stale
    return True


def cleanup_temp_files(
    folder: str | os.PathLike[str], max_age: float = STALE_SECONDS, now: float | None = None
) -> list[Path]:
    """Remove our orphaned temporary files in ``folder`` (not recursive): only names with
    :data:`TMP_PREFIX`, whose writer's pid is dead or that are older than ``max_age`` seconds.
    Best effort: errors are ignored. Returns the removed paths."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_NAME.match(entry.name)
        if m is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > max_age
            if old or not _alive(int(m.group(1))):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    cleanup_temp_files(target.parent)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent,
        prefix=f"{TMP_PREFIX}{os.getpid()}.{target.name[:100]}.",
        suffix=TMP_SUFFIX,
    )
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))
