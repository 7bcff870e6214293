"""Azure Container Instances: limits and the template context."""

from __future__ import annotations

from typing import Any

from ..model import Spec
from . import common

NAME = "azure-aci"
PROVIDER = "azurerm"
TEMPLATE_DIR = "azure-aci"

CPU_MAX = 4
MEMORY_MAX = 16384
MEMORY_STEP = 512  # memory_in_gb in half-GB steps keeps the mapping exact
LOG_RETENTION = (30, 730)  # Log Analytics workspace retention, days


def check(spec: Spec) -> list[common.Finding]:
    found = common.check_name_length(spec, 63, "container group names are at most 63 characters")
    scaling = spec.scaling
    asked = common.explicit(spec, "scaling")
    if asked and (scaling.max > 1 or scaling.min > 1 or scaling.cpu_target is not None or scaling.concurrency is not None):
        found.append((("scaling",), "Azure Container Instances has no autoscaling; remove `scaling` (or set min and max to 1) for this target"))
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu > CPU_MAX or (cpu * 2) != int(cpu * 2):
        found.append((("resources", "cpu"), f"ACI cpu is 0.5-{CPU_MAX} in steps of 0.5; got {cpu:g}"))
    if memory > MEMORY_MAX or memory % MEMORY_STEP:
        found.append((("resources", "memory"), f"ACI memory is {MEMORY_STEP}-{MEMORY_MAX} MiB in steps of {MEMORY_STEP}; got {memory}"))
    if spec.observability.tracing:
        found.append((("observability", "tracing"), "Container Instances has no built-in tracing; set observability.tracing: false for this target"))
    for metric in ("error_rate_percent", "latency_p99_ms"):
        if getattr(spec.observability.alarms, metric) is not None:
            found.append((("observability", "alarms", metric), "Container Instances publishes no request metrics; remove this alarm"))
    low, high = LOG_RETENTION
    if not low <= spec.observability.log_retention_days <= high:
        found.append((("observability", "log_retention_days"), f"a Log Analytics workspace keeps logs {low}-{high} days"))
    if spec.network.vpc == "existing" and "subnet_id" not in spec.target(NAME):
        found.append((("targets", NAME), "network.vpc is `existing`: give `subnet_id` (a subnet delegated to Microsoft.ContainerInstance)"))
    found += common.check_any_source_only(spec, "Container Instances")
    return found


def context(spec: Spec) -> dict[str, Any]:
    return common.base_context(spec)
