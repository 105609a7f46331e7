"""Limits on what the tool reads, checked **before** parsing, with clear messages.

Every reader of a user file (plan files, layer files, the app's uploads) calls one of the entry
checks first — :func:`check_table_file` for CSV/XLSX tables, :func:`check_vector_file` for
polygon files — so a hostile or mistaken file is refused in milliseconds and with bounded memory,
never after minutes of parsing:

- a file is at most :data:`MAX_FILE_BYTES` (20 MB);
- a table has at most :data:`MAX_ROWS` data rows (20,000; counted without pandas: CSV lines, or
  ``<row`` elements streamed out of an XLSX sheet, stopping at the limit), and an XLSX sheet at most
  :data:`MAX_CELLS` cells (20,000 rows of 20 columns; parsing costs about 10 µs a cell, and a sheet
  within the size limits could otherwise hold millions of cells and take minutes to parse);
- an XLSX (a zip) or a zipped Shapefile holds at most :data:`MAX_ZIP_ENTRIES` entries (200), unpacks
  to at most :data:`MAX_UNPACKED_BYTES` (100 MB, from the zip's central directory) and no entry has a
  compression ratio above :data:`MAX_COMPRESSION_RATIO` (a zip bomb); every entry is then unpacked
  once in small chunks to check it holds no more than it declares (``ZipFile.read`` of an entry that
  lies about its size would otherwise unpack all of it in one go).

Error lists are capped in :class:`geo.errors.RegiokaartError` (the first 50 problems and a count).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from geo.errors import LimitError, RegiokaartError

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_ROWS = 20_000
MAX_CELLS = 20 * (MAX_ROWS + 1)  # an XLSX sheet: 20,000 rows (and a header) of 20 columns
MAX_UNPACKED_BYTES = 100 * MB
MAX_ZIP_ENTRIES = 200
MAX_COMPRESSION_RATIO = 200  # unpacked / packed, per entry of at least RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1 * MB
CHUNK = 1 * MB
MAX_ENTRY_NAME = 255  # characters of a zip entry's name

Source = bytes | str | os.PathLike[str]

ZIP_TABLE_SUFFIXES = (".xlsx", ".xlsm")
TEXT_TABLE_SUFFIXES = (".csv", ".txt")


def _label(src: Source, name: str | None) -> str:
    if name:
        return Path(name).name
    if isinstance(src, bytes):
        return "the file"
    return Path(src).name


def _size(src: Source) -> int:
    return len(src) if isinstance(src, bytes) else Path(src).stat().st_size


def _open(src: Source) -> IO[bytes]:
    return io.BytesIO(src) if isinstance(src, bytes) else open(src, "rb")


def _mb(n: float) -> str:
    return f"{n / MB:.1f} MB"


def check_file_size(src: Source, name: str | None = None, limit: int = MAX_FILE_BYTES) -> int:
    """The size in bytes; :class:`LimitError` above ``limit``."""
    n = _size(src)
    if n > limit:
        raise LimitError(
            f"{_label(src, name)} is {_mb(n)}; the limit is {_mb(limit)}. "
            "Split the file or leave out columns that are not needed."
        )
    return n


def check_zip(
    src: Source,
    name: str | None = None,
    max_entries: int = MAX_ZIP_ENTRIES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
    what: str = "zip archive",
    error: type[RegiokaartError] = LimitError,
    verify: bool = True,
) -> list[zipfile.ZipInfo]:
    """Check a zip archive: from its central directory (entry count, entry names, total declared
    unpacked size, per-entry compression ratio), then, with ``verify``, that no entry holds more
    than it declares (:func:`_verify_zip`, streamed). Returns the entries."""
    label = _label(src, name)
    try:
        with _open(src) as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise error(f"{label} is not a valid zip archive (broken or truncated): {exc}") from None
    if len(infos) > max_entries:
        raise LimitError(
            f"{label} holds {len(infos):,} entries; the limit is {max_entries} for a {what}."
        )
    long = next((i.filename for i in infos if len(i.filename) > MAX_ENTRY_NAME), None)
    if long is not None:
        raise LimitError(
            f"{label}: an entry name is {len(long):,} characters long ({long[:60]!r}…)."
        )
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        raise LimitError(
            f"{label} unpacks to {_mb(total)}; the limit is {_mb(max_unpacked)} for a {what}."
        )
    for i in infos:
        if i.file_size >= RATIO_MIN_BYTES and i.file_size > max_ratio * max(i.compress_size, 1):
            raise LimitError(
                f"{label}: the entry {i.filename[:100]!r} unpacks {i.file_size / max(i.compress_size, 1):,.0f} "
                f"times its packed size (limit {max_ratio:g}); this looks like a zip bomb."
            )
    if verify:
        _verify_zip(src, label, error)
    return infos


def _verify_zip(src: Source, label: str, error: type[RegiokaartError]) -> None:
    """Unpack every entry in small chunks and check its CRC: an entry whose real content is larger
    than its declared size (a zip that lies in its directory, so that a reader calling
    ``ZipFile.read`` would unpack gigabytes in one go) fails here after its declared size, with
    bounded memory. Costs about a second per 100 MB declared."""
    try:
        with _open(src) as fh, zipfile.ZipFile(fh) as zf:
            for info in zf.infolist():
                with zf.open(info) as entry:
                    while entry.read(64 * 1024):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise error(
            f"{label} is not a valid zip archive: {exc} (a damaged file, or an entry larger "
            "than it declares)."
        ) from None
    except NotImplementedError as exc:  # encrypted or an unusual compression
        raise error(f"{label}: cannot unpack ({exc}).") from None


def _chunks(src: Source) -> Iterator[bytes]:
    with _open(src) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def count_csv_rows(src: Source, name: str | None = None, limit: int = MAX_ROWS) -> int:
    """Data rows of a CSV (lines with text after the header), counted in chunks without parsing;
    :class:`LimitError` as soon as there are more than ``limit``. A quoted field spanning lines
    counts once per line (the count is an upper bound)."""
    lines = 0
    last = b"\n"
    for chunk in _chunks(src):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
        if lines > limit + 1:
            break
    if last != b"\n":
        lines += 1  # a last line without a newline
    rows = max(lines - 1, 0)
    if rows > limit:
        raise LimitError(
            f"{_label(src, name)} has more than {limit:,} rows; the limit is {limit:,} rows."
        )
    return rows


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def count_xlsx_rows(
    src: Source, name: str | None = None, limit: int = MAX_ROWS, max_cells: int = MAX_CELLS
) -> int:
    """Data rows (header excluded) of the first worksheet of an XLSX, counted by streaming its XML
    and stopping at the limits (call :func:`check_zip` first); :class:`LimitError` above ``limit``
    rows after the header or above ``max_cells`` cells."""
    label = _label(src, name)
    rows = cells = 0
    with _open(src) as fh, zipfile.ZipFile(fh) as zf:
        sheets = sorted(
            (n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n) or 0),
        )
        if not sheets:
            return 0
        tail = b""
        with zf.open(sheets[0]) as sheet:
            while chunk := sheet.read(CHUNK):
                buf = tail + chunk
                # keep an unfinished tag for the next chunk; it is counted there, not here
                cut = buf.rfind(b"<")
                tail = buf[cut:] if cut >= 0 and b">" not in buf[cut:] else b""
                done = buf[: len(buf) - len(tail)]
                rows += len(_ROW.findall(done))
                cells += len(_CELL.findall(done))
                if rows > limit + 1 or cells > max_cells:
                    break
            rows += len(_ROW.findall(tail))
            cells += len(_CELL.findall(tail))
    if rows > limit + 1:
        raise LimitError(f"{label} has more than {limit:,} rows; the limit is {limit:,} rows.")
    if cells > max_cells:
        raise LimitError(
            f"{label} has more than {max_cells:,} cells; the limit is {max_cells:,} "
            "(20,000 rows of 20 columns). Leave out columns that are not needed."
        )
    return max(rows - 1, 0)


def check_table_file(
    src: Source, name: str | None = None, error: type[RegiokaartError] = LimitError
) -> None:
    """Every limit for a CSV/XLSX table (plan file, layer table, upload), before parsing.
    ``name`` (the user's file name) gives the format by its suffix and is used in messages.
    Limits raise :class:`LimitError`; a file that is empty or not what its suffix says raises
    ``error`` (the reader's own error class)."""
    label = _label(src, name)
    suffix = Path(name if name else "" if isinstance(src, bytes) else str(src)).suffix.lower()
    n = check_file_size(src, label)
    if n == 0:
        raise error(f"{label} is empty (0 bytes).")
    if suffix in ZIP_TABLE_SUFFIXES:
        check_zip(src, label, what="spreadsheet (.xlsx)", error=error)
        count_xlsx_rows(src, label)
    elif suffix in (".xls",):
        return  # old binary Excel: the size limit bounds it
    else:
        count_csv_rows(src, label)


def check_vector_file(
    src: Source, name: str | None = None, error: type[RegiokaartError] = LimitError
) -> None:
    """Every limit for a polygon file (GeoPackage, GeoJSON, zipped Shapefile), before parsing."""
    label = _label(src, name)
    suffix = Path(name if name else "" if isinstance(src, bytes) else str(src)).suffix.lower()
    check_file_size(src, label)
    if suffix == ".zip":
        check_zip(src, label, what="zipped Shapefile", error=error)
