"""The distribution name is ours (PyPI's `tfgen` is someone else's), and every install instruction uses it."""

from __future__ import annotations

import configparser
import re
import subprocess

from click.testing import CliRunner

from generator import DISTRIBUTION
from generator.cli import cli
from generator.runners.emulator import INSTALL_HINT
from tests.support import REPO

# `pip install tfgen`, `pip install 'tfgen[emulator]'`: the unrelated PyPI project
WRONG_INSTALL = re.compile(r"""pip install\s+(?:-\S+\s+)*['"]?tfgen(?![\w-])(?!\s*@)|['"]tfgen\[""")


def test_distribution_name_is_ours_and_the_command_stays_tfgen():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    assert config["metadata"]["name"] == DISTRIBUTION == "tfgen-ml"
    scripts = config["options.entry_points"]["console_scripts"]
    assert re.search(r"^\s*tfgen = generator\.cli:main$", scripts, re.MULTILINE)


def test_no_instruction_installs_the_unrelated_tfgen():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    wrong = []
    for name in tracked:
        path = REPO / name
        if path.suffix in {".gz", ".zip", ".png"} or name == "tests/test_distribution.py" or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if WRONG_INSTALL.search(line) and "do not" not in line:  # the README's warning names it on purpose
                wrong.append(f"{name}:{number}: {line.strip()}")
    assert wrong == []
    assert WRONG_INSTALL.search("run: pip install tfgen") and WRONG_INSTALL.search("pip install 'tfgen[emulator]'")
    assert not WRONG_INSTALL.search("pip install 'tfgen-ml[emulator]'")


def test_the_emulators_install_hints_name_the_distribution():
    assert INSTALL_HINT == "pip install 'tfgen-ml[emulator]'"
    help_text = " ".join(CliRunner().invoke(cli, ["emulator", "--help"]).stdout.split())  # unwrapped
    assert "pip install 'tfgen-ml[emulator]'" in help_text


def test_readme_states_the_distribution_and_how_to_install_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "The distribution is **`tfgen-ml`**; the command it installs is `tfgen`." in readme
    assert "pip install 'tfgen-ml @ git+" in readme
    ci = (REPO / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8")
    assert 'TFGEN_PACKAGE: "tfgen-ml @ git+' in ci and 'pip install "$TFGEN_PACKAGE"' in ci
