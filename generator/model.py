"""The frozen, normalized spec that target mappings read. Pure: no I/O.

`normalize()` takes schema-valid data (one environment already merged in) and
applies every default, so mappings never guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any


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
    # How long loading the model may take (issue 12 #3); None: each target's own default window.
    startup_seconds: int | None = None
    # Paths the server writes to; each target keeps the root filesystem read-only where it can.
    writable_paths: tuple[str, ...] = ("/tmp",)


@dataclass(frozen=True)
class Gpu:
    type: str  # e.g. nvidia-l4
    count: int


@dataclass(frozen=True)
class Resources:
    cpu: float  # vCPU
    memory: int  # MiB
    architecture: str = "x86_64"  # x86_64 | arm64
    gpu: Gpu | None = None
    spot: bool = False  # run on interruptible capacity where the platform has it


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    cpu_target: int | None
    concurrency: int | None


@dataclass(frozen=True)
class Model:
    """Where the weights live (`model.uri`), parsed: the grant each target renders comes from these parts."""

    uri: str
    scheme: str  # "s3" | "gs" | "azure-blob"
    bucket: str  # S3/GCS bucket, or the Azure blob container
    key: str  # object name or prefix inside it (a prefix ends in "/")
    account: str | None  # Azure storage account
    kms_key: str | None  # AWS KMS key ARN (SSE-KMS), s3 only
    env: str  # environment variable that carries `uri`

    @property
    def is_prefix(self) -> bool:
        return self.key.endswith("/")


def parse_model_uri(uri: str) -> tuple[str, str, str, str | None]:
    """(scheme, bucket or container, key, Azure account) of a schema-valid model URI."""
    if uri.startswith(("s3://", "gs://")):
        bucket, _, key = uri[5:].partition("/")
        return uri[:2], bucket, key, None
    host, _, rest = uri[len("https://") :].partition("/")
    container, _, key = rest.partition("/")
    return "azure-blob", container, key, host.split(".", 1)[0]


@dataclass(frozen=True)
class S3Location:
    """An `s3://` URI of a job's input or output, parsed (the same parsing as `model.uri`)."""

    uri: str
    bucket: str
    key: str  # object key or prefix ("" = the whole bucket; a prefix ends in "/")

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")


def parse_s3_location(uri: str) -> S3Location:
    _scheme, bucket, key, _account = parse_model_uri(uri)
    return S3Location(uri=uri, bucket=bucket, key=key)


@dataclass(frozen=True)
class Job:
    """A batch job (`kind: job`): what it reads and writes, and how it is run.

    The locations are not in `container.env` (unlike the model's): the target passes
    `input.uri` in `input_env` and `output.uri` in `output_env` to the container.
    """

    input: S3Location
    output: S3Location  # always a prefix
    attempts: int  # job.retries: attempts in total, 1-10
    timeout_seconds: int | None  # per attempt; None: no limit
    array_size: int | None  # None: one job, not an array
    schedule: str | None  # EventBridge Scheduler `cron(...)` or `rate(...)`; None: submitted by hand
    input_env: str = "INPUT_URI"  # env vars that carry the locations into the container
    output_env: str = "OUTPUT_URI"


@dataclass(frozen=True)
class Permissions:
    capabilities: tuple[str, ...]
    metrics_namespace: str
    aws: tuple[Mapping[str, Any], ...]  # IAM statements: sid, actions, resources, conditions
    gcp: tuple[Mapping[str, Any], ...]  # role, resource_type, name
    azure: tuple[Mapping[str, Any], ...]  # role, scope

    @property
    def any(self) -> bool:
        return bool(self.capabilities or self.aws or self.gcp or self.azure)


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
    targets: Mapping[str, Mapping[str, Any]]  # target name -> its settings (defaults applied, overrides taken out)
    state: State
    explicit: frozenset  # dotted paths the user set (for "cannot honour" checks)
    origin: str = ""  # the spec file as given; paths in the spec (package.source) are relative to its folder
    # On the base model only: each environment's model (a target that renders all
    # environments at once, as Kustomize overlays, reads them here).
    environments: Mapping[str, Spec] = field(default_factory=lambda: MappingProxyType({}))
    # On an environment's model: the base model (with `environments`), for the same purpose.
    base: Spec | None = None
    model: Model | None = None
    permissions: Permissions = field(default_factory=lambda: Permissions((), "", (), (), ()))
    # Target name -> the model as that target sees it (its `targets.<t>` overrides merged in;
    # generator/overrides.py), only for targets that override something.
    views: Mapping[str, Spec] = field(default_factory=lambda: MappingProxyType({}))
    kind: str = "service"  # "service" | "job"
    job: Job | None = None  # set exactly when kind == "job" (validation refuses a job without it)

    def target(self, name: str) -> Mapping[str, Any]:
        return self.targets[name]

    def for_target(self, name: str) -> Spec:
        """This spec as target `name` renders it: with its overrides, the same environments and base."""
        view = self.views.get(name)
        if view is None:
            return self
        return replace(view, environments=self.environments, base=self.base, views=MappingProxyType({}))


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
    from .overrides import settings_only
    from .targets import registry
    from .targets.base import apply_defaults

    container = data.get("container") or {}
    health = container.get("health_check") or {}
    resources = data.get("resources") or {}
    scaling = data.get("scaling") or {}
    network = data.get("network") or {}
    obs = data.get("observability") or {}
    alarms = obs.get("alarms") or {}
    model = data.get("model")
    job = data.get("job")
    permissions = data.get("permissions") or {}
    state = dict(data.get("state") or {"backend": "local"})
    backend = state.pop("backend")
    targets = {}
    for name, settings in sorted((data.get("targets") or {}).items()):
        targets[name] = _deep_freeze(apply_defaults(registry.get(name).defaults, settings_only(settings or {})))
    service = data["name"]
    return Spec(
        service=service,
        env=env,
        name=f"{service}-{env}" if env else service,
        description=data.get(
            "description", f"{service} batch job" if data.get("kind") == "job" else f"{service} model service"
        ),
        labels=_frozen(data.get("labels")),
        container=Container(
            image=container.get("image"),
            port=container.get("port", 8080),
            command=tuple(container.get("command", ())),
            args=tuple(container.get("args", ())),
            # The model's location reaches the container as one more plain variable (model.env).
            env=_frozen(
                {
                    **(container.get("env") or {}),
                    **({model.get("env", "MODEL_URI"): model["uri"]} if model and "uri" in model else {}),
                }
            ),
            secrets=_frozen(container.get("secrets")),
            health=HealthCheck(
                path=health.get("path", "/health"),
                interval=health.get("interval", 30),
                timeout=health.get("timeout", 5),
            ),
            startup_seconds=container.get("startup_seconds"),
            writable_paths=tuple(container.get("writable_paths", ("/tmp",))),
        ),
        resources=Resources(
            cpu=float(resources.get("cpu", 1)),
            memory=resources.get("memory", 2048),
            architecture=resources.get("architecture", "x86_64"),
            gpu=Gpu(type=resources["gpu"]["type"], count=resources["gpu"].get("count", 1))
            if resources.get("gpu")
            else None,
            spot=resources.get("spot", False),
        ),
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
        model=_model(model) if model and "uri" in model else None,
        permissions=Permissions(
            capabilities=tuple(sorted(permissions.get("capabilities", ()))),
            metrics_namespace=permissions.get("metrics_namespace", service),
            aws=tuple(_deep_freeze(s) for s in permissions.get("aws", ())),
            gcp=tuple(_deep_freeze(r) for r in permissions.get("gcp", ())),
            azure=tuple(_deep_freeze(r) for r in permissions.get("azure", ())),
        ),
        kind=data.get("kind", "service"),
        job=_job(job) if data.get("kind") == "job" and job else None,
    )


def _model(model: Mapping[str, Any]) -> Model:
    scheme, bucket, key, account = parse_model_uri(model["uri"])
    return Model(
        uri=model["uri"],
        scheme=scheme,
        bucket=bucket,
        key=key,
        account=account,
        kms_key=model.get("kms_key"),
        env=model.get("env", "MODEL_URI"),
    )


def _job(job: Mapping[str, Any]) -> Job:
    return Job(
        input=parse_s3_location(job["input"]),
        output=parse_s3_location(job["output"]),
        attempts=job.get("retries", 1),
        timeout_seconds=job.get("timeout_seconds"),
        array_size=job.get("array_size"),
        schedule=job.get("schedule"),
        input_env=job.get("input_env", Job.input_env),
        output_env=job.get("output_env", Job.output_env),
    )
