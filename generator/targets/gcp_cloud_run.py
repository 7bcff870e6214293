"""Google Cloud Run (v2 service): limits and the template context."""

from __future__ import annotations

from typing import Any

from ..model import Spec
from . import common

NAME = "gcp-cloud-run"
PROVIDER = "google"
TEMPLATE_DIR = "gcp-cloud-run"

CPUS = (1.0, 2.0, 4.0, 6.0, 8.0)
MEMORY_MIN, MEMORY_MAX = 512, 32768
# memory above the key (MiB) needs at least this many vCPU
MIN_CPU_FOR_MEMORY = ((24576, 8), (16384, 6), (8192, 4), (4096, 2))
# vCPU -> the least memory (MiB) Cloud Run accepts with it
MIN_MEMORY_FOR_CPU = {4.0: 2048, 6.0: 4096, 8.0: 4096}
LOG_RETENTION_MAX = 3650


def check(spec: Spec) -> list[common.Finding]:
    found = common.check_name_length(spec, 26, "the service account id `<name>-run` is at most 30 characters")
    cpu, memory = spec.resources.cpu, spec.resources.memory
    if cpu not in CPUS:
        found.append((("resources", "cpu"), f"Cloud Run supports cpu {', '.join(f'{c:g}' for c in CPUS)}; got {cpu:g}"))
    if not MEMORY_MIN <= memory <= MEMORY_MAX:
        found.append((("resources", "memory"), f"Cloud Run memory is {MEMORY_MIN}-{MEMORY_MAX} MiB; got {memory}"))
    else:
        for above, least in MIN_CPU_FOR_MEMORY:
            if memory > above and cpu < least:
                found.append((("resources", "cpu"), f"Cloud Run needs at least {least} vCPU for more than {above} MiB of memory"))
                break
        if memory < MIN_MEMORY_FOR_CPU.get(cpu, 0):
            found.append((("resources", "memory"), f"Cloud Run needs at least {MIN_MEMORY_FOR_CPU[cpu]} MiB with {cpu:g} vCPU"))
    if spec.network.vpc == "existing" and "vpc_connector" not in spec.target(NAME):
        found.append((("targets", NAME), "network.vpc is `existing`: give `vpc_connector`"))
    found += common.check_any_source_only(spec, "Cloud Run")
    if spec.observability.log_retention_days > LOG_RETENTION_MAX:
        found.append((("observability", "log_retention_days"), f"Cloud Logging buckets keep logs at most {LOG_RETENTION_MAX} days"))
    return found


def context(spec: Spec) -> dict[str, Any]:
    return common.base_context(spec)
