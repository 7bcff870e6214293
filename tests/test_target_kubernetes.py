"""The kubernetes target: manifests as data, a Kustomize tree, its offline gates, kubectl runs.

Needs kubectl (with kustomize), kubernetes-validate and Checkov: a missing
tool fails the test, never skips it. No cluster can run here, so plan/apply
are tested by the exact kubectl commands they build and by their refusals.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.errors import ToolError
from generator.manifests import gates, kustomize, yamlout
from generator.runners import kubectl
from generator.targets import kubernetes as k8s
from tests import support

EXAMPLE = support.EXAMPLES / "iris-gke.yaml"
HOSTILE = [
    "on",
    "1e3",
    "0x10",
    "yes",
    "null",
    "~",
    "- item",
    "a: b",
    "# not a comment",
    "{x}",
    "[y]",
    "'q'",
    '"dq"',
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "${HOME}",
    "%{x}",
    "* star",
    "&anchor",
    "!tag",
    "@at",
    "`tick`",
    "émoji ✓",
    " lead",
    "trail ",
    "",
    "---",
    "...",
    "|",
    ">",
    "= eq",
]


@pytest.fixture(scope="module", autouse=True)
def _kubectl_present():
    if not shutil.which("kubectl"):
        pytest.fail("kubectl is not on PATH: the kubernetes target's tests need it (kustomize builds)")


def spec_file(tmp_path: Path, data: dict, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def render_tree(spec_path: Path, out: Path) -> Path:
    """Render the spec's kubernetes module into `out`; return the module folder."""
    spec = pipeline.load_spec(spec_path)
    files, _ = pipeline.render_spec(spec, [k8s.NAME])
    module = None
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if rel.name == "kustomization.yaml" and rel.parent.name == "base":
            module = path.parent.parent
    assert module is not None, sorted(files)
    return module


def by_key(objs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


# ---------------------------------------------------------------- YAML out


@pytest.mark.parametrize("value", HOSTILE)
def test_yaml_emitter_keeps_every_string_a_string(value):
    text = yamlout.dump({"value": value, "list": [value]})
    assert yaml.safe_load(text) == {"value": value, "list": [value]}


def test_hostile_strings_survive_kubectl_kustomize(tmp_path):
    """Go's YAML parser (kubectl) reads back exactly the strings the spec held."""
    env = {f"V{i}": v for i, v in enumerate(HOSTILE)}
    data = {
        "name": "hostile",
        "description": 'desc: "x" \n ${y} {{z}} # c',
        "container": {"image": "ghcr.io/e/m:1", "env": env},
        "targets": {"kubernetes": {}},
    }
    module = render_tree(spec_file(tmp_path, data), tmp_path / "out")
    built = gates.build([module])
    deployment = by_key(built[f"{module}/base"])[("Deployment", "hostile")]
    got = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert got == env
    namespace = by_key(built[f"{module}/base"])[("Namespace", "hostile")]
    assert namespace["metadata"]["annotations"]["kubernetes.io/description"] == data["description"]


def test_json_pointer_escapes_slash_and_tilde():
    ops = kustomize.json_patch({"labels": {"a/b": "1", "c~d": "2"}}, {"labels": {"a/b": "x", "c~d": "y"}})
    assert ops == [
        {"op": "replace", "path": "/labels/a~1b", "value": "x"},
        {"op": "replace", "path": "/labels/c~0d", "value": "y"},
    ]
    assert kustomize.json_patch({"n": 1}, {"n": True}) == [{"op": "replace", "path": "/n", "value": True}]


def test_render_is_deterministic(tmp_path):
    spec = pipeline.load_spec(EXAMPLE)
    first, _ = pipeline.render_spec(spec, [k8s.NAME])
    second, _ = pipeline.render_spec(pipeline.load_spec(EXAMPLE), [k8s.NAME])
    assert first == second and len(first) > 8


# ---------------------------------------------------------------- the tree


@pytest.mark.parametrize("variant", sorted(k8s.VARIANTS))
def test_every_overlay_builds_to_exactly_its_environment(tmp_path, variant):
    """`kubectl kustomize overlays/ENV` == the objects built from ENV's spec; base == the base spec's."""
    path = spec_file(tmp_path, k8s.VARIANTS[variant])
    module = render_tree(path, tmp_path / "out")
    built = gates.build([module])
    base = pipeline.load_spec(path)
    assert by_key(built[f"{module}/base"]) == by_key(k8s.objects_of(base))
    assert set(built) == {f"{module}/base"} | {f"{module}/overlays/{e}" for e in base.environments}
    for env, env_spec in base.environments.items():
        assert by_key(built[f"{module}/overlays/{env}"]) == by_key(k8s.objects_of(env_spec)), env


def test_overlay_adds_and_deletes_objects(tmp_path):
    """dev drops the HPA (min = max), prod keeps it: a delete patch and a patch, not a copy of the base."""
    path = spec_file(tmp_path, k8s.VARIANTS["all-features"])
    module = render_tree(path, tmp_path / "out")
    dev = yaml.safe_load((module / "overlays/dev/kustomization.yaml").read_text())
    assert {"path": "patches/delete-horizontalpodautoscaler.yaml"} in dev["patches"]
    built = gates.build([module])
    assert ("HorizontalPodAutoscaler", "k8s-full") not in by_key(built[f"{module}/overlays/dev"])
    assert (
        by_key(built[f"{module}/overlays/prod"])[("HorizontalPodAutoscaler", "k8s-full")]["spec"]["maxReplicas"] == 20
    )
    assert by_key(built[f"{module}/overlays/dev"])[("Namespace", "ml-serving-dev")]
    assert not (module / "overlays/dev/deployment.yaml").exists()  # patched, not copied


# ---------------------------------------------------------------- seed parity


def test_seed_parity_gke_deployment_and_load_balancer(tmp_path):
    module = render_tree(EXAMPLE, tmp_path / "out")
    objs = by_key(gates.build([module])[f"{module}/base"])
    deployment = objs[("Deployment", "iris-gke")]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert deployment["spec"]["replicas"] == 3
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    }
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    service = objs[("Service", "iris-gke")]
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    sa = objs[("ServiceAccount", "iris-gke")]
    assert sa["metadata"]["annotations"] == {
        "iam.gke.io/gcp-service-account": "iris-serving@ml-serving-demo.iam.gserviceaccount.com"
    }
    assert ("HorizontalPodAutoscaler", "iris-gke") not in objs  # 3 fixed replicas, as the seed


def test_committed_example_module_is_current():
    spec = pipeline.load_spec(EXAMPLE)
    files, _ = pipeline.render_spec(spec, [k8s.NAME])
    for rel, text in files.items():
        committed = support.REPO / "modules" / rel
        assert committed.is_file() and committed.read_text(encoding="utf-8") == text, rel


def test_committed_readme_diagram_and_skips_are_read_back_from_the_manifests():
    from generator.outputs.kubernetes import diagram

    module = support.REPO / "modules" / "iris-gke" / "kubernetes"
    readme = (module / "README.md").read_text(encoding="utf-8")
    objs = {
        o["kind"]: o
        for o in (yaml.safe_load(p.read_text()) for p in (module / "base").glob("*.yaml"))
        if o.get("kind") != "Kustomization"
    }
    drawn = diagram(objs)
    assert f"```mermaid\n{drawn}\n```" in readme
    assert '-->|TCP 80| service["Service LoadBalancer<br/>:80"]' in drawn
    assert '-->|:8080| pods["Deployment iris-gke<br/>3 pods"]' in drawn
    annotations = objs["Deployment"]["metadata"]["annotations"]
    for value in annotations.values():
        check, _, reason = value.partition("=")
        assert f"| {check} | `Deployment/iris-gke` | {reason} |" in readme


# ---------------------------------------------------------------- what the manifests hold


def test_labels_on_every_object_and_restricted_pod(tmp_path):
    path = spec_file(tmp_path, k8s.VARIANTS["all-features"])
    spec = pipeline.load_spec(path)
    objs = k8s.objects_of(spec)
    for obj in objs:
        assert {"team": "ml", "cost-center": "research-42", "managed-by": "tfgen"}.items() <= obj["metadata"][
            "labels"
        ].items(), obj["kind"]
    pod = by_key(objs)[("Deployment", "k8s-full")]["spec"]["template"]["spec"]
    c = pod["containers"][0]
    assert c["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert [m["mountPath"] for m in c["volumeMounts"]] == ["/tmp", "/home/app/.cache/huggingface"]
    assert [v["emptyDir"] for v in pod["volumes"]] == [{}, {}]
    assert pod["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert pod["automountServiceAccountToken"] is True  # asked for by service_account_token
    assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": "Standard_NC4as_T4_v3"}
    assert pod["tolerations"] == [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]
    assert c["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert (
        by_key(objs)[("Deployment", "k8s-full")]["spec"]["template"]["metadata"]["labels"][
            "azure.workload.identity/use"
        ]
        == "true"
    )
    assert {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "model-api-key", "key": "api-key"}}} in c["env"]
    # startup window 300 s at a 10 s period; liveness from the health check
    assert c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"] == 300
    assert c["livenessProbe"]["periodSeconds"] == 20 and c["livenessProbe"]["httpGet"]["path"] == "/ready"
    assert "replicas" not in by_key(objs)[("Deployment", "k8s-full")]["spec"]  # the HPA owns it
    # the Secret the secretKeyRef names is synced by External Secrets from the named store
    external = by_key(objs)[("ExternalSecret", "model-api-key")]
    assert external["apiVersion"] == "external-secrets.io/v1"
    assert external["spec"] == {
        "refreshInterval": "15m",
        "secretStoreRef": {"name": "vault-backend", "kind": "ClusterSecretStore"},
        "target": {"name": "model-api-key", "creationPolicy": "Owner"},
        "data": [{"secretKey": "api-key", "remoteRef": {"key": "model-api-key"}}],
    }


def test_minimal_is_clusterip_without_token_and_network_policy_limits_traffic(tmp_path):
    spec = pipeline.load_spec(spec_file(tmp_path, k8s.VARIANTS["minimal"]))
    objs = by_key(k8s.objects_of(spec))
    assert objs[("Service", "k8s-minimal")]["spec"]["type"] == "ClusterIP"
    pod = objs[("Deployment", "k8s-minimal")]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert objs[("ServiceAccount", "k8s-minimal")]["automountServiceAccountToken"] is False
    policy = objs[("NetworkPolicy", "k8s-minimal")]["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"][0]["from"] == [
        {"ipBlock": {"cidr": "10.0.0.0/8"}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "k8s-minimal"}}},
    ]
    assert policy["egress"][1]["ports"] == [{"protocol": "TCP", "port": 443}]
    assert objs[("PodDisruptionBudget", "k8s-minimal")]["spec"]["maxUnavailable"] == 1


def test_ingress_variant_has_tls_and_class(tmp_path):
    spec = pipeline.load_spec(spec_file(tmp_path, k8s.VARIANTS["public-ingress"]))
    objs = by_key(k8s.objects_of(spec))
    ingress = objs[("Ingress", "k8s-ingress")]["spec"]
    assert ingress["ingressClassName"] == "nginx"
    assert ingress["tls"] == [{"hosts": ["model.example.com"], "secretName": "model-tls"}]
    assert objs[("Service", "k8s-ingress")]["spec"]["type"] == "ClusterIP"


# ---------------------------------------------------------------- limits (located errors)


@pytest.mark.parametrize(
    "change, where, words",
    [
        ({"targets": {"kubernetes": {"requests": {"cpu": 2}}}}, "targets.kubernetes.requests.cpu", "above the limit"),
        (
            {"targets": {"kubernetes": {"requests": {"memory": 4096}}}},
            "targets.kubernetes.requests.memory",
            "above the limit",
        ),
        (
            {"targets": {"kubernetes": {"identity": "arn:aws:iam::123456789012:role/x"}}},
            "targets.kubernetes.identity",
            "needs `cloud`",
        ),
        (
            {"targets": {"kubernetes": {"cloud": "gke", "identity": "arn:aws:iam::123456789012:role/x"}}},
            "targets.kubernetes.identity",
            "Google service account",
        ),
        ({"scaling": {"concurrency": 10}}, "scaling.concurrency", "custom-metrics"),
        ({"scaling": {"min": 0, "max": 3}}, "scaling.min", "cannot scale to zero"),
        (
            {"container": {"secrets": {"TOKEN": "Upper-Case"}}},
            "container.secrets.TOKEN",
            "not a Kubernetes Secret name",
        ),
        ({"labels": {"team": "-ml"}}, "labels.team", "not a Kubernetes label value"),
        ({"observability": {"alarms": {"cpu_percent": 80}}}, "observability.alarms.cpu_percent", "monitoring stack"),
        ({"resources": {"cpu": 0.0005}}, "resources.cpu", "millicores"),
        (
            {
                "network": {"public": True, "allowed_cidrs": ["10.0.0.0/8"]},
                "targets": {
                    "kubernetes": {"ingress": {"host": "a.example.com", "class_name": "nginx", "tls_secret": "t"}}
                },
            },
            "network.allowed_cidrs",
            "cannot be limited",
        ),
        ({"targets": {"kubernetes": {"unknown": 1}}}, "targets.kubernetes.unknown", "unknown field"),
        (
            {"targets": {"kubernetes": {"secret_store": {"name": "vault"}}}},
            "targets.kubernetes.secret_store",
            "no container.secrets",
        ),
    ],
)
def test_refusals_are_located(tmp_path, run_cli, change, where, words):
    data = copy.deepcopy(k8s.VARIANTS["minimal"])
    for key, value in change.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
        if key == "targets":
            data["targets"] = {
                "kubernetes": {**k8s.VARIANTS["minimal"]["targets"]["kubernetes"], **value["kubernetes"]}
            }
    path = spec_file(tmp_path, data)
    result = run_cli("validate", str(path))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if f": {where}: " in line]
    assert lines and words in lines[0], result.stderr
    assert lines[0].startswith(f"{path}:")


# ---------------------------------------------------------------- gates


def test_schema_gate_passes_every_variant_and_catches_a_planted_error(tmp_path):
    built = {}
    for variant, data in sorted(k8s.VARIANTS.items()):
        built.update(gates.build([render_tree(spec_file(tmp_path, data, f"{variant}.yaml"), tmp_path / variant)]))
    assert gates.schema_problems(built) == []
    planted = copy.deepcopy(built)
    first = next(iter(planted))
    deployment = next(o for o in planted[first] if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["periodSecond"] = (
        5  # misspelt: strict mode
    )
    deployment["spec"]["replicas"] = "three"
    external = next(o for objs in planted.values() for o in objs if o["kind"] == "ExternalSecret")
    external["spec"]["secretStoreRef"]["knd"] = "SecretStore"  # the custom resource is held to a strict schema too
    problems = gates.schema_problems(planted)
    assert any("periodSecond" in p for p in problems), problems
    assert any("spec.replicas" in p for p in problems), problems
    assert any("ExternalSecret" in p and "knd" in p for p in problems), problems


@pytest.mark.checkov
def test_checkov_passes_every_variant_with_reasoned_skips_and_fails_a_planted_control(tmp_path):
    built = {}
    for variant, data in sorted(k8s.VARIANTS.items()):
        built.update(gates.build([render_tree(spec_file(tmp_path, data, f"{variant}.yaml"), tmp_path / variant)]))
    support.require_marker("checkov")
    planted = {"planted": copy.deepcopy(built[next(iter(built))])}
    deployment = next(o for o in planted["planted"] if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False
    outcome = gates.scan({**built, **planted})
    assert outcome.passed > 100
    assert outcome.reasonless == []
    assert [f.split()[0] for f in outcome.failed] == ["CKV_K8S_22"], outcome.failed
    assert all(reason for _, _, reason in outcome.skipped)


def test_gates_fail_loudly_without_kubectl(tmp_path, monkeypatch):
    module = render_tree(spec_file(tmp_path, k8s.VARIANTS["minimal"]), tmp_path / "out")
    monkeypatch.setenv("TFGEN_KUBECTL", str(tmp_path / "no-such-kubectl"))
    with pytest.raises(ToolError, match="kubectl not found"):
        gates.build([module])


def test_kustomize_build_error_is_a_tool_error(tmp_path):
    module = render_tree(spec_file(tmp_path, k8s.VARIANTS["minimal"]), tmp_path / "out")
    (module / "base" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(ToolError, match="kubectl kustomize"):
        gates.build([module])


# ---------------------------------------------------------------- plan / apply


def test_kubectl_commands_are_exact():
    folder = Path("modules/iris-gke/kubernetes/overlays/prod")
    assert kubectl.diff_args(folder) == ["diff", "--server-side", "--field-manager=tfgen", "-k", str(folder)]
    assert kubectl.apply_args(folder) == ["apply", "--server-side", "--field-manager=tfgen", "-k", str(folder)]
    assert kubectl.kustomize_args(folder) == ["kustomize", str(folder)]


def _kubeconfig(tmp_path: Path, server: str | None) -> Path:
    path = tmp_path / "kubeconfig"
    config = {"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [], "users": []}
    if server:
        config.update(
            {
                "clusters": [{"name": "c", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "unreachable", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "unreachable",
            }
        )
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_refuse_without_a_context(tmp_path, run_cli, monkeypatch, command):
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, None)))
    extra = ["--auto-approve"] if command == "apply" else []
    result = run_cli(
        command, str(EXAMPLE), "--target", "kubernetes", "--modules-dir", str(tmp_path / "modules"), *extra
    )
    assert result.exit_code == 3, result.output
    assert "no current kubectl context" in result.stderr


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_refuse_an_unreachable_cluster(tmp_path, run_cli, monkeypatch, command):
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, "https://127.0.0.1:9")))
    extra = ["--auto-approve"] if command == "apply" else []
    result = run_cli(
        command,
        str(EXAMPLE),
        "--target",
        "kubernetes",
        "--env",
        "prod",
        "--modules-dir",
        str(tmp_path / "modules"),
        *extra,
    )
    assert result.exit_code == 3, result.output
    assert "context `unreachable` is not reachable" in result.stderr


def test_plan_and_apply_run_the_exact_kubectl_commands(tmp_path, run_cli, monkeypatch):
    """A stand-in kubectl records its arguments: what a reachable cluster would receive."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "kubectl"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'case "$1" in\n'
        "  config) echo ctx ;;\n"
        '  version) echo \'{"serverVersion": {"gitVersion": "v1.32.0"}}\' ;;\n'
        '  get) echo "namespace/iris-gke-prod" ;;\n'
        '  kustomize) exec kubectl "$@" ;;\n'
        '  diff) echo "+ replicas: 3"; exit 1 ;;\n'
        '  apply) echo "deployment.apps/iris-gke serverside-applied" ;;\n'
        "esac\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("TFGEN_KUBECTL", str(fake))
    modules = tmp_path / "modules"
    plan = run_cli("plan", str(EXAMPLE), "--target", "kubernetes", "--env", "prod", "--modules-dir", str(modules))
    assert plan.exit_code == 2, plan.output  # changes, as terraform plan -detailed-exitcode
    assert "+ replicas: 3" in plan.stdout
    apply = run_cli("apply", str(EXAMPLE), "--target", "kubernetes", "--modules-dir", str(modules), "--auto-approve")
    assert apply.exit_code == 0, apply.output
    overlay = modules / "iris-gke" / "kubernetes" / "overlays" / "prod"
    base = modules / "iris-gke" / "kubernetes" / "base"
    calls = log.read_text().splitlines()
    assert f"diff --server-side --field-manager=tfgen -k {overlay}" in calls
    assert f"apply --server-side --field-manager=tfgen -k {base}" in calls
    assert (overlay / "kustomization.yaml").is_file()


def _fake_kubectl(tmp_path: Path, diff_exit: int, namespace_exists: bool = True) -> Path:
    log = tmp_path / "calls.log"
    fake = tmp_path / "kubectl"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'case "$1" in\n'
        "  config) echo ctx ;;\n"
        '  version) echo \'{"serverVersion": {"gitVersion": "v1.32.0"}}\' ;;\n'
        f"  get) {'echo namespace/iris-gke' if namespace_exists else 'true'} ;;\n"
        '  kustomize) exec kubectl "$@" ;;\n'
        f'  diff) echo "+ replicas: 3"; exit {diff_exit} ;;\n'
        '  apply) echo "applied" ;;\n'
        "esac\n"
    )
    fake.chmod(0o755)
    return log


@pytest.mark.parametrize("answer, applied", [("y\n", True), ("n\n", False)])
def test_apply_shows_the_diff_and_asks_on_a_terminal(tmp_path, run_cli, monkeypatch, answer, applied):
    from generator.cli import _run_options

    log = _fake_kubectl(tmp_path, diff_exit=1)
    monkeypatch.setenv("TFGEN_KUBECTL", str(tmp_path / "kubectl"))
    monkeypatch.setattr(_run_options, "stdin_is_terminal", lambda: True)
    result = run_cli(
        "apply", str(EXAMPLE), "--target", "kubernetes", "--modules-dir", str(tmp_path / "m"), input=answer
    )
    assert "+ replicas: 3" in result.stderr and "kubectl context `ctx`" in result.stderr
    calls = log.read_text()
    assert ("apply --server-side" in calls) == applied
    assert result.exit_code == (0 if applied else 1), result.output
    if not applied:
        assert "apply cancelled: nothing applied" in result.stderr


def test_apply_without_changes_applies_nothing(tmp_path, run_cli, monkeypatch):
    from generator.cli import _run_options

    log = _fake_kubectl(tmp_path, diff_exit=0)
    monkeypatch.setenv("TFGEN_KUBECTL", str(tmp_path / "kubectl"))
    monkeypatch.setattr(_run_options, "stdin_is_terminal", lambda: True)
    result = run_cli("apply", str(EXAMPLE), "--target", "kubernetes", "--modules-dir", str(tmp_path / "m"))
    assert result.exit_code == 0 and "No changes: nothing applied." in result.stdout
    assert "apply --server-side" not in log.read_text()


def test_emulator_flag_is_refused_for_kubernetes(run_cli, tmp_path):
    result = run_cli("plan", str(EXAMPLE), "--target", "kubernetes", "--emulator", "--modules-dir", str(tmp_path))
    assert result.exit_code == 2 and "--emulator is a local AWS emulator" in result.output


def test_a_removed_environment_leaves_an_orphaned_overlay(tmp_path, run_cli):
    data = copy.deepcopy(k8s.VARIANTS["all-features"])
    path = spec_file(tmp_path, data)
    out = tmp_path / "modules"
    assert run_cli("render", str(path), "-o", str(out)).exit_code == 0
    assert (out / "k8s-full/kubernetes/overlays/dev/kustomization.yaml").is_file()
    assert run_cli("render", str(path), "-o", str(out), "--check").exit_code == 0
    del data["environments"]["dev"]
    spec_file(tmp_path, data)
    check = run_cli("render", str(path), "-o", str(out), "--check")
    assert check.exit_code == 1
    assert f"orphaned: {out}/k8s-full/kubernetes/overlays/dev " in check.stderr
    assert run_cli("render", str(path), "-o", str(out), "--prune").exit_code == 0
    assert not (out / "k8s-full/kubernetes/overlays/dev").exists()
    assert (out / "k8s-full/kubernetes/overlays/prod/kustomization.yaml").is_file()


def test_one_module_for_every_environment_whichever_model_renders_it(tmp_path):
    """`render --env prod` writes the same tree as `render`: the module holds base/ and every overlay."""
    base, _ = pipeline.render_spec(pipeline.load_spec(EXAMPLE), [k8s.NAME])
    prod, _ = pipeline.render_spec(pipeline.load_spec(EXAMPLE, "prod"), [k8s.NAME])
    assert prod == base
    assert {str(p) for p in base} >= {
        "iris-gke/kubernetes/base/kustomization.yaml",
        "iris-gke/kubernetes/overlays/prod/kustomization.yaml",
        "iris-gke/kubernetes/README.md",
    }


def test_first_plan_lists_new_objects_when_the_namespace_does_not_exist(tmp_path, run_cli, monkeypatch):
    """kubectl diff cannot dry-run objects in a namespace that does not exist: the plan lists them as new."""
    log = _fake_kubectl(tmp_path, diff_exit=1, namespace_exists=False)
    monkeypatch.setenv("TFGEN_KUBECTL", str(tmp_path / "kubectl"))
    plan = run_cli("plan", str(EXAMPLE), "--target", "kubernetes", "--modules-dir", str(tmp_path / "m"))
    assert plan.exit_code == 2, plan.output
    assert plan.stdout.startswith("namespace iris-gke does not exist yet: every object is new\n")
    assert "+ Deployment/iris-gke\n" in plan.stdout and "+ Namespace/iris-gke\n" in plan.stdout
    calls = log.read_text().splitlines()
    assert "get namespace iris-gke --ignore-not-found --output=name --request-timeout=5s" in calls
    assert not any(c.startswith("diff ") for c in calls)
