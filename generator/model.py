"""The frozen, normalized spec that target mappings read. Pure: no I/O.

`normalize()` takes schema-valid data (one environment already merged in) and
applies every default, so mappings never guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(sorted((mapping or {}).items())))


@dataclass(frozen=True)
class HealthCheck:
    path: str
    interval: int
    timeout: int


@dataclass(frozen=True)
class Container:
    image: str | None
    port: int
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: Mapping[str, str]
    secrets: Mapping[str, str]  # env var name -> secret name in the platform store
    health: HealthCheck


@dataclass(frozen=True)
class Resources:
    cpu: float  # vCPU
    memory: int  # MiB


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    cpu_target: int | None
    concurrency: int | None


@dataclass(frozen=True)
class Network:
    public: bool
    allowed_cidrs: tuple[str, ...]
    vpc: str  # "create" | "existing"
    cidr: str


@dataclass(frozen=True)
class Alarms:
    cpu_percent: int | None
    memory_percent: int | None
    error_rate_percent: float | None
    latency_p99_ms: int | None


@dataclass(frozen=True)
class Observability:
    log_retention_days: int
    tracing: bool
    alarms: Alarms
    notify_emails: tuple[str, ...] = ()  # who every alarm tells (besides each target's own destinations)


@dataclass(frozen=True)
class State:
    backend: str  # local | s3 | gcs | azurerm
    settings: Mapping[str, str]  # backend arguments, without `backend`


@dataclass(frozen=True)
class Spec:
    service: str  # the spec's `name`
    env: str | None
    name: str  # base name for resources: service, or service-env
    description: str
    labels: Mapping[str, str]
    container: Container
    resources: Resources
    scaling: Scaling
    network: Network
    observability: Observability
    targets: Mapping[str, Mapping[str, Any]]  # target name -> its settings (defaults applied)
    state: State
    explicit: frozenset  # dotted paths the user set (for "cannot honour" checks)
    origin: str = ""  # the spec file as given; paths in the spec (package.source) are relative to its folder
    # On the base model only: each environment's model (a target that renders all
    # environments at once, as Kustomize overlays, reads them here).
    environments: Mapping[str, Spec] = field(default_factory=lambda: MappingProxyType({}))
    # On an environment's model: the base model (with `environments`), for the same purpose.
    base: Spec | None = None

    def target(self, name: str) -> Mapping[str, Any]:
        return self.targets[name]


def _explicit_paths(data: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= _explicit_paths(value, path)
    return out


def _deep_freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _deep_freeze(v) for k, v in sorted(value.items())})
    if isinstance(value, list):
        return tuple(_deep_freeze(v) for v in value)
    return value


def normalize(data: Mapping[str, Any], env: str | None = None, origin: str = "") -> Spec:
    # Each target declares its defaults; imported here because targets import this module.
    from .targets import registry
    from .targets.base import apply_defaults

    container = data.get("container") or {}
    health = container.get("health_check") or {}
    resources = data.get("resources") or {}
    scaling = data.get("scaling") or {}
    network = data.get("network") or {}
    obs = data.get("observability") or {}
    alarms = obs.get("alarms") or {}
    state = dict(data.get("state") or {"backend": "local"})
    backend = state.pop("backend")
    targets = {}
    for name, settings in sorted((data.get("targets") or {}).items()):
        targets[name] = _deep_freeze(apply_defaults(registry.get(name).defaults, settings or {}))
    service = data["name"]
    return Spec(
        service=service,
        env=env,
        name=f"{service}-{env}" if env else service,
        description=data.get("description", f"{service} model service"),
        labels=_frozen(data.get("labels")),
        container=Container(
            image=container.get("image"),
            port=container.get("port", 8080),
            command=tuple(container.get("command", ())),
            args=tuple(container.get("args", ())),
            env=_frozen(container.get("env")),
            secrets=_frozen(container.get("secrets")),
            health=HealthCheck(
                path=health.get("path", "/health"),
                interval=health.get("interval", 30),
                timeout=health.get("timeout", 5),
            ),
        ),
        resources=Resources(cpu=float(resources.get("cpu", 1)), memory=resources.get("memory", 2048)),
        scaling=Scaling(
            min=scaling.get("min", 1),
            max=scaling.get("max", 3),
            cpu_target=scaling.get("cpu_target"),
            concurrency=scaling.get("concurrency"),
        ),
        network=Network(
            public=network.get("public", False),
            allowed_cidrs=tuple(network.get("allowed_cidrs", ("10.0.0.0/8",))),
            vpc=network.get("vpc", "create"),
            cidr=network.get("cidr", "10.20.0.0/16"),
        ),
        observability=Observability(
            log_retention_days=obs.get("log_retention_days", 30),
            tracing=obs.get("tracing", True),
            alarms=Alarms(
                cpu_percent=alarms.get("cpu_percent"),
                memory_percent=alarms.get("memory_percent"),
                error_rate_percent=alarms.get("error_rate_percent"),
                latency_p99_ms=alarms.get("latency_p99_ms"),
            ),
            notify_emails=tuple(obs.get("notify_emails", ())),
        ),
        targets=MappingProxyType(targets),
        state=State(backend=backend, settings=_frozen(state)),
        explicit=frozenset(_explicit_paths(data)),
        origin=origin,
    )
