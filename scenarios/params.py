"""Parameters read from config files: value plus where it comes from.

Every number of a rule set or scenario is a :class:`Param` in its ``meta`` mapping (label NL/EN,
unit, source, whether it is an *assumption* and why). :func:`override` returns a copy of a rule set
or scenario with some values changed (``dataclasses.replace``) and records what was changed, so the
app can show the user's values next to the defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from scenarios.errors import ParameterError


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    label_nl: str
    label_en: str
    unit: str = ""
    source: str = ""
    assumption: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def read_params(table: Mapping[str, Any], where: str) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for name, spec in table.items():
        if not isinstance(spec, Mapping) or "value" not in spec:
            raise ParameterError(f"{where}: parameter '{name}' needs a 'value'.")
        if spec.get("assumption") and not spec.get("reason"):
            raise ParameterError(f"{where}: assumption '{name}' needs a 'reason'.")
        out[name] = Param(
            name=name,
            default=spec["value"],
            label_nl=str(spec.get("label_nl", name)),
            label_en=str(spec.get("label_en", name)),
            unit=str(spec.get("unit", "")),
            source=str(spec.get("source", "")),
            assumption=bool(spec.get("assumption", False)),
            reason=str(spec.get("reason", "")),
        )
    return out


class HasParams(Protocol):
    @property
    def meta(self) -> Mapping[str, Param]: ...

    @property
    def overrides(self) -> Mapping[str, Any]: ...


T = TypeVar("T", bound=HasParams)


def override(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` (a rule set or scenario) with the given parameters changed.

    Unknown names raise :class:`ParameterError` listing the known ones; values are checked by the
    object's ``__post_init__``.
    """
    fields = {f.name for f in dataclasses.fields(obj)}  # type: ignore[arg-type]
    unknown = [k for k in changes if k not in obj.meta or k not in fields]
    if unknown:
        known = ", ".join(sorted(k for k in obj.meta if k in fields))
        raise ParameterError(f"Unknown parameter(s) {', '.join(unknown)}; known: {known}.")
    new_overrides = {**obj.overrides, **changes}
    return dataclasses.replace(obj, **changes, overrides=new_overrides)  # type: ignore[type-var]


def parameter_rows(obj: HasParams) -> list[dict[str, Any]]:
    """One row per parameter: name, current value, default, labels, unit, source, assumption."""
    rows = []
    for name, p in obj.meta.items():
        value = _plain(getattr(obj, name, p.default))
        rows.append(
            {
                **p.to_dict(),
                "value": value,
                "overridden": name in obj.overrides,
            }
        )
    return rows


def _plain(value: Any) -> Any:
    """JSON-ready: mappings to dicts, tuples of dataclasses (bands) to lists of their values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [v for k, v in dataclasses.asdict(value).items() if k != "source"]
    return value
