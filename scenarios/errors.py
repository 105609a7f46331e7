"""Errors of the scenarios package (all :class:`geo.errors.RegiokaartError`: one clear message)."""

from __future__ import annotations

from geo.errors import InputError, RegiokaartError


class ConfigError(RegiokaartError):
    """A rule set or scenario config file is missing or invalid, or an id is unknown."""


class ParameterError(RegiokaartError):
    """A parameter override names an unknown parameter or has an invalid value."""


__all__ = ["ConfigError", "InputError", "ParameterError"]
