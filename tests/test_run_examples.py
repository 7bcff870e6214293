"""The gates for the examples: plan -> apply -> plan (no changes) -> destroy -> nothing left.

Each step is its own `tfgen` call with SPEC --target (so the module is
rendered from the spec), against the emulator, with providers from the mirror.
"""

from __future__ import annotations

import pytest

from tests.support import EXAMPLES


@pytest.mark.terraform
@pytest.mark.emulator
def test_ecs_example(emulator_lifecycle, tmp_path):
    timings = emulator_lifecycle(
        str(EXAMPLES / "iris-classifier.yaml"), "--target", "aws-ecs", "--modules-dir", str(tmp_path / "modules")
    )
    print("aws-ecs seconds per step:", timings)


@pytest.mark.terraform
@pytest.mark.emulator
def test_lambda_example(emulator_lifecycle, run_cli, tmp_path):
    modules = tmp_path / "modules"
    spec = EXAMPLES / "sentiment-lambda.yaml"
    rendered = run_cli("render", str(spec), "--target", "aws-lambda", "-o", str(modules))
    assert rendered.exit_code == 0, rendered.stderr
    # tfgen built the function's zip from package.source into the module while rendering
    assert (modules / "sentiment-lambda" / "aws-lambda" / "package.zip").is_file()
    timings = emulator_lifecycle(str(spec), "--target", "aws-lambda", "--modules-dir", str(modules))
    print("aws-lambda seconds per step:", timings)


@pytest.mark.terraform
@pytest.mark.emulator
def test_sagemaker_example(emulator_lifecycle, tmp_path):
    # moto accepts ml.m5.large; it cannot tag Application Auto Scaling targets (enable_endpoint_autoscaling=false
    # there) and drops the declared drift (network isolation, VPC config, data capture, deployment config)
    timings = emulator_lifecycle(
        str(EXAMPLES / "xgboost-sagemaker.yaml"),
        "--target",
        "aws-sagemaker",
        "--modules-dir",
        str(tmp_path / "modules"),
    )
    print("aws-sagemaker seconds per step:", timings)


# Issue 12 §3: ECS with a GPU (EC2 launch template from the GPU AMI's public SSM parameter, which moto
# serves; an on-demand and a Spot Auto Scaling group, each with a capacity provider) and ECS on Fargate Spot. moto keeps no placement
# strategy, instance warm-up or capacity-provider strategy and reports a launch template's own tags as a
# tag specification: declared as emulator drift in aws_ecs.TARGET. Two tests, so xdist can run them apart.
@pytest.mark.terraform
@pytest.mark.emulator
def test_ecs_gpu_example(emulator_lifecycle, tmp_path):
    timings = emulator_lifecycle(
        str(EXAMPLES / "whisper-ecs-gpu.yaml"), "--target", "aws-ecs", "--modules-dir", str(tmp_path / "modules")
    )
    print("aws-ecs GPU seconds per step:", timings)


@pytest.mark.terraform
@pytest.mark.emulator
def test_ecs_fargate_spot_example(emulator_lifecycle, tmp_path):
    timings = emulator_lifecycle(
        str(EXAMPLES / "llm-gpu.yaml"), "--target", "aws-ecs", "--modules-dir", str(tmp_path / "modules")
    )
    print("aws-ecs Fargate Spot seconds per step:", timings)


@pytest.mark.terraform
@pytest.mark.emulator
def test_batch_example(emulator_lifecycle, tmp_path):
    # moto 5.2.5 applies Fargate (Spot) compute environments, the queue, the job definition, the
    # schedule and the failed-job rule; it refuses a compute environment without a service role, so the
    # module creates Batch's service-linked role there (batch_creates_service_linked_role=false)
    timings = emulator_lifecycle(
        str(EXAMPLES / "nightly-scoring.yaml"), "--target", "aws-batch", "--modules-dir", str(tmp_path / "modules")
    )
    print("aws-batch seconds per step:", timings)
