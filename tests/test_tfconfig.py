"""The user's Terraform CLI configuration is kept under tfgen (issue 11 #5), and an
unreachable registry gets a hint about --plugin-mirror (issue 11 #4).

Real terraform, offline: a local HTTP server stands in for a private module
registry, so the test can see the token terraform sends.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from generator.errors import RunError, ToolError
from generator.runners import static_checks, tfconfig, tfprocess
from generator.runners.plans import run_paths
from generator.runners.terraform import Terraform
from tests.support import PLUGIN_MIRROR, require_terraform

AWS_MODULE = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'


@pytest.fixture
def registry():
    """A private module registry that answers 404 and records each request's Authorization header."""
    seen: list[tuple[str, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user's home with a ~/.terraformrc (host block, credentials, plugin cache) and no TF_CLI_CONFIG_FILE."""
    home = tmp_path / "home"
    (home / ".terraform.d").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in tfconfig.CONFIG_FILE_ENVS:
        monkeypatch.delenv(name, raising=False)
    return home


def user_rc(registry_url: str, cache: Path, token_line: str = '  token = "hcl-secret"\n') -> str:
    return (
        f'# my settings\nplugin_cache_dir = "{cache}"\n'
        f'host "registry.corp.example" {{\n  services = {{\n    "modules.v1" = "{registry_url}/v1/modules/"\n  }}\n}}\n'
        f'credentials "registry.corp.example" {{\n{token_line}}}\n'
    )


def registry_module(tmp_path: Path) -> Path:
    module = tmp_path / "uses-private-registry"
    module.mkdir()
    (module / "main.tf").write_text(
        'module "m" {\n  source  = "registry.corp.example/team/net/aws"\n  version = "1.0.0"\n}\n'
    )
    return module


@pytest.mark.terraform
def test_user_config_with_credentials_and_plugin_cache_is_kept_when_a_mirror_is_added(home, registry, tmp_path):
    require_terraform()
    url, seen = registry
    cache = tmp_path / "plugin-cache"
    cache.mkdir()
    (home / ".terraformrc").write_text(user_rc(url, cache))

    # providers come from the mirror, through the user's plugin cache
    aws = tmp_path / "uses-aws"
    aws.mkdir()
    (aws / "main.tf").write_text(AWS_MODULE)
    assert static_checks.validate_module(aws, plugin_mirror=PLUGIN_MIRROR).errors == []
    cached = cache / "registry.terraform.io" / "hashicorp" / "aws"
    assert [p.name for p in cached.iterdir()] == ["5.100.0"]

    # the host block and the credentials still reach the private registry
    with pytest.raises(ToolError) as failed:
        static_checks.validate_module(registry_module(tmp_path), plugin_mirror=PLUGIN_MIRROR)
    assert "registry.corp.example" in str(failed.value)
    assert ("/v1/modules/team/net/aws/versions", "Bearer hcl-secret") in seen

    # the copy is private: it holds the token
    copy = tmp_path / "work"
    written = tfconfig.write_cli_config(copy, PLUGIN_MIRROR)
    assert written is not None and oct(written.stat().st_mode & 0o777) == "0o600"
    assert (home / ".terraformrc").read_text() == user_rc(url, cache)  # never touched


@pytest.mark.terraform
def test_credentials_from_terraform_login_are_kept(home, registry, tmp_path):
    """`terraform login` keeps tokens in ~/.terraform.d/credentials.tfrc.json, which terraform
    stops reading once TF_CLI_CONFIG_FILE is set: the copy must carry them."""
    require_terraform()
    url, seen = registry
    (home / ".terraformrc").write_text(user_rc(url, tmp_path, token_line=""))
    (home / ".terraform.d" / "credentials.tfrc.json").write_text(
        json.dumps({"credentials": {"registry.corp.example": {"token": "json-secret"}}})
    )
    with pytest.raises(ToolError):
        static_checks.validate_module(registry_module(tmp_path), plugin_mirror=PLUGIN_MIRROR)
    assert ("/v1/modules/team/net/aws/versions", "Bearer json-secret") in seen


@pytest.mark.terraform
def test_the_mirror_joins_the_users_own_provider_installation(home, tmp_path, monkeypatch):
    require_terraform()
    rc = tmp_path / "my.tfrc"
    rc.write_text('provider_installation {\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n')
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(rc))
    text = tfconfig.merged_config(PLUGIN_MIRROR, tfconfig.user_config_files()[0])
    assert text.count("provider_installation {") == 1
    assert text.index("filesystem_mirror") < text.index("direct {")
    aws = tmp_path / "uses-aws"
    aws.mkdir()
    (aws / "main.tf").write_text(AWS_MODULE)
    # hashicorp/* is excluded from direct: only the mirror can supply aws, offline
    assert static_checks.validate_module(aws, plugin_mirror=PLUGIN_MIRROR).errors == []


def test_without_a_mirror_the_users_configuration_is_left_alone(home, tmp_path, monkeypatch):
    (home / ".terraformrc").write_text('plugin_cache_dir = "/x"\n')
    earlier = tfconfig.write_cli_config(tmp_path, PLUGIN_MIRROR)  # an earlier run with a mirror
    assert earlier is not None and earlier.is_file()
    assert tfconfig.write_cli_config(tmp_path, None) is None
    assert not earlier.exists()  # its copy of the user's settings is not left behind
    env = tfprocess.environment(cli_config=None)
    assert "TF_CLI_CONFIG_FILE" not in env  # terraform reads ~/.terraformrc and ~/.terraform.d itself
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "mine.tfrc"))
    (tmp_path / "mine.tfrc").write_text("disable_checkpoint = true\n")
    assert tfconfig.write_cli_config(tmp_path, None) is None
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "missing.tfrc"))  # would warn on every call
    written = tfconfig.write_cli_config(tmp_path, None)
    assert written is not None and "provider_installation" not in written.read_text()


@pytest.mark.terraform
def test_unreachable_registry_says_how_to_use_a_mirror(home, tmp_path, monkeypatch):
    """Offline (a proxy that refuses connections stands for no network), plan and check name --plugin-mirror."""
    require_terraform()
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("TFGEN_STATE_DIR", str(tmp_path / "state"))
    module = tmp_path / "modules" / "m"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(AWS_MODULE)

    outcome = static_checks.validate_module(module)
    assert "--plugin-mirror DIR or TFGEN_PLUGIN_MIRROR=DIR" in outcome.unavailable

    paths = run_paths(module, module.parent)
    tf = Terraform(paths, tfconfig.write_cli_config(paths.work_dir, None), echo=lambda line: None)
    with pytest.raises(RunError) as failed:
        tf.init()
    message = str(failed.value)
    assert "could not connect to registry.terraform.io" in message
    assert message.endswith(
        "filesystem mirror filled by `terraform providers mirror DIR` on a machine with registry access."
    )


def test_provider_missing_from_the_mirror_names_it(tmp_path):
    text = (
        "Error: Failed to query available provider packages\n\nCould not retrieve the list of available "
        "versions for provider hashicorp/google: provider registry.terraform.io/hashicorp/google was not\n"
        "found in any of the search locations\n\n  - /opt/tf-plugins\n"
    )
    assert tfconfig.provider_install_hint(text).startswith(
        "The provider mirror has no registry.terraform.io/hashicorp/google: add it there"
    )
    assert tfconfig.provider_install_hint("Error: Unsupported argument") == ""
    module_registry = (
        'Error: Failed to retrieve available versions for module "m" from registry.corp.example: '
        "could not connect to registry.corp.example: failed to request discovery document"
    )
    assert tfconfig.provider_install_hint(module_registry) == ""  # a module registry: no provider mirror helps
