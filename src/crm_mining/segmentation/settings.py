"""Tunables of the segmentation: the vars segment_* and random_seed of dbt_project.yml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crm_mining.config import config_int

#: Clip of the scaled features, in standard deviations (a constant of the method, not a var).
CLIP = 3.0


@dataclass(frozen=True)
class SegmentationSettings:
    """Every setting is required: the defaults live in dbt_project.yml only."""

    k_min: int
    k_max: int
    sample_size: int
    minibatch_threshold: int
    n_init: int
    random_seed: int
    clip: float = CLIP

    def __post_init__(self) -> None:
        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(
                "crm_mining: vars segment_k_min and segment_k_max must satisfy "
                f"2 <= segment_k_min <= segment_k_max, got {self.k_min} and {self.k_max}."
            )
        if self.sample_size < 3:
            raise ValueError(
                f"crm_mining: var segment_sample_size must be at least 3, got {self.sample_size}."
            )
        if self.minibatch_threshold < 1:
            raise ValueError(
                "crm_mining: var segment_minibatch_threshold must be at least 1, got "
                f"{self.minibatch_threshold}."
            )
        if self.n_init < 1:
            raise ValueError(f"crm_mining: var segment_n_init must be >= 1, got {self.n_init}.")
        if not self.clip > 0:
            raise ValueError(f"crm_mining: the clip must be positive, got {self.clip}.")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SegmentationSettings:
        """Settings from the model config (vars rendered as text); a var missing from the
        config, null or not an integer is an error naming it (crm_mining.config)."""
        return cls(
            k_min=config_int(config, "segment_k_min"),
            k_max=config_int(config, "segment_k_max"),
            sample_size=config_int(config, "segment_sample_size"),
            minibatch_threshold=config_int(config, "segment_minibatch_threshold"),
            n_init=config_int(config, "segment_n_init"),
            random_seed=config_int(config, "random_seed"),
        )
