"""The source manifest (``data/boundaries/sources.toml``): what Regiokaart reads and where it comes from.

Each dataset has an id, a title, a kind, optionally a municipality grid, CRS and key/name columns, a
licence and attribution, and a list of files with their path inside the data directory, their pinned
public address (when one exists) and their sha256. :func:`verify` checks a data directory against it;
:func:`fetch` downloads the pinned files into a folder and verifies every checksum.
"""

from __future__ import annotations

import hashlib
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo.atomic import atomic_write_bytes
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


def _http_get(url: str, timeout: float = 60.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        data: bytes = resp.read()
        return data


@dataclass(frozen=True)
class FetchReport:
    downloaded: list[str]
    already_present: list[str]
    not_downloadable: list[str]


def fetch(
    target: Path,
    manifest: Manifest | None = None,
    base_url: str | None = None,
    get: Opener = _http_get,
    dataset_ids: Iterable[str] | None = None,
) -> FetchReport:
    """Download every file with a pinned address into ``target`` and verify its sha256.

    ``base_url`` replaces each pinned address by ``base_url/<path>`` (a mirror, or a test server).
    A checksum mismatch raises :class:`ChecksumError` and the bad download is not kept.
    Files without a public address (compiled tables) are listed in ``not_downloadable``.
    """
    manifest = manifest or load_manifest()
    wanted = set(dataset_ids) if dataset_ids is not None else None
    downloaded, present, manual = [], [], []
    for ds in manifest.datasets.values():
        if wanted is not None and ds.id not in wanted:
            continue
        for f in ds.files:
            p = target / f.path
            if p.is_file() and sha256_of(p) == f.sha256:
                present.append(f.path)
                continue
            if base_url is not None:
                url = base_url.rstrip("/") + "/" + f.path
            elif f.url:
                url = f.url
            else:
                manual.append(f.path)
                continue
            try:
                data = get(url)
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                raise DataDirError(f"Download failed for {f.path} from {url}: {exc}") from exc
            got = hashlib.sha256(data).hexdigest()
            if got != f.sha256:
                raise ChecksumError(
                    f"Checksum mismatch for {f.path} downloaded from {url}: expected {f.sha256}, "
                    f"got {got}. Nothing was written."
                )
            atomic_write_bytes(p, data)
            downloaded.append(f.path)
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
