"""Schema patterns read as ECMA-262 (what editors do): a trailing line break never passes.

Python's `re` lets `$` match before a final "\\n"; the spec's patterns are
checked with an ECMA engine instead. Every string and every key of a few
valid specs (together reaching every `pattern` in the schema) gets a trailing
"\\n", "\\r" and "\\u2028": each must give exactly one located error at that
field, unless the field is free text (which the HCL encoder escapes).
"""

from __future__ import annotations

import copy
import itertools
import textwrap
from typing import Any

import pytest
import yaml

from generator import validate as validate_module
from generator.errors import SpecError
from generator.spec import dotted, load_bytes
from generator.targets import registry
from generator.validate import validate
from tests.support import REPO

KEY_VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-demo"
)
SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.Network/virtualNetworks/vnet-demo/subnets/sn-demo"
)

# valid specs that together hold a value for every patterned field in the schema
VARIANTS = {
    "ecs-existing-network": """
        name: demo-svc
        description: demo service
        labels: {team: ml}
        container:
          image: ghcr.io/example/demo:1.0
          command: [serve]
          args: [--port, "8080"]
          env: {LOG_LEVEL: info}
          secrets: {TOKEN: demo-token}
          health_check: {path: /healthz}
        network: {public: true, vpc: existing, allowed_cidrs: [10.0.0.0/8]}
        observability: {notify_emails: [ops@example.com], alarms: {cpu_percent: 80}}
        targets:
          aws-ecs:
            region: us-east-1
            certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc-123
            network:
              vpc_id: vpc-0123456789abcdef0
              private_subnet_ids: [subnet-01234567]
              public_subnet_ids: [subnet-11111111, subnet-22222222]
        state: {backend: local, path: state/dev.tfstate}
        environments:
          prod: {scaling: {min: 2}}
    """,
    "lambda-and-cloud-run": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0}
        network: {cidr: 10.20.0.0/16}
        targets:
          aws-lambda:
            region: us-east-1
            package: {type: zip, filename: build/f.zip, handler: app.handler, runtime: python3.12}
            alarm_topic_arns: ["arn:aws:sns:us-east-1:123456789012:ops-alerts"]
          gcp-cloud-run:
            project: demo-project
            region: europe-west1
            invokers: ["group:ml@example.com"]
            notification_channels: [projects/demo-project/notificationChannels/123]
            kms_key: projects/demo-project/locations/europe-west1/keyRings/ring/cryptoKeys/key
        state: {backend: s3, bucket: demo-tfstate, key: demo/terraform.tfstate, region: us-east-1}
    """,
    "lambda-zip-from-source": """
        name: demo-svc
        targets:
          aws-lambda:
            region: us-east-1
            package: {type: zip, source: examples/sentiment-lambda, handler: app.handler, runtime: python3.12}
    """,
    "kubernetes": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0, secrets: {TOKEN: demo-token}}
        targets:
          kubernetes:
            cloud: gke
            identity: model-serving@demo-project.iam.gserviceaccount.com
            namespace: models
            gpu: {type: nvidia-tesla-t4}
            ingress: {host: demo.example.com, class_name: nginx, tls_secret: demo-tls, controller_namespace: ingress-nginx}
            image_pull_secrets: [registry-creds]
            writable_paths: [/tmp, /var/cache]
            secret_key: value
            secret_store: {name: vault-store, kind: ClusterSecretStore, refresh_interval: 15m}
    """,
    "cloud-run-existing-network": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0, writable_paths: [/tmp, /home/app/.cache]}
        resources: {cpu: 4, memory: 16384, gpu: {type: nvidia-l4}}
        network: {vpc: existing}
        targets:
          gcp-cloud-run:
            project: demo-project
            region: europe-west1
            vpc_connector: projects/demo-project/locations/europe-west1/connectors/conn
        state: {backend: gcs, bucket: demo-tfstate, prefix: demo/state}
    """,
    "aci-existing-network": f"""
        name: demo-svc
        container: {{image: ghcr.io/example/demo:1.0}}
        network: {{vpc: existing}}
        observability: {{tracing: false}}
        targets:
          azure-aci:
            location: westeurope
            resource_group: {{name: rg-demo}}
            key_vault_id: {KEY_VAULT}
            subnet_id: {SUBNET}
            encryption_key: tfgen-cmk
            action_group_ids: [/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ops]
        state: {{backend: azurerm, resource_group_name: rg-tfstate, storage_account_name: sttfstate,
                 container_name: tfstate, key: demo.tfstate}}
    """,
    "ml-model-aws": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0}
        model: {uri: "s3://demo-models/iris/v1/", kms_key: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab", env: MODEL_LOCATION}
        permissions:
          capabilities: [metrics]
          metrics_namespace: ml/demo
          aws:
            - sid: ReadFeatures
              actions: ["dynamodb:GetItem"]
              resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/features"]
              conditions: [{test: StringEquals, variable: "aws:RequestedRegion", values: [us-east-1]}]
        targets:
          aws-ecs:
            region: us-east-1
            resources: {cpu: 0.5, memory: 1024}
    """,
    "cloud-backend-by-name": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0}
        targets:
          aws-ecs: {region: us-east-1}
        state: {backend: cloud, organization: ml-platform, hostname: tfe.example.com, project: serving,
                workspace: demo-svc-ecs}
    """,
    "cloud-backend-by-tags": """
        name: demo-svc
        container: {image: ghcr.io/example/demo:1.0}
        targets:
          aws-ecs: {region: us-east-1}
        state: {backend: cloud, organization: ml-platform, workspace_tags: [ml-serving]}
    """,
    "ml-model-gcp-azure": f"""
        name: demo-svc
        container: {{image: ghcr.io/example/demo:1.0}}
        observability: {{tracing: false}}
        model: {{uri: "gs://demo-models/iris/model.pkl"}}
        permissions:
          gcp: [{{role: roles/pubsub.publisher, resource_type: topic, name: predictions}}]
          azure: [{{role: Storage Queue Data Message Sender, scope: {KEY_VAULT}}}]
        targets:
          gcp-cloud-run:
            project: demo-project
            region: europe-west1
          azure-aci:
            location: westeurope
            resource_group: {{name: rg-demo}}
            key_vault_id: {KEY_VAULT}
            model: {{uri: "https://demomodels.blob.core.windows.net/models/iris/model.pkl"}}
            model_storage_account_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/demomodels
    """,
    "batch-job": """
        name: demo-job
        kind: job
        container: {image: ghcr.io/example/demo:1.0}
        job: {input: s3://demo-in/batch/in.jsonl, output: s3://demo-out/scores/, schedule: cron(0 2 * * ? *), input_env: INPUT_PATH, output_env: OUTPUT_PATH}
        targets:
          aws-batch: {region: us-east-1}
        environments:
          prod: {job: {input: s3://demo-in/prod/, schedule: rate(1 day)}}
    """,
}

FREE_TEXT = {"description", "container.env.LOG_LEVEL", "container.command[0]", "container.args[0]", "container.args[1]"}
SUFFIXES = ["\n", "\r", "\u2028"]


def _strings(data: Any, path: tuple = ()):
    """(path, is_key) of every string value and every mapping key."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield path + (key,), True
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, path + (i,))
    elif isinstance(data, str):
        yield path, False


def _mutated(data: Any, path: tuple, is_key: bool, suffix: str) -> Any:
    if not path:
        return data + suffix
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        return [(_mutated(v, rest, is_key, suffix) if i == head else v) for i, v in enumerate(data)]
    out = {}
    for key, value in data.items():
        if key == head and not rest and is_key:
            out[key + suffix] = value
        elif key == head:
            out[key] = _mutated(value, rest, is_key, suffix)
        else:
            out[key] = value
    return out


def _load(text: str):
    # named as if in the repository root, so package.source can name an example's folder
    return load_bytes(textwrap.dedent(text).encode(), str(REPO / "spec.yaml"))


def _cases():
    for variant, text in VARIANTS.items():
        for path, is_key in _strings(_load(text).data):
            yield variant, path, is_key


def _schema_patterns(node: Any, pointer: tuple = ()) -> dict[int, tuple]:
    """Every schema object holding a `pattern` keyword: id(object) -> its JSON pointer."""
    found = {}
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found[id(node)] = pointer
        for key, value in node.items():
            found.update(_schema_patterns(value, pointer + (key,)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.update(_schema_patterns(value, pointer + (str(i),)))
    return found


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_is_valid(variant):
    validate(_load(VARIANTS[variant]))


def test_every_schema_pattern_is_reached_by_a_mutated_field():
    """Coverage of VARIANTS: when the schema gains a pattern, give a variant a valid value for it."""
    hit = set()
    # the hand-written VARIANTS above, plus every registered target's declared variants, so a new
    # target's fields are reached by declaring variants (as the conformance suite is)
    corpus = [_load(text).data for text in VARIANTS.values()]
    corpus += [copy.deepcopy(dict(spec)) for target in registry.TARGETS for spec in target.variants.values()]
    cases = [(data, path, is_key) for data in corpus for path, is_key in _strings(data)]
    for (data, path, is_key), suffix in itertools.product(cases, SUFFIXES):
        data = _mutated(data, path, is_key, suffix)
        for error in validate_module._validator().iter_errors(data):
            for leaf in [error, *error.context]:
                if leaf.validator == "pattern":
                    hit.add(id(leaf.schema))  # the very schema object that holds the pattern
    patterns = _schema_patterns(validate_module.schema())
    unreached = sorted(pointer for key, pointer in patterns.items() if key not in hit)
    assert unreached == [], "give a variant in VARIANTS a valid value for each of these schema patterns"


@pytest.mark.parametrize("suffix", SUFFIXES, ids=repr)
@pytest.mark.parametrize("variant, path, is_key", list(_cases()))
def test_trailing_line_break_gives_one_located_error(variant, path, is_key, suffix):
    data = _mutated(_load(VARIANTS[variant]).data, path, is_key, suffix)
    text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1000)
    loaded = load_bytes(text.encode(), str(REPO / "spec.yaml"))
    assert loaded.data == data  # the YAML round trip kept the mutation
    mutated_path = path[:-1] + (path[-1] + suffix,) if is_key else path
    if not is_key and dotted(path) in FREE_TEXT:
        validate(loaded)  # free text: accepted, the encoder escapes it
        return
    with pytest.raises(SpecError) as caught:
        validate(loaded)
    problems = caught.value.problems
    if is_key:  # renaming a required field also reports the missing one
        problems = [p for p in problems if not p.message.startswith("missing required field")]
    (problem,) = problems
    line = loaded.positions[mutated_path][0]
    assert problem.line == line, str(problem)
    if path[:2] == ("container", "secrets") and len(path) == 3 and is_key:
        assert problem.path == "container.secrets"  # the key is not echoed either
    elif path[0] == "environments" and len(path) > 3:
        assert problem.path == dotted(mutated_path[2:])  # an overlay's field is named as in the merged spec
    else:
        assert problem.path == dotted(mutated_path)
    assert "\n" not in str(problem) and "\r" not in str(problem) and "\u2028" not in str(problem)


@pytest.mark.parametrize(
    "fragment, field",
    [
        (
            'container:\n  image: ghcr.io/example/demo:1.0\n  env: {"LOG_LEVEL\\n": info}\n',
            "container.env.'LOG_LEVEL\\n'",
        ),
        ('labels: {"team\\n": x}\ncontainer: {image: ghcr.io/example/demo:1.0}\n', "labels.'team\\n'"),
        ('container:\n  image: ghcr.io/example/demo:1.0\n  secrets: {"TOKEN\\n": s}\n', "container.secrets"),
        ('network: {cidr: "10.20.0.0/16\\n"}\ncontainer: {image: ghcr.io/example/demo:1.0}\n', "network.cidr"),
        ('container: {image: "ghcr.io/example/demo:1.0\\n"}\n', "container.image"),
    ],
)
def test_issue_examples_fail_in_the_cli_with_one_line(run_cli, tmp_path, fragment, field):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: demo-svc\n{fragment}targets:\n  aws-ecs: {{region: us-east-1}}\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert f": {field}: " in line, line


def test_name_with_a_newline_is_refused(run_cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        'name: "svc-a\\n"\ncontainer: {image: ghcr.io/example/demo:1.0}\ntargets:\n  aws-ecs: {region: us-east-1}\n'
    )
    result = run_cli("render", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "spec.yaml:1:7: name: " in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_terraform_variable_name_with_a_newline_is_refused():
    import click

    from generator.cli._run_options import _parse_variables

    with pytest.raises(click.BadParameter):
        _parse_variables(click.Context(click.Command("plan")), None, ("enable_autoscaling\n=false",))
    assert _parse_variables(click.Context(click.Command("plan")), None, ("enable_autoscaling=false",)) == {
        "enable_autoscaling": "false"
    }


def test_init_refuses_a_name_with_a_newline(run_cli, tmp_path):
    spec = tmp_path / "tfgen.yaml"
    result = run_cli("init", str(spec), "--no-input", "--name", "svc-a\n", "--image", "ghcr.io/acme/svc:1.0")
    assert result.exit_code == 2, result.stderr
    assert "2-24 characters [a-z0-9-]" in result.stderr and not spec.exists()
