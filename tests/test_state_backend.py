"""Issue 10 #14: each state backend takes only its own fields; switching backend in an
environment replaces `state` whole, so no field of the base's backend leaks into another."""

from __future__ import annotations

import io

import hcl2
import pytest

from generator import pipeline
from generator.errors import SpecError

HEAD = "name: demo-svc\ncontainer: {image: ghcr.io/example/demo:1.0}\ntargets:\n  aws-ecs: {region: us-east-1}\n"


def _spec(tmp_path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    return path


def _backend_block(spec, target: str = "aws-ecs") -> tuple[str, dict]:
    files, _ = pipeline.render_spec(spec, [target])
    (backend_tf,) = [text for path, text in files.items() if path.name == "backend.tf"]
    (backend,) = hcl2.load(io.StringIO(backend_tf))["terraform"][0]["backend"]
    ((kind, settings),) = backend.items()
    # hcl2 wraps attribute values in lists and keeps string literals quoted
    return kind, {
        key: value[0].strip('"') if isinstance(value[0], str) else value[0]
        for key, value in settings.items()
        if not key.startswith("__")
    }


@pytest.mark.parametrize(
    "state, field, takes",
    [
        ("{backend: local, path: s/dev.tfstate, bucket: b-tfstate}", "bucket", "the local backend takes `path`"),
        (
            "{backend: s3, bucket: b-tfstate, key: k, region: us-east-1, path: s/x.tfstate}",
            "path",
            "the s3 backend takes `bucket`, `key` and `region` (all required)",
        ),
        (
            (
                "{backend: azurerm, resource_group_name: rg, storage_account_name: st123, container_name: tfstate, key: k, "
                "path: s/x.tfstate}"
            ),
            "path",
            "the azurerm backend takes `resource_group_name`, `storage_account_name`",
        ),
        (
            "{backend: gcs, bucket: b-tfstate, region: us-east-1}",
            "region",
            "the gcs backend takes `bucket` and `prefix` (`bucket` required)",
        ),
    ],
)
def test_a_field_of_another_backend_is_one_located_error(tmp_path, run_cli, state, field, takes):
    path = _spec(tmp_path, f"state: {state}\n")
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:5:"), line
    assert f": state.{field}: not allowed here: {takes}" in line, line


def test_switching_backend_in_an_environment_replaces_state_whole(tmp_path):
    path = _spec(
        tmp_path,
        "state: {backend: local, path: state/dev.tfstate}\n"
        "environments:\n  prod:\n"
        "    state: {backend: s3, bucket: demo-tfstate, key: demo/prod.tfstate, region: us-east-1}\n",
    )
    prod = pipeline.load_spec(path, "prod")
    kind, settings = _backend_block(prod)
    assert kind == "s3"
    assert "path" not in settings  # was rendered as `path = "state/dev.tfstate"` inside backend "s3"
    assert {settings[k] for k in ("bucket", "key", "region")} == {"demo-tfstate", "demo/prod.tfstate", "us-east-1"}
    assert _backend_block(pipeline.load_spec(path, None)) == ("local", {"path": "state/dev.tfstate"})


def test_the_same_backend_in_an_environment_still_merges(tmp_path):
    path = _spec(
        tmp_path,
        "state: {backend: s3, bucket: demo-tfstate, key: demo/dev.tfstate, region: us-east-1}\n"
        "environments:\n  prod:\n    state: {backend: s3, key: demo/prod.tfstate}\n",
    )
    kind, settings = _backend_block(pipeline.load_spec(path, "prod"))
    assert (kind, settings["bucket"], settings["key"]) == ("s3", "demo-tfstate", "demo/prod.tfstate")


def test_an_overlay_field_foreign_to_the_inherited_backend_points_at_the_overlay(tmp_path):
    path = _spec(
        tmp_path,
        "state: {backend: local, path: state/dev.tfstate}\nenvironments:\n  prod:\n    state: {bucket: demo-tfstate}\n",
    )
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path, "prod")
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (8, "state.bucket")
    assert problem.message == "not allowed here: the local backend takes `path`"


def test_switching_backend_must_bring_its_required_fields(tmp_path):
    path = _spec(
        tmp_path,
        "state: {backend: s3, bucket: demo-tfstate, key: demo/dev.tfstate, region: us-east-1}\n"
        "environments:\n  prod:\n    state: {backend: gcs}\n",
    )
    with pytest.raises(SpecError) as caught:
        pipeline.load_spec(path, "prod")
    (problem,) = caught.value.problems
    assert (problem.line, problem.path, problem.message) == (8, "state", "missing required field `bucket`")
