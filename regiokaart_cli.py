"""Kept for old imports and ``python regiokaart_cli.py``: the command line is the :mod:`cli`
package (``regiokaart`` runs :func:`cli.main`)."""

from __future__ import annotations

import sys

from cli import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
