"""`--out` safety: never the input file, a folder or a device; OS errors name the user's path.

Every case is refused before any data is loaded (exit 2, one line on stderr, nothing written),
so most tests run without the real data.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

import cli.common
from cli import main
from cli.common import OutputError, check_out_path, emit

PLAN = "nis_code,cluster\n44021,gent\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def plan(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text(PLAN)
    return p


def cov(plan, out):
    # --data-dir that does not exist: a refusal must come before any data is read
    return [
        "coverage",
        "--plan",
        plan,
        "--grid",
        "2019",
        "--out",
        out,
        "--data-dir",
        "/nonexistent",
    ]


def assert_refused(code, out, err, shown, phrase):
    assert code == 2 and out == ""
    assert err.startswith("regiokaart: ") and err.count("\n") == 1, err
    assert str(shown) in err and phrase in err
    assert "unexpected error" not in err and ".tmp" not in err


# ----------------------------------------------------------------------------- the input file
@pytest.mark.parametrize("spell", ["same", "dotted", "symlink", "hardlink"])
def test_out_equal_to_the_plan_is_refused(capsys, tmp_path, plan, spell, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if spell == "same":
        out = plan
    elif spell == "dotted":
        (tmp_path / "sub").mkdir()
        out = Path("sub/../plan.csv")
    elif spell == "symlink":
        out = tmp_path / "link.csv"
        out.symlink_to(plan)
    else:
        out = tmp_path / "hard.csv"
        os.link(plan, out)
    code, o, err = run(capsys, *cov(plan, out))
    assert_refused(code, o, err, out, "is an input of this command")
    assert plan.read_text() == PLAN


def test_out_equal_to_a_layer_file_is_refused(capsys, tmp_path, plan):
    layer = tmp_path / "layer.csv"
    layer.write_text("nis_code,region\n44021,Gent\n")
    code, o, err = run(
        capsys, "overlap", "--plan", plan, "--grid", "2019", "--layer", layer,
        "--out", layer, "--data-dir", "/nonexistent",
    )  # fmt: skip
    assert_refused(code, o, err, layer, "is an input of this command")
    assert layer.read_text() == "nis_code,region\n44021,Gent\n"


def test_a_plan_id_is_not_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_out_path("partnerships-2017", ["partnerships-2017"]) == Path("partnerships-2017")


# ----------------------------------------------------------------------------- not a file
def test_out_on_a_folder_is_refused(capsys, tmp_path, plan):
    code, o, err = run(capsys, *cov(plan, tmp_path))
    assert_refused(code, o, err, tmp_path, "is a folder")
    assert tmp_path.is_dir()


def test_out_dev_full_is_refused_and_stays_a_device(capsys, plan):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    code, o, err = run(capsys, *cov(plan, "/dev/full"))
    assert_refused(code, o, err, "/dev/full", "not a regular file")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_out_on_a_fifo_is_refused(capsys, tmp_path, plan):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, o, err = run(capsys, *cov(plan, fifo))
    assert_refused(code, o, err, fifo, "not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_out_under_a_file_is_refused(capsys, tmp_path, plan):
    out = plan / "x.csv"
    code, o, err = run(capsys, *cov(plan, out))
    assert_refused(code, o, err, out, "is a file, not a folder")


@pytest.mark.parametrize(
    "argv",
    [
        ["coverage", "--plan", "partnerships-2017", "--grid", "2018"],
        [
            "evaluate",
            "--plan",
            "partnerships-2017",
            "--grid",
            "2018",
            "--scenario",
            "bestuursregisseur",
        ],
        ["summary", "--plan", "partnerships-2017", "--grid", "2018"],
        ["overlap", "--plan", "partnerships-2017", "--grid", "2018", "--layer", "wijkwerken"],
        ["layers"],
        ["rules"],
        ["scenarios"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_that_writes_checks_out(capsys, tmp_path, argv):
    code, o, err = run(capsys, *argv, "--out", tmp_path, "--data-dir", "/nonexistent")
    assert_refused(code, o, err, tmp_path, "is a folder")


# ----------------------------------------------------------------------------- OS errors
def test_write_error_names_the_users_path_not_the_temp_file(capsys, tmp_path, plan, monkeypatch):
    def denied(path, data):
        tmp = Path(path).parent / f".{Path(path).name}.x1y2.tmp"
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp))

    monkeypatch.setattr(cli.common, "atomic_write_bytes", denied)
    out = tmp_path / "o.csv"
    with pytest.raises(OutputError) as exc:
        emit("a,b\n", str(out))
    assert str(exc.value) == f"cannot write {out}: Permission denied"


def test_disk_full_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    out = tmp_path / "o.csv"
    out.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match=r"cannot write .*o\.csv: No space left on device"):
        emit("new\n", str(out))
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]


def test_read_only_folder(capsys, tmp_path, monkeypatch):
    """A read-only folder, as the OS answers it to a non-root user (root may write anywhere, so
    the refusal is simulated where the temporary file is created)."""
    ro = tmp_path / "ro"
    ro.mkdir()

    def read_only(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / ".tmpabc"))

    monkeypatch.setattr("geo.atomic.tempfile.mkstemp", read_only)
    code, o, err = run(capsys, "rules", "--out", ro / "rules.txt")
    assert_refused(code, o, err, ro / "rules.txt", "cannot write")
    assert ".tmpabc" not in err
    assert list(ro.iterdir()) == []


# ----------------------------------------------------------------------------- what is written
def test_written_atomically_with_a_normal_mode(capsys, tmp_path):
    out = tmp_path / "new" / "sub" / "rules.txt"  # a missing folder is created
    code, o, err = run(capsys, "rules", "--out", out)
    assert code == 0 and o == "" and err == f"written: {out}\n"
    assert out.read_text().startswith("regierol-2012 (version")
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()
    out.chmod(0o640)  # replacing a file keeps its mode
    assert run(capsys, "rules", "--format", "json", "--out", out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text().startswith("[")
    assert sorted(p.name for p in out.parent.iterdir()) == ["rules.txt"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("fmt", ["xlsx", "gpkg"])
def test_binary_format_without_out_is_refused_before_any_work(capsys, plan, fmt):
    code, o, err = run(
        capsys, "coverage", "--plan", plan, "--grid", "2019", "--format", fmt,
        "--data-dir", "/nonexistent",
    )  # fmt: skip
    assert (code, o, err) == (2, "", f"regiokaart: --format {fmt} needs --out PATH.\n")
