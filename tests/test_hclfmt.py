"""generator.hclfmt against the real `terraform fmt`."""

from __future__ import annotations

import subprocess

import pytest

from generator.hcl import encode
from generator.hclfmt import format_hcl
from tests.support import require_terraform

CASES = [
    'resource "x" "y" {\na = 1\nbbbb = {\nx = 1\nyyy = "a"\n}\ncc = [\n"a",\n]\nd = 1\neeeee = { a = 1, bb = 2 }\n'
    "# comment\nf = 1\ngg = 2\n\nhhh = 3\nblock {\ni = 1\n}\nk = [\n{\na = 1\nbb = 2\n},\n]\n}\n",
    'locals {\nmsg = "a { brace ${var.x} } in \\" a string"\nlonger_name = "#not a comment"\nx = "=" \n}\n',
    'output "o" {\nvalue = [for k, v in var.m : v if v != "=" && k == "x"]\ndescription = "x"\n}\n',
    'variable "v" {\ntype = object({\na = string\nbb = number\n})\ndefault = null\n}\n',
    'resource "a" "b" {\ntags = ' + encode({"z": "1", "a-b": "2", "long_key_name": "${x}"}) + '\nname = "n"\n}\n',
    'data "d" "e" {\nstatement {\nactions = ["a:B"]\nresources = ["*"]\n}\n}\n',
    'resource "r" "s" {\nx = jsonencode([{\nname = "c"\nportMappings = [{ containerPort = 80 }]\n}])\ny = 2\n}\n',
    # issue 10 #15: a template pads `=` for one-line values; a long list or map turns multi-line
    'locals {\nvpc_id             = "vpc-1"\nprivate_subnet_ids = '
    + encode(["subnet-0123456789abcdef0"] * 4)
    + "\nalb_subnet_ids     = "
    + encode(["subnet-0123456789abcdef1"] * 4)
    + "\nenvironment        = "
    + encode({"A": "1"})
    + "\nx                  = 1\n}\n",
]


def terraform_fmt(text: str) -> str:
    proc = subprocess.run(
        [require_terraform(), "fmt", "-no-color", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "TF_CLI_CONFIG_FILE": "/dev/null"},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("source", CASES)
@pytest.mark.terraform
def test_matches_terraform_fmt(source):
    ours = format_hcl(source)
    assert ours == terraform_fmt(ours), "terraform fmt would change our output"
    assert ours == terraform_fmt(source)


def test_collapses_blank_runs_and_trailing_space():
    assert format_hcl("\n\na = 1   \n\n\n\nb = 2\n\n") == "a = 1\n\nb = 2\n"
