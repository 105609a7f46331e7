"""The `cli/` package follows its convention: one module per command, shared arguments defined once."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cli
import regiokaart_cli

CLI_DIR = Path(cli.__file__).parent


@pytest.mark.parametrize("name", cli.COMMANDS)
def test_one_module_per_command(name):
    mod = importlib.import_module(f"cli.{name}")
    assert callable(mod.register) and callable(mod.run)
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    p = sub.choices[name]
    assert p.get_default("func") is mod.run
    actions = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    leaves = list(actions[0].choices.values()) if actions else [p]  # plans list|show|...
    for leaf in leaves:
        assert "--data-dir" in leaf.format_help() and "--debug" in leaf.format_help(), leaf.prog


def test_shared_arguments_are_defined_once():
    for option in ("--plan", "--grid", "--population-year", "--data-dir", "--format", "--out"):
        pattern = re.compile(r"add_argument\(\s*" + re.escape(f'"{option}"'))
        defined_in = [p.name for p in CLI_DIR.glob("*.py") if pattern.search(p.read_text())]
        assert defined_in == ["common.py"], (option, defined_in)


def test_shim_and_module_entry_points():
    assert regiokaart_cli.main is cli.main
    r = subprocess.run(
        [sys.executable, "-m", "cli", "--help"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0 and "summary" in r.stdout
