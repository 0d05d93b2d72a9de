"""Named scenarios (``*.toml`` next to this file), their loader, and a compact encoding.

Hypothesis strategies live in ``interlock.scenarios.strategies``, imported on
demand so that loading a scenario does not import Hypothesis.
"""

from __future__ import annotations

from .loader import (
    builtin_description,
    builtin_names,
    builtin_scenarios,
    decode_scenario,
    encode_scenario,
    load_file,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

__all__ = [
    "builtin_description",
    "builtin_names",
    "builtin_scenarios",
    "decode_scenario",
    "encode_scenario",
    "load_file",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
]
