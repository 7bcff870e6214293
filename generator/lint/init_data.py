"""Where tfgen's own `terraform init` left a module's providers, so lint can ask terraform for their schemas.

`tfgen plan` and friends never init inside the module folder: TF_DATA_DIR is
a work dir under `.tfgen/` (see runners/plans.py; emulator runs have their
own), keyed by the module's path under the modules folder. Lint is handed only the module folder, so it tries
the work dir each ancestor would give as the modules folder (nearest first),
then `modules/` in the current directory (the runners' default, which keys a
module elsewhere as `external/...`).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..runners.plans import run_paths


def tfgen_data_dir(module_dir: Path) -> Path | None:
    """The TF_DATA_DIR tfgen initialised `module_dir` into, or None (then `.terraform/` is terraform's own)."""
    module = Path(module_dir).resolve()
    if (module / ".terraform").is_dir():
        return None  # initialised by hand: terraform finds it without help
    for modules_dir in [*module.parents, Path("modules")]:
        for emulator in (False, True):  # a real run's work dir, else an emulator run's (the same providers)
            data_dir = run_paths(module, modules_dir, emulator=emulator).data_dir
            if (data_dir / "providers").is_dir():
                return data_dir
    return None


@contextlib.contextmanager
def providers_workspace(module_dir: Path, data_dir: Path) -> Iterator[tuple[Path, Path]]:
    """(cwd, TF_DATA_DIR) where `terraform providers schema` finds the providers tfgen installed for `module_dir`.

    A scratch module with only the module's lock file and a required_providers
    block naming the providers it locks, and a data dir whose providers/ is
    tfgen's: terraform then reads no backend settings (an emulator run's
    differ from the module's backend block) and contacts nothing.
    """
    lock = (module_dir / ".terraform.lock.hcl").read_text(encoding="utf-8")
    sources = sorted(set(re.findall(r'^provider "([^"]+)"', lock, re.MULTILINE)))
    with tempfile.TemporaryDirectory(prefix="tfgen-lint-") as tmp:
        work, data = Path(tmp) / "module", Path(tmp) / "data"
        work.mkdir()
        data.mkdir()
        (work / ".terraform.lock.hcl").write_text(lock, encoding="utf-8")
        entries = [f'    p{index} = {{ source = "{source}" }}' for index, source in enumerate(sources)]
        (work / "providers.tf").write_text(
            "terraform {\n  required_providers {\n" + "\n".join(entries) + "\n  }\n}\n", encoding="utf-8"
        )
        (data / "providers").symlink_to(data_dir / "providers", target_is_directory=True)
        yield work, data
