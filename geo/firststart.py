"""First start without data: fetch the manifest's files into the user cache, once.

When no data directory holds the manifest's files (no ``--data-dir``, no ``$REGIOKAART_DATA_DIR``, no
``../shared/data`` beside the checkout, and the user cache incomplete), :func:`ensure_data` downloads
the missing files into the user cache from their pinned addresses (or from the mirror in
``$REGIOKAART_DATA_BASE_URL``) and verifies every checksum; :mod:`geo.sources` does the download
(temporary file in the target folder, verify, rename: nothing half-written is ever kept).

``make app`` runs ``python -m geo.firststart`` before starting the app; the app itself calls
:func:`ensure_data` with a progress callback (one progress bar per file). A data directory the user
chose (``--data-dir``, the environment variable, the local mirror) is never written to: if it lacks
files the message says which.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import DataDirError, RegiokaartError
from geo.settings import DataDir, resolve_data_dir
from geo.sources import (
    ENV_BASE_URL,
    FileProgress,
    Manifest,
    Progress,
    default_base_url,
    fetch,
    load_manifest,
)

USER_CACHE = "user cache"


@dataclass(frozen=True)
class DataStatus:
    """Which manifest files the resolved data directory lacks (presence only; checksums are checked
    when a file is read or fetched)."""

    data_dir: DataDir
    missing: tuple[str, ...]
    n_files: int

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def fetchable(self) -> bool:
        """True when the missing files may be fetched here (only into the user cache)."""
        return self.data_dir.origin == USER_CACHE


def data_status(
    data_dir: str | os.PathLike[str] | None = None, manifest: Manifest | None = None
) -> DataStatus:
    dd = resolve_data_dir(data_dir)
    manifest = manifest or load_manifest()
    files = list(manifest.files())
    missing = tuple(f.path for f in files if not (dd.path / f.path).is_file())
    return DataStatus(dd, missing, len(files))


@dataclass(frozen=True)
class EnsureReport:
    data_dir: Path
    downloaded: list[str] = field(default_factory=list)
    already_present: int = 0


def _not_here(status: DataStatus) -> str:
    dd = status.data_dir
    listed = ", ".join(status.missing[:8]) + (" …" if len(status.missing) > 8 else "")
    return (
        f"The data directory {dd.path} (chosen by {dd.origin}) lacks {len(status.missing)} of the "
        f"{status.n_files} files of data/boundaries/sources.toml: {listed}. Regiokaart does not "
        "write into a folder you chose: add the files there (`regiokaart data fetch --data-dir "
        f"{dd.path}`), or unset it to use the user cache, which is filled automatically."
    )


def ensure_data(
    data_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    manifest: Manifest | None = None,
) -> EnsureReport:
    """Make sure a data directory holds every manifest file; fetch the missing ones into the user
    cache when that is the directory in use. Raises :class:`DataDirError` / ``ChecksumError`` with
    what failed and what to do."""
    manifest = manifest or load_manifest()
    status = data_status(data_dir, manifest)
    target = status.data_dir.path
    if status.complete:
        return EnsureReport(target, [], status.n_files)
    if not status.fetchable:
        raise DataDirError(_not_here(status))
    base = base_url or default_base_url()
    rep = fetch(target, manifest, base_url=base, progress=progress, paths=status.missing)
    if rep.not_downloadable:
        listed = "\n".join(f"  {p}" for p in rep.not_downloadable)
        raise DataDirError(
            f"Fetched {len(rep.downloaded)} file(s) into {target}, but {len(rep.not_downloadable)} "
            "compiled file(s) have no public address and cannot be downloaded:\n"
            f"{listed}\nCopy them into {target} (same sub-folders), or set {ENV_BASE_URL} to a mirror "
            "that serves every manifest file, then start again."
        )
    return EnsureReport(target, rep.downloaded, len(rep.already_present))


def years_text() -> str:
    """The population years per grid, the default per grid and the years that are missing (the
    listing of ``regiokaart data years``)."""
    from geo.population import default_population_year, gap_notes, population_years, year_ranges
    from geo.settings import GRIDS

    lines = ["Population on 1 January, per municipality grid (default: the latest year):"]
    for g in sorted(GRIDS):
        lines.append(
            f"  {g} grid: {year_ranges(population_years(g))} (default {default_population_year(g)})"
        )
    lines.append(
        "Older grids' figures are moved forward with the crosswalk; a newer grid's figures cannot be "
        "split back to an older grid."
    )
    notes = gap_notes()
    if notes:
        lines += ["Not available:"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def print_progress(ev: FileProgress) -> None:
    """One line per fetched file (the command line's progress)."""
    if ev.status == "done":
        print(f"  [{ev.index}/{ev.count}] {ev.path}: {ev.done:,} bytes, checksum ok", flush=True)


def ensure_cli(data_dir: str | None = None, base_url: str | None = None) -> int:
    """``regiokaart data ensure`` / ``python -m geo.firststart``: 0 when the data is ready, 2 with a
    message on stderr otherwise."""
    try:
        status = data_status(data_dir)
        if status.complete:
            print(
                f"data: {status.n_files} files in {status.data_dir.path} ({status.data_dir.origin})"
            )
            return 0
        print(
            f"data: first start, fetching {len(status.missing)} file(s) into "
            f"{status.data_dir.path} …",
            flush=True,
        )
        rep = ensure_data(data_dir, base_url, print_progress)
    except RegiokaartError as exc:
        print(f"regiokaart: {exc}", file=sys.stderr)
        return 2
    print(f"data: {len(rep.downloaded)} file(s) fetched and verified into {rep.data_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    base = args[0] if args else None
    return ensure_cli(None, base)


if __name__ == "__main__":
    sys.exit(main())
