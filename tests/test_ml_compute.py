"""Issue 12 #3: the model-load window, writable paths, arm64, Spot and GPUs, mapped per target
or refused with a located error where a platform cannot honour them.

The gates (fmt, lint, terraform validate, Checkov) run over each target's
`all-features` variant, which sets these fields, in tests/test_conformance.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.errors import SpecError
from generator.model import Gpu
from generator.targets import aws_common, aws_sagemaker, registry
from generator.targets.common import targets_that_can
from tests.hclread import resources
from tests.support import write_module, write_variant_spec


def _spec_data(target: str, container: dict | None = None, resources_: dict | None = None) -> dict:
    """The target's minimal variant with the given container/resources fields."""
    minimal = registry.get(target).variants["minimal"]
    data = {
        "name": "svc",
        "container": {**minimal.get("container", {}), **(container or {})},
        "targets": json.loads(json.dumps(minimal["targets"])),
    }
    for section in ("package", "observability"):
        if section in minimal:
            data[section] = minimal[section]
    if resources_:
        data["resources"] = resources_
    return data


def _load(tmp_path: Path, data: dict):
    return pipeline.load_spec(write_variant_spec(tmp_path, "spec", data))


def _render(tmp_path: Path, target: str, **kw) -> Path:
    spec = _load(tmp_path, _spec_data(target, **kw))
    return write_module(spec, registry.get(target), tmp_path / "out")


def _refused(tmp_path: Path, target: str, where: str, *words: str, **kw) -> str:
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, _spec_data(target, **kw))
    message = str(caught.value)
    assert f"{where}:" in message, message
    for word in words:
        assert word in message, message
    return message


def _ecs_service(module: Path) -> dict:
    return resources(module, "aws_ecs_service")["this"]


# ---------------------------------------------------------------- container.startup_seconds


def test_ecs_grace_period_covers_a_90_second_model_load(tmp_path):
    module = _render(
        tmp_path, "aws-ecs", container={"startup_seconds": 90, "health_check": {"interval": 30, "timeout": 5}}
    )
    grace = _ecs_service(module)["health_check_grace_period_seconds"]
    assert grace >= 90
    # plus the two checks the target group needs to call the loaded task healthy
    assert grace == 90 + 2 * 30
    assert "150 s after a task starts (container.startup\\_seconds 90 s" in (module / "README.md").read_text()


def test_ecs_grace_period_default_unchanged(tmp_path):
    assert _ecs_service(_render(tmp_path, "aws-ecs"))["health_check_grace_period_seconds"] == 60


def test_cloud_run_startup_probe_waits_beyond_240_seconds(tmp_path):
    module = _render(tmp_path, "gcp-cloud-run", container={"startup_seconds": 400})
    probe = resources(module, "google_cloud_run_v2_service")["this"]["template"][0]["containers"][0]["startup_probe"][0]
    assert probe["initial_delay_seconds"] == 160
    assert probe["initial_delay_seconds"] + probe["period_seconds"] * probe["failure_threshold"] >= 400


def test_cloud_run_refuses_a_window_beyond_its_limits(tmp_path):
    _refused(
        tmp_path, "gcp-cloud-run", "container.startup_seconds", "at most 480 s", container={"startup_seconds": 481}
    )


def test_aci_liveness_delay_from_the_shared_field(tmp_path):
    module = _render(tmp_path, "azure-aci", container={"startup_seconds": 333})
    text = (module / "main.tf").read_text()
    assert "initial_delay_seconds = 333" in text


def test_aci_own_startup_seconds_still_works(tmp_path):
    data = _spec_data("azure-aci")
    data["targets"]["azure-aci"]["startup_seconds"] = 222
    module = write_module(_load(tmp_path, data), registry.get("azure-aci"), tmp_path / "out")
    assert "initial_delay_seconds = 222" in (module / "main.tf").read_text()


def test_lambda_refuses_a_window_beyond_its_init_phase(tmp_path):
    _refused(tmp_path, "aws-lambda", "container.startup_seconds", "at most 10 s", container={"startup_seconds": 90})


def _k8s_objects(module: Path) -> dict:
    return {
        o["kind"]: o
        for o in (yaml.safe_load(p.read_text()) for p in (module / "base").glob("*.yaml"))
        if isinstance(o, dict) and "kind" in o
    }


def test_kubernetes_startup_probe_from_the_shared_field(tmp_path):
    data = _spec_data("kubernetes", container={"startup_seconds": 600})
    data["targets"]["kubernetes"] = {"startup_seconds": 30}  # the shared field wins
    module = write_module(_load(tmp_path, data), registry.get("kubernetes"), tmp_path / "out")
    container = _k8s_objects(module)["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    probe = container["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 600
    assert probe["periodSeconds"] * (probe["failureThreshold"] - 1) < 600


# ---------------------------------------------------------------- container.writable_paths

CACHE = "/home/app/.cache/huggingface"


def test_ecs_each_writable_path_gets_a_volume_and_the_root_stays_read_only(tmp_path):
    module = _render(tmp_path, "aws-ecs", container={"writable_paths": ["/tmp", CACHE]})
    task = resources(module, "aws_ecs_task_definition")["this"]
    assert [v["name"] for v in task["volume"]] == ["tmp", "home-app-cache-huggingface"]
    text = (module / "main.tf").read_text()
    assert "readonlyRootFilesystem = true" in text
    assert (
        '{ sourceVolume = "home-app-cache-huggingface", containerPath = "/home/app/.cache/huggingface", readOnly = false }'
        in text
    )
    assert '{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }' in text


def test_ecs_volume_names_stay_distinct(tmp_path):
    module = _render(tmp_path, "aws-ecs", container={"writable_paths": ["/a.b", "/a-b"]})
    assert [v["name"] for v in resources(module, "aws_ecs_task_definition")["this"]["volume"]] == ["a-b", "a-b-2"]


def test_kubernetes_emptydir_per_shared_writable_path(tmp_path):
    module = _render(tmp_path, "kubernetes", container={"writable_paths": ["/tmp", CACHE]})
    pod = _k8s_objects(module)["Deployment"]["spec"]["template"]["spec"]
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert {"/tmp", CACHE} <= mounts
    assert sum("emptyDir" in v for v in pod["volumes"]) == 2


def test_lambda_refuses_a_writable_path_other_than_tmp(tmp_path):
    _refused(
        tmp_path,
        "aws-lambda",
        "container.writable_paths[1]",
        "only /tmp",
        container={"writable_paths": ["/tmp", CACHE]},
    )


# ---------------------------------------------------------------- resources.architecture


def test_ecs_arm64_runtime_platform(tmp_path):
    module = _render(tmp_path, "aws-ecs", resources_={"architecture": "arm64"})
    platform = resources(module, "aws_ecs_task_definition")["this"]["runtime_platform"][0]
    assert platform["cpu_architecture"] == "ARM64"


def test_lambda_arm64_architectures(tmp_path):
    module = _render(tmp_path, "aws-lambda", resources_={"architecture": "arm64"})
    assert resources(module, "aws_lambda_function")["this"]["architectures"] == ["arm64"]
    default = _render(tmp_path / "x86", "aws-lambda")
    assert "architectures" not in resources(default, "aws_lambda_function")["this"]


@pytest.mark.parametrize("target", ["gcp-cloud-run", "azure-aci", "kubernetes"])
def test_arm64_refused_elsewhere(tmp_path, target):
    _refused(tmp_path, target, "resources.architecture", "aws-ecs, aws-lambda", resources_={"architecture": "arm64"})


# ---------------------------------------------------------------- resources.spot


def test_ecs_spot_capacity_provider_strategy(tmp_path):
    module = _render(tmp_path, "aws-ecs", resources_={"spot": True})
    service = _ecs_service(module)
    assert "launch_type" not in service
    strategy = {s["capacity_provider"]: s for s in service["capacity_provider_strategy"]}
    assert strategy["FARGATE"]["base"] == 1 and strategy["FARGATE"]["weight"] == 1
    assert strategy["FARGATE_SPOT"]["weight"] == 3
    providers = resources(module, "aws_ecs_cluster_capacity_providers")["this"]
    assert providers["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert "${aws_ecs_cluster_capacity_providers.this}" in service["depends_on"]


def test_ecs_without_spot_stays_on_fargate(tmp_path):
    module = _render(tmp_path, "aws-ecs")
    assert _ecs_service(module)["launch_type"] == "FARGATE"
    assert resources(module, "aws_ecs_cluster_capacity_providers") == {}


@pytest.mark.parametrize(
    "target, why",
    [
        ("azure-aci", "inbound connections"),
        ("gcp-cloud-run", "no Spot"),
        ("aws-lambda", "no interruptible"),
        ("kubernetes", "node pools"),
    ],
)
def test_spot_refused_elsewhere(tmp_path, target, why):
    _refused(tmp_path, target, "resources.spot", why, "targets that can: aws-ecs", resources_={"spot": True})


# ---------------------------------------------------------------- resources.gpu

GPU = {"type": "nvidia-l4", "count": 1}


def test_cloud_run_gpu(tmp_path):
    module = _render(tmp_path, "gcp-cloud-run", resources_={"cpu": 4, "memory": 16384, "gpu": GPU})
    template = resources(module, "google_cloud_run_v2_service")["this"]["template"][0]
    assert template["node_selector"][0]["accelerator"] == "nvidia-l4"
    assert template["gpu_zonal_redundancy_disabled"] is True
    limits = template["containers"][0]["resources"][0]
    assert limits["limits"] == {"cpu": "4", "memory": "16384Mi", "nvidia.com/gpu": "1"}
    assert limits["cpu_idle"] is False


def test_cloud_run_without_gpu_keeps_request_billing(tmp_path):
    template = resources(_render(tmp_path, "gcp-cloud-run"), "google_cloud_run_v2_service")["this"]["template"][0]
    assert "node_selector" not in template and "gpu_zonal_redundancy_disabled" not in template
    assert template["containers"][0]["resources"][0]["cpu_idle"] is True


def test_cloud_run_gpu_needs_its_minimum_size(tmp_path):
    message = _refused(
        tmp_path, "gcp-cloud-run", "resources.cpu", "at least 4 vCPU", resources_={"cpu": 2, "memory": 8192, "gpu": GPU}
    )
    assert "resources.memory:" in message and "16384" in message


@pytest.mark.parametrize(
    "field, value, where", [("type", "nvidia-t4", "resources.gpu.type"), ("count", 2, "resources.gpu.count")]
)
def test_cloud_run_gpu_type_and_count(tmp_path, field, value, where):
    _refused(tmp_path, "gcp-cloud-run", where, resources_={"cpu": 4, "memory": 16384, "gpu": {**GPU, field: value}})


@pytest.mark.parametrize("target", ["aws-lambda", "azure-aci"])
def test_gpu_refused_where_there_is_none(tmp_path, target):
    can = targets_that_can("gpu")  # the registered targets whose variants use resources.gpu
    assert "gcp-cloud-run" in can and "kubernetes" in can and "aws-ecs" in can and target not in can
    _refused(tmp_path, target, "resources.gpu", f"targets that can: {can}", resources_={"gpu": GPU})


def test_kubernetes_gpu_from_the_shared_field(tmp_path):
    data = _spec_data("kubernetes", resources_={"gpu": {"type": "nvidia-l4", "count": 2}})
    data["targets"]["kubernetes"] = {"cloud": "gke"}
    module = write_module(_load(tmp_path, data), registry.get("kubernetes"), tmp_path / "out")
    pod = _k8s_objects(module)["Deployment"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] in (2, "2")
    assert "nvidia-l4" in json.dumps(pod["nodeSelector"])


def test_all_features_variants_use_the_new_fields():
    """The conformance suite's gates cover these fields through each target's all-features variant."""
    ecs = registry.get("aws-ecs").variants["all-features"]
    assert (
        ecs["container"]["startup_seconds"] and ecs["resources"]["spot"] and ecs["resources"]["architecture"] == "arm64"
    )
    assert len(ecs["container"]["writable_paths"]) > 1
    assert registry.get("gcp-cloud-run").variants["all-features"]["resources"]["gpu"] == GPU
    assert registry.get("aws-lambda").variants["all-features"]["resources"]["architecture"] == "arm64"
    assert math.isfinite(registry.get("azure-aci").variants["all-features"]["container"]["startup_seconds"])


# ---------------------------------------------------------------- GPU instances on EC2 (aws_common)


@pytest.mark.parametrize(
    "gpu, count, cpu, memory, expected",
    [
        ("nvidia-t4", 1, 2, 8192, "g4dn.xlarge"),
        # 16 GiB installed leaves no room for the agent and the system beside a 16 GiB task
        ("nvidia-t4", 1, 4, 16384, "g4dn.2xlarge"),
        ("nvidia-t4", 1, 4, int(16384 * 0.9), "g4dn.xlarge"),
        # every registered vCPU goes to tasks: 4 vCPU fits a 4-vCPU instance
        ("nvidia-a10g", 1, 4, 8192, "g5.xlarge"),
        ("nvidia-a10g", 1, 5, 8192, "g5.2xlarge"),
        ("nvidia-l4", 1, 1, 2048, "g6.xlarge"),
        # fewest GPUs first: one GPU and 64 vCPU (16xlarge) before four GPUs and 48 vCPU (12xlarge)
        ("nvidia-l4", 1, 40, 8192, "g6.16xlarge"),
        ("nvidia-a10g", 4, 4, 8192, "g5.12xlarge"),
        ("nvidia-a10g", 2, 4, 8192, "g5.12xlarge"),
        ("nvidia-l40s", 1, 4, 24576, "g6e.xlarge"),
        ("nvidia-v100", 1, 8, 32768, "p3.2xlarge"),
        ("nvidia-a100", 8, 8, 8192, "p4d.24xlarge"),
        ("nvidia-h100", 1, 8, 8192, "p5.48xlarge"),
    ],
)
def test_gpu_instance_type_is_the_smallest_that_fits(gpu, count, cpu, memory, expected):
    assert aws_common.gpu_instance_type(Gpu(gpu, count), cpu, memory) == expected


@pytest.mark.parametrize(
    "gpu, count, cpu, memory",
    [
        ("nvidia-t4", 8, 4, 8192),  # g4dn has at most 4 GPUs (bare metal left out)
        ("nvidia-t4", 1, 96, 8192),
        ("nvidia-a10g", 1, 4, 768 * 1024),
        ("nvidia-l4-typo", 1, 1, 2048),
    ],
)
def test_gpu_instance_type_is_none_when_nothing_fits(gpu, count, cpu, memory):
    assert aws_common.gpu_instance_type(Gpu(gpu, count), cpu, memory) is None


def test_gpu_types_use_the_names_sagemaker_uses():
    assert set(aws_sagemaker.GPU_TYPES) <= set(aws_common.GPU_TYPES)
    assert aws_common.gpu_instance_family("nvidia-t4") == "g4dn" and aws_common.gpu_instance_family("x") is None
    for sizes in aws_common.GPU_INSTANCES.values():
        assert len({name.split(".")[0] for name in sizes}) == 1  # one family per GPU type
