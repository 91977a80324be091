"""Helpers shared by every ECS mixin: resolving clusters and ARNs, paging, tag bookkeeping."""

from __future__ import annotations

from typing import Any

from ecslearn.sim.base import Backend, page_slice
from ecslearn.sim.ecs.models import Cluster
from ecslearn.sim.errors import cluster_not_found, invalid_parameter


class EcsCore(Backend):
    """State every mixin can see. Mixins add `_init_state(self)` and `_busy(self)` hooks.

    Capacity decisions (`_split_capacity`, `_set_cluster_capacity_providers`) live in the capacity
    mixin, which every EcsBackend includes.
    """

    clusters: dict[str, Cluster]

    def _init_state(self) -> None:
        self.clusters = {}

    # --- clusters --------------------------------------------------------------------------

    def _cluster_arn(self, name: str) -> str:
        return self.sim.arn("ecs", f"cluster/{name}")

    @staticmethod
    def _short_name(ref: str, kind: str) -> str:
        """`arn:aws:ecs:...:cluster/prod` or `prod` → `prod`."""
        if ref.startswith("arn:"):
            _, _, rest = ref.partition(f":{kind}/")
            return rest
        return ref

    def _cluster(self, ref: str | None, *, allow_inactive: bool = False) -> Cluster:
        """Resolve a `cluster` parameter (name or ARN; default `default`) or raise ClusterNotFound."""
        ref = ref or "default"
        if ref.startswith("arn:") and ":cluster/" not in ref:
            raise invalid_parameter(f"Invalid identifier: Unexpected ARN type: {ref}")
        found = self.clusters.get(self._short_name(ref, "cluster"))
        if found is None or (found.status == "INACTIVE" and not allow_inactive):
            raise cluster_not_found()
        return found

    # --- paging ----------------------------------------------------------------------------

    @staticmethod
    def _page(items: list[Any], next_token: str | None, max_results: int | None,
              *, default_max: int = 100, limit: int = 100) -> tuple[list[Any], str | None]:
        """Slice a list as AWS list operations do; tokens are plain offsets."""
        if max_results is not None and not 1 <= max_results <= limit:
            raise invalid_parameter(f"maxResults must be between 1 and {limit}.")
        return page_slice(items, next_token, max_results or default_max,
                          lambda: invalid_parameter("Invalid nextToken."))

    def _listed(self, key: str, items: list[Any], next_token: str | None, max_results: int | None,
                **limits: Any) -> dict[str, Any]:
        """A List* response: one page of `items` under `key`, plus `nextToken` when more remain."""
        page, token = self._page(items, next_token, max_results, **limits)
        out: dict[str, Any] = {key: page}
        if token:
            out["nextToken"] = token
        return out

    # --- tags ------------------------------------------------------------------------------

    @staticmethod
    def _check_tags(tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
        tags = list(tags or [])
        if len(tags) > 50:
            raise invalid_parameter("Tags must contain fewer than 50 tags.")
        seen: set[str] = set()
        for tag in tags:
            if not isinstance(tag, dict) or "key" not in tag:
                raise invalid_parameter("Tag keys must not be empty.")
            key, value = tag.get("key", ""), tag.get("value", "")
            if not isinstance(key, str) or not 1 <= len(key) <= 128:
                raise invalid_parameter("Tag keys must be between 1 and 128 characters.")
            if not isinstance(value, str) or len(value) > 256:
                raise invalid_parameter("Tag values must be at most 256 characters.")
            if key.lower().startswith("aws:"):
                raise invalid_parameter("Tag keys beginning with 'aws:' are reserved.")
            if key in seen:
                raise invalid_parameter(f"Duplicate tag key: {key}")
            seen.add(key)
        return tags
