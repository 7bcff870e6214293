"""Where tfgen's own `terraform init` left a module's providers, so lint can ask terraform for their schemas.

`tfgen plan` and friends never init inside the module folder: TF_DATA_DIR is
a work dir under `.tfgen/` (see runners/plans.py; emulator runs have their
own), keyed by the module's path under the modules folder. Lint is handed only the module folder, so it tries
the work dir each ancestor would give as the modules folder (nearest first),
then `modules/` in the current directory (the runners' default, which keys a
module elsewhere as `external/...`).
"""

from __future__ import annotations

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
