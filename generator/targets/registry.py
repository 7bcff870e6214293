"""The one table of platforms: target name -> its mapping module.

A new platform is a new template folder plus a module here beside its
siblings that defines NAME, PROVIDER, TEMPLATE_DIR, check() and context().
"""

from __future__ import annotations

from types import ModuleType

from . import aws_ecs, aws_lambda, azure_aci, gcp_cloud_run

TARGETS: dict[str, ModuleType] = {m.NAME: m for m in (aws_ecs, aws_lambda, gcp_cloud_run, azure_aci)}


def get(name: str) -> ModuleType:
    return TARGETS[name]
