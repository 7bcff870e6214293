"""kubectl as a subprocess: `kustomize` builds, and diff / server-side apply on the current context.

The only place tfgen starts kubectl. Argument lists, never a shell; every run
has a timeout; a missing kubectl or a crash is a ToolError (exit 3), never a
pass. Builders of argument lists are separate functions so tests can check
the exact commands without a cluster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError

KUBECTL = "kubectl"
FIELD_MANAGER = "tfgen"
BUILD_TIMEOUT = 60  # seconds; a kustomize build of one overlay takes well under one
REACH_TIMEOUT = "5s"  # how long to wait for the API server before calling it unreachable
RUN_TIMEOUT = 600


def kubectl_binary() -> str:
    found = shutil.which(os.environ.get("TFGEN_KUBECTL", KUBECTL))
    if not found:
        raise ToolError(
            "kubectl not found on the PATH (it builds and applies the kubernetes target; "
            "install kubectl >= 1.27, or set TFGEN_KUBECTL)"
        )
    return found


def _run(args: list[str], timeout: float, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [kubectl_binary(), *args]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"`kubectl {' '.join(args)}` did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise ToolError(f"cannot run kubectl ({command[0]}): {exc.strerror or exc}") from None


def _tail(text: str, lines: int = 8) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return (":\n" + "\n".join(kept)) if kept else ""


# ---------------------------------------------------------------- kustomize


def kustomize_args(folder: Path) -> list[str]:
    return ["kustomize", str(folder)]


def kustomize_build(folder: Path) -> str:
    """`kubectl kustomize FOLDER`: the built YAML stream. A build error is a ToolError."""
    proc = _run(kustomize_args(folder), BUILD_TIMEOUT)
    if proc.returncode != 0:
        raise ToolError(f"kubectl kustomize {folder} failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    return proc.stdout


# ---------------------------------------------------------------- diff / apply


def diff_args(folder: Path) -> list[str]:
    # --server-side: the API server computes the result, as `apply --server-side` will
    return ["diff", "--server-side", f"--field-manager={FIELD_MANAGER}", "-k", str(folder)]


def apply_args(folder: Path) -> list[str]:
    return ["apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-k", str(folder)]


@dataclass(frozen=True)
class Cluster:
    context: str
    server_version: str


class NoCluster(ToolError):
    """No current context, or its API server does not answer: nothing to plan or apply against."""


def current_cluster() -> Cluster:
    """The current kubectl context and its server version; NoCluster when there is none reachable."""
    proc = _run(["config", "current-context"], 30)
    context = proc.stdout.strip()
    if proc.returncode != 0 or not context:
        raise NoCluster(
            "no current kubectl context: `kubectl config current-context` has none "
            f"(KUBECONFIG={os.environ.get('KUBECONFIG', '~/.kube/config')}). Point kubectl at a "
            "cluster (e.g. `gcloud container clusters get-credentials`, `aws eks update-kubeconfig`, "
            "`az aks get-credentials`) and run again."
        )
    proc = _run(["version", "--output=json", f"--request-timeout={REACH_TIMEOUT}"], 60)
    if proc.returncode != 0 or '"serverVersion"' not in proc.stdout:
        raise NoCluster(f"the cluster of kubectl context `{context}` is not reachable{_tail(proc.stderr, 3)}")
    import json

    server = json.loads(proc.stdout)["serverVersion"]
    return Cluster(context, server.get("gitVersion", "?"))


@dataclass(frozen=True)
class DiffResult:
    has_changes: bool
    text: str


def diff(folder: Path) -> DiffResult:
    """`kubectl diff`: exit 0 no changes, 1 changes, anything else an error."""
    proc = _run(diff_args(folder), RUN_TIMEOUT)
    if proc.returncode not in (0, 1):
        raise ToolError(f"kubectl diff failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    return DiffResult(proc.returncode == 1, proc.stdout)


def apply(folder: Path) -> str:
    proc = _run(apply_args(folder), RUN_TIMEOUT)
    if proc.returncode != 0:
        raise ToolError(f"kubectl apply failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    return proc.stdout


# ---------------------------------------------------------------- plan / apply of a Kustomize module


def kustomization_dir(module: Path, env: str | None) -> Path:
    """What plan/apply run on: overlays/<env>/ of the module, or base/ without an environment."""
    folder = module / "overlays" / env if env else module / "base"
    if not (folder / "kustomization.yaml").is_file():
        from ..errors import RunError

        raise RunError(f"{folder}: no kustomization.yaml (render the spec first: `tfgen render SPEC`)")
    return folder


def namespace_args(name: str) -> list[str]:
    return ["get", "namespace", name, "--ignore-not-found", "--output=name", f"--request-timeout={REACH_TIMEOUT}"]


def namespace_exists(name: str) -> bool:
    proc = _run(namespace_args(name), 60)
    if proc.returncode != 0:
        raise ToolError(f"kubectl get namespace {name} failed (exit code {proc.returncode}){_tail(proc.stderr)}")
    return bool(proc.stdout.strip())


def changes(folder: Path) -> DiffResult:
    """What applying `folder` would change. `kubectl diff` cannot dry-run objects in a namespace that
    does not exist yet (the server refuses them), so on a first deploy the built objects are listed
    as new instead."""
    import yaml

    objects = [d for d in yaml.safe_load_all(kustomize_build(folder)) if isinstance(d, dict)]
    namespace = next((o["metadata"]["name"] for o in objects if o.get("kind") == "Namespace"), None)
    if namespace and not namespace_exists(namespace):
        lines = [f"+ {o['kind']}/{o['metadata']['name']}" for o in objects]
        return DiffResult(
            True, f"namespace {namespace} does not exist yet: every object is new\n" + "\n".join(lines) + "\n"
        )
    return diff(folder)


def plan(module: Path, env: str | None, echo) -> DiffResult:
    """`kubectl diff` of the module (or its overlay) against the current context's cluster."""
    folder = kustomization_dir(module, env)
    cluster = current_cluster()
    echo(
        f"kubectl context `{cluster.context}` (server {cluster.server_version}): kubectl {' '.join(diff_args(folder))}"
    )
    return changes(folder)


def apply_module(module: Path, env: str | None, echo, confirm=None) -> str | None:
    """`kubectl apply --server-side` of the module (or its overlay); None when the confirmation says no.

    `confirm(context, diff_text)` is asked after the diff; None means --auto-approve.
    Nothing is ever deleted: no --prune, so an object the spec no longer renders stays until removed by hand.
    """
    folder = kustomization_dir(module, env)
    cluster = current_cluster()
    echo(f"kubectl context `{cluster.context}` (server {cluster.server_version})")
    if confirm is not None:
        found = changes(folder)
        if not found.has_changes:
            return ""
        if not confirm(cluster.context, found.text):
            return None
    echo(f"kubectl {' '.join(apply_args(folder))}")
    return apply(folder)
