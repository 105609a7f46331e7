"""The source manifest (``data/boundaries/sources.toml``): what Regiokaart reads and where it comes from.

Each dataset has an id, a title, a kind, optionally a municipality grid, CRS and key/name columns, a
licence and attribution, and a list of files with their path inside the data directory, their pinned
public address (when one exists) and their sha256. :func:`verify` checks a data directory against it;
:func:`fetch` downloads the pinned files into a folder and verifies every checksum.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import ChecksumError, DataDirError
from geo.settings import MANIFEST_PATH


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str
    url: str | None = None


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    kind: str
    files: tuple[SourceFile, ...]
    origin: str = "download"
    grid: int | None = None
    crs: str | None = None
    key: str | None = None
    name: str | None = None
    licence: str = ""
    attribution: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Manifest:
    datasets: dict[str, Dataset] = field(default_factory=dict)

    def __getitem__(self, dataset_id: str) -> Dataset:
        try:
            return self.datasets[dataset_id]
        except KeyError:
            known = ", ".join(sorted(self.datasets))
            raise DataDirError(f"Unknown dataset '{dataset_id}'. Known: {known}") from None

    def files(self) -> Iterable[SourceFile]:
        for ds in self.datasets.values():
            yield from ds.files

    def file_for(self, relative: str) -> SourceFile:
        for f in self.files():
            if f.path == relative:
                return f
        raise DataDirError(f"{relative} is not listed in the source manifest.")


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Read and validate the manifest TOML."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataDirError(f"Cannot read the source manifest {path}: {exc}") from exc
    out: dict[str, Dataset] = {}
    for d in raw.get("dataset", []):
        files = tuple(
            SourceFile(path=f["path"], sha256=f["sha256"].lower(), url=f.get("url"))
            for f in d.get("files", [])
        )
        fields = {k: v for k, v in d.items() if k != "files"}
        ds = Dataset(files=files, **fields)
        if ds.id in out:
            raise DataDirError(f"Dataset id '{ds.id}' appears twice in {path}.")
        out[ds.id] = ds
    return Manifest(out)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_file(data_dir: Path, f: SourceFile) -> Path:
    """Return the file's path if present with the pinned checksum; raise otherwise."""
    p = data_dir / f.path
    if not p.is_file():
        raise DataDirError(f"Data file missing: {f.path} (in {data_dir}).")
    got = sha256_of(p)
    if got != f.sha256:
        raise ChecksumError(
            f"Checksum mismatch for {f.path} in {data_dir}: expected sha256 {f.sha256}, got {got}. "
            "The file is not the pinned version; replace it (regiokaart data fetch) or remove it."
        )
    return p


@dataclass(frozen=True)
class VerifyReport:
    ok: list[str]
    missing: list[str]
    mismatched: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.mismatched


def verify(data_dir: Path, manifest: Manifest | None = None) -> VerifyReport:
    """Check every manifest file in ``data_dir`` (presence and sha256)."""
    manifest = manifest or load_manifest()
    ok, missing, mismatched = [], [], []
    for f in manifest.files():
        p = data_dir / f.path
        if not p.is_file():
            missing.append(f.path)
        elif sha256_of(p) != f.sha256:
            mismatched.append(f.path)
        else:
            ok.append(f.path)
    return VerifyReport(ok, missing, mismatched)


Opener = Callable[[str], bytes]
#: Environment variable naming a mirror that serves every manifest file at ``<base>/<path>``.
ENV_BASE_URL = "REGIOKAART_DATA_BASE_URL"
_CHUNK = 1 << 16


def default_base_url() -> str | None:
    """The mirror from ``$REGIOKAART_DATA_BASE_URL`` (None: the pinned addresses)."""
    return os.environ.get(ENV_BASE_URL) or None


def _http_get(url: str, timeout: float = 60.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        data: bytes = resp.read()
        return data


@dataclass(frozen=True)
class FileProgress:
    """One progress event of :func:`fetch`: file ``index`` (1-based) of ``count``; ``done`` of
    ``total`` bytes (``total`` None when the server does not say). ``status``: "start",
    "progress", "done" (downloaded and verified) or "present" (already there, checksum ok)."""

    path: str
    index: int
    count: int
    done: int
    total: int | None
    status: str

    @property
    def fraction(self) -> float:
        if self.status in ("done", "present"):
            return 1.0
        return min(self.done / self.total, 1.0) if self.total else 0.0


Progress = Callable[[FileProgress], None]


@dataclass(frozen=True)
class FetchReport:
    downloaded: list[str]
    already_present: list[str]
    not_downloadable: list[str]


def _what_to_do(target: Path) -> str:
    return (
        f"Nothing half-written was kept; files already in {target} are complete and verified. "
        "Check the internet connection and run again (`make app`, or `regiokaart data ensure`), "
        f"or set {ENV_BASE_URL} to a mirror serving the files, or point REGIOKAART_DATA_DIR at a "
        "folder that holds them."
    )


def _download(
    url: str,
    dest: Path,
    expected: str,
    report: Callable[[int, int | None], None],
    get: Opener | None,
    timeout: float,
) -> None:
    """Download ``url`` into a temporary file beside ``dest``, verify its sha256, then rename it to
    ``dest``. On any failure the temporary file is removed and ``dest`` is untouched."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as fh:
            if get is not None:
                data = get(url)
                h.update(data)
                fh.write(data)
                report(len(data), len(data))
            else:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    length = resp.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    done = 0
                    report(0, total)
                    while chunk := resp.read(_CHUNK):
                        h.update(chunk)
                        fh.write(chunk)
                        done += len(chunk)
                        report(done, total)
            fh.flush()
            os.fsync(fh.fileno())
        got = h.hexdigest()
        if got != expected:
            raise ChecksumError(
                f"Checksum mismatch for {dest.name} downloaded from {url}: expected sha256 "
                f"{expected}, got {got}. The download was discarded: the server did not send the "
                "pinned version (changed at the source, a proxy or captive portal, or a broken "
                "mirror). Try again later or use another mirror; do not replace the checksum."
            )
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _reporter(progress: Progress | None, path: str, index: int, count: int) -> Callable[..., None]:
    """``report(done, total, status="progress")`` for one file, a no-op without ``progress``."""

    def report(done: int, total: int | None, status: str = "progress") -> None:
        if progress is not None:
            progress(FileProgress(path, index, count, done, total, status))

    return report


def fetch(
    target: Path,
    manifest: Manifest | None = None,
    base_url: str | None = None,
    get: Opener | None = None,
    dataset_ids: Iterable[str] | None = None,
    progress: Progress | None = None,
    paths: Iterable[str] | None = None,
    timeout: float = 60.0,
) -> FetchReport:
    """Download every file with a pinned address into ``target`` and verify its sha256.

    ``base_url`` replaces each pinned address by ``base_url/<path>`` (a mirror, or a test server).
    Each file is streamed into a temporary file in its target folder, verified, then renamed: a
    checksum mismatch raises :class:`ChecksumError`, a failed download :class:`DataDirError`, and
    neither leaves anything half-written. Files without a public address (compiled tables) are listed
    in ``not_downloadable``. ``dataset_ids`` / ``paths`` restrict the files; ``progress`` receives a
    :class:`FileProgress` per file start, chunk and end; ``get`` (tests) replaces the HTTP download.
    """
    manifest = manifest or load_manifest()
    wanted = set(dataset_ids) if dataset_ids is not None else None
    only = set(paths) if paths is not None else None
    todo: list[SourceFile] = []
    for ds in manifest.datasets.values():
        if wanted is not None and ds.id not in wanted:
            continue
        todo += [f for f in ds.files if only is None or f.path in only]
    downloaded, present, manual = [], [], []
    count = len(todo)
    for index, f in enumerate(todo, start=1):
        p = target / f.path
        report = _reporter(progress, f.path, index, count)
        if p.is_file() and sha256_of(p) == f.sha256:
            present.append(f.path)
            report(0, None, "present")
            continue
        if base_url is not None:
            url = base_url.rstrip("/") + "/" + f.path
        elif f.url:
            url = f.url
        else:
            manual.append(f.path)
            continue
        report(0, None, "start")
        try:
            _download(url, p, f.sha256, report, get, timeout)
        except ChecksumError as exc:
            raise ChecksumError(f"{f.path}: {exc} {_what_to_do(target)}") from exc
        except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
            raise DataDirError(
                f"Download failed for {f.path} from {url}: {exc}. {_what_to_do(target)}"
            ) from exc
        downloaded.append(f.path)
        report(p.stat().st_size, p.stat().st_size, "done")
    return FetchReport(downloaded, present, manual)


_verified: dict[tuple[str, int, int], str] = {}


def checked_path(data_dir: Path, relative: str, manifest: Manifest | None = None) -> Path:
    """Path of a manifest file in ``data_dir``, after checking presence and sha256.

    The hash of a file is remembered per (path, size, mtime), so repeated loads stay cheap.
    """
    manifest = manifest or _default_manifest()
    f = manifest.file_for(relative)
    p = data_dir / f.path
    if not p.is_file():
        raise DataDirError(
            f"Data file missing: {relative} (data directory {data_dir}). Run `regiokaart data fetch`, "
            "or point --data-dir / REGIOKAART_DATA_DIR at a folder holding the manifest's files."
        )
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns)
    if _verified.get(key) != f.sha256:
        check_file(data_dir, f)
        _verified[key] = f.sha256
    return p


_manifest_cache: list[Manifest] = []


def _default_manifest() -> Manifest:
    if not _manifest_cache:
        _manifest_cache.append(load_manifest())
    return _manifest_cache[0]
