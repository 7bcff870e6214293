"""The writer keeps the user's files (issue 10 #6), never follows a symlink (#8) and writes a module
whole or not at all, one render at a time per output root (#9)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from generator import writer
from generator.errors import WriteError
from generator.writer import MANIFEST_NAME, apply_changes, plan_write
from tests.support import EXAMPLES, REPO

IRIS = str(EXAMPLES / "iris-classifier.yaml")
M = PurePosixPath("svc/aws-ecs")


def _render(run_cli, out: Path, *extra: str):
    return run_cli("render", IRIS, "-o", str(out), "--target", "aws-ecs", *extra)


def _write(root: Path, files: dict[str, str], *, force: bool = False) -> writer.WritePlan:
    plan = plan_write({M / name: text for name, text in files.items()}, root, {M})
    apply_changes(plan.changes, root, force=force)
    return plan


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# -- #6: only tfgen's own files are overwritten or deleted --------------------------


def test_users_own_terraform_beside_the_module_is_kept_and_reported(run_cli, tmp_path):
    out = tmp_path / "out"
    assert _render(run_cli, out).exit_code == 0
    module = out / "iris-classifier" / "aws-ecs"
    (module / "custom.tf").write_text('resource "aws_sns_topic" "mine" {}\n')
    (module / "override.tf").write_text("# the user's override\n")
    result = _render(run_cli, out)
    assert result.exit_code == 0, result.stderr
    assert (module / "custom.tf").read_text() == 'resource "aws_sns_topic" "mine" {}\n'
    assert (module / "override.tf").read_text() == "# the user's override\n"
    assert f"kept {module / 'custom.tf'} (not written by tfgen)\n" in result.stderr
    assert f"kept {module / 'override.tf'} (not written by tfgen)\n" in result.stderr
    assert "0 file(s) changed" in result.stderr


def test_hand_edited_rendered_file_is_refused_unless_force(run_cli, tmp_path):
    out = tmp_path / "out"
    _render(run_cli, out)
    main_tf = out / "iris-classifier" / "aws-ecs" / "main.tf"
    edited = main_tf.read_text() + "# my hand edit\n"
    main_tf.write_text(edited)

    refused = _render(run_cli, out)
    assert refused.exit_code == 1
    assert "Traceback" not in refused.stderr
    assert refused.stderr.startswith(
        "refusing to overwrite or delete 1 file(s) tfgen did not write as they are now:\n"
        f"  {main_tf} (edited since tfgen wrote it)\n"
    )
    assert "`tfgen render --force`" in refused.stderr and "separate *.tf file" in refused.stderr
    assert main_tf.read_text() == edited

    check = _render(run_cli, out, "--check")
    assert check.exit_code == 1
    assert f"would update: {main_tf} (edited since tfgen wrote it)\n" in check.stderr

    forced = _render(run_cli, out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert f"updated {main_tf} (discarding: edited since tfgen wrote it)\n" in forced.stderr
    assert "# my hand edit" not in main_tf.read_text()
    assert _render(run_cli, out, "--check").exit_code == 0


def test_plan_and_apply_refuse_a_hand_edited_module_instead_of_reverting_it(run_cli, tmp_path):
    """Before: `tfgen plan/apply SPEC --target T` re-rendered first and silently reverted the edit."""
    modules = tmp_path / "modules"
    _render(run_cli, modules)
    module = modules / "iris-classifier" / "aws-ecs"
    (module / "variables.tf").write_text((module / "variables.tf").read_text() + "# tuned by hand\n")
    (module / "providers.tf").write_text((module / "providers.tf").read_text().replace("us-east-1", "eu-west-1"))
    for command in ("plan", "apply"):
        result = run_cli(
            command,
            IRIS,
            "--target",
            "aws-ecs",
            "--modules-dir",
            str(modules),
            "--auto-approve" if command == "apply" else "--summary=json",
        )
        assert result.exit_code == 1, result.stderr
        assert result.stderr == (
            "refusing to overwrite or delete 2 file(s) tfgen did not write as they are now:\n"
            f"  {module / 'providers.tf'} (edited since tfgen wrote it)\n"
            f"  {module / 'variables.tf'} (edited since tfgen wrote it)\n"
            "put your own resources in a separate *.tf file beside the rendered ones (tfgen keeps it), "
            "or discard the edits with `tfgen render --force`\n"
        )
    assert "eu-west-1" in (module / "providers.tf").read_text()
    assert "# tuned by hand" in (module / "variables.tf").read_text()


def test_stale_files_tfgen_wrote_are_deleted_but_not_once_edited(tmp_path):
    _write(tmp_path, {"main.tf": "a\n", "scaling.tf": "s\n", "old.tf": "o\n"})
    plan = _write(tmp_path, {"main.tf": "a\n", "scaling.tf": "s\n"})
    assert [(str(c.path), c.kind) for c in plan.changes] == [
        ("svc/aws-ecs/.tfgen-manifest.json", "update"),
        ("svc/aws-ecs/old.tf", "delete"),
    ]
    assert not (tmp_path / M / "old.tf").exists()

    (tmp_path / M / "scaling.tf").write_text("s\n# edited\n")
    plan = plan_write({M / "main.tf": "a\n"}, tmp_path, {M})
    assert [(str(c.path), c.kind, c.conflict) for c in plan.conflicts] == [
        ("svc/aws-ecs/scaling.tf", "delete", "edited since tfgen wrote it")
    ]
    with pytest.raises(writer.EditedFilesError):
        apply_changes(plan.changes, tmp_path)
    assert (tmp_path / M / "scaling.tf").read_text() == "s\n# edited\n"


def test_a_module_without_manifest_adopts_identical_files_and_refuses_others(tmp_path):
    """Modules rendered before manifests existed: same bytes are adopted, different ones are not assumed ours."""
    folder = tmp_path / M
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text("same\n")
    (folder / "outputs.tf").write_text("older\n")
    (folder / "custom.tf").write_text("mine\n")
    plan = plan_write({M / "main.tf": "same\n", M / "outputs.tf": "newer\n"}, tmp_path, {M})
    assert [(str(c.path), c.conflict) for c in plan.conflicts] == [("svc/aws-ecs/outputs.tf", "not written by tfgen")]
    assert plan.kept == [M / "custom.tf"]
    apply_changes(plan.changes, tmp_path, force=True)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == ["main.tf", "outputs.tf"]  # custom.tf is not tfgen's
    assert (folder / "custom.tf").read_text() == "mine\n"


# -- #8: symlinks below the output root are never followed ---------------------------


def test_a_symlinked_stale_file_does_not_delete_its_target(tmp_path):
    """Before: `extra.tf -> ../../keep/precious.tf` in a module deleted precious.tf."""
    _write(tmp_path, {"main.tf": "a\n", "extra.tf": "e\n"})
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious.tf").write_text("precious\n")
    extra = tmp_path / M / "extra.tf"
    extra.unlink()
    extra.symlink_to("../../keep/precious.tf")
    with pytest.raises(WriteError, match=f"^refusing to follow a symlink inside the output root: {extra}$"):
        _write(tmp_path, {"main.tf": "a\n"}, force=True)
    assert (keep / "precious.tf").read_text() == "precious\n"


def test_a_rendered_file_linked_into_another_module_is_not_overwritten(run_cli, tmp_path):
    """Before: a module's main.tf linked to another module's main.tf overwrote the other one."""
    out = tmp_path / "out"
    _render(run_cli, out)
    other = out / "other" / "aws-ecs"
    other.mkdir(parents=True)
    (other / "main.tf").write_text("another module\n")
    main_tf = out / "iris-classifier" / "aws-ecs" / "main.tf"
    main_tf.unlink()
    main_tf.symlink_to(other / "main.tf")
    result = _render(run_cli, out, "--force")
    assert result.exit_code == 1
    assert result.stderr == f"refusing to follow a symlink inside the output root: {main_tf}\n"
    assert (other / "main.tf").read_text() == "another module\n"


def test_a_symlinked_module_folder_is_refused(run_cli, tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "iris-classifier").mkdir(parents=True)
    (out / "iris-classifier" / "aws-ecs").symlink_to(elsewhere)
    for extra in ((), ("--check",)):
        result = _render(run_cli, out, *extra)
        assert result.exit_code == 1
        assert result.stderr == (
            f"refusing to follow a symlink inside the output root: {out / 'iris-classifier' / 'aws-ecs'}\n"
        )
    assert list(elsewhere.iterdir()) == []


# -- #9: a module is written whole or not at all; one render at a time ----------------


def test_disk_full_on_a_first_render_leaves_nothing(run_cli, tmp_path, monkeypatch):
    """Before: a full disk left 13 of 15 files, without versions.tf."""
    real_open = os.open

    def full_disk(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and str(path).endswith("versions.tf"):  # staged under any temp name
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(writer.os, "open", full_disk)
    out = tmp_path / "out"
    result = _render(run_cli, out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"cannot write {out / 'iris-classifier' / 'aws-ecs' / 'versions.tf'}: "
        "No space left on device; nothing was changed\n"
    )
    assert [p for p in out.rglob("*")] == []  # not one file, not one folder


@pytest.mark.parametrize("umask", [0o077, 0o022, 0o002])
def test_a_new_module_is_staged_whole_and_appears_in_one_rename(run_cli, tmp_path, monkeypatch, umask):
    """A folder that does not exist yet is written as a staged tree renamed into place at once: the base
    module and the prod one (same service folder) appear together; files are 0644 whatever the umask."""
    out = tmp_path / "out"
    real_rename, renames = os.rename, []

    def recording_rename(src, dst):
        renames.append((Path(src).name, Path(dst), sorted(p.name for p in Path(src).rglob("*") if p.is_file())))
        assert not Path(dst).exists()  # nothing of the module is visible before the rename
        return real_rename(src, dst)

    monkeypatch.setattr(writer.os, "rename", recording_rename)
    old_umask = os.umask(umask)
    try:
        assert _render(run_cli, out).exit_code == 0
    finally:
        os.umask(old_umask)
    [(staged, final, names)] = renames
    assert staged.startswith(".tfgen-stage-") and final == out / "iris-classifier"
    written = sorted(p for p in final.rglob("*") if p.is_file())
    assert sorted(p.name for p in written) == names and len(written) == 32  # 2 modules x (15 files + manifest)
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o644"}
    assert sorted(p.name for p in out.iterdir()) == ["iris-classifier"]  # no staging folder left


def test_a_failed_swap_also_removes_a_new_module_of_the_same_render(tmp_path, monkeypatch):
    _write(tmp_path, {"a.tf": "1\n"})
    new = PurePosixPath("svc/aws-lambda")
    plan = plan_write({M / "a.tf": "2\n", new / "b.tf": "new\n"}, tmp_path, {M, new})

    def failing_replace(src, dst):
        raise OSError(errno.EIO, "Input/output error", str(dst))

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(WriteError, match="rolled back: the module is as it was"):
        apply_changes(plan.changes, tmp_path)
    assert sorted(p.name for p in (tmp_path / "svc").iterdir()) == ["aws-ecs"]  # the new module went too
    assert (tmp_path / M / "a.tf").read_text() == "1\n"
    assert sorted(p.name for p in (tmp_path / M).iterdir()) == [MANIFEST_NAME, "a.tf"]


def test_a_staged_tree_left_by_a_killed_render_is_removed(run_cli, tmp_path):
    out = tmp_path / "out"
    leftover = out / ".tfgen-stage-0123456789ab-iris-classifier" / "aws-ecs"
    leftover.mkdir(parents=True)
    (leftover / "main.tf").write_text("half written\n")
    assert _render(run_cli, out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["iris-classifier"]


def test_a_symlink_above_a_new_module_is_refused(run_cli, tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "iris-classifier").symlink_to(elsewhere)  # the module folders below it do not exist yet
    for extra in ((), ("--check",)):
        result = _render(run_cli, out, *extra)
        assert result.exit_code == 1
        assert result.stderr == f"refusing to follow a symlink inside the output root: {out / 'iris-classifier'}\n"
    assert list(elsewhere.iterdir()) == []


def test_a_failed_swap_rolls_the_whole_module_back(run_cli, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _render(run_cli, out)
    module = out / "iris-classifier" / "aws-ecs"
    before = _snapshot(module)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the manifest and one file were swapped in already
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    spec = tmp_path / "iris.yaml"
    spec.write_text(Path(IRIS).read_text().replace("ml-platform", "ml-platform-2"))  # a tag in many files
    monkeypatch.setattr(writer.os, "replace", failing_replace)
    failed = run_cli("render", str(spec), "-o", str(out), "--target", "aws-ecs")
    assert failed.exit_code == 1
    assert "Input/output error; rolled back: the module is as it was" in failed.stderr
    assert _snapshot(module) == before  # every file, the manifest included, and no temp or backup files


def test_a_render_killed_mid_swap_leaves_files_the_next_render_owns(tmp_path, monkeypatch):
    """The manifest goes in first and accepts old and new hashes until the end."""
    _write(tmp_path, {"a.tf": "1\n", "b.tf": "1\n", "c.tf": "1\n"})
    real_replace, calls = os.replace, []

    def killed(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt  # stands in for SIGKILL: no rollback either
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", killed)
    monkeypatch.setattr(writer, "_rollback", lambda done: "")
    with pytest.raises(KeyboardInterrupt):
        _write(tmp_path, {"a.tf": "2\n", "b.tf": "2\n", "c.tf": "2\n"})
    monkeypatch.undo()
    contents = {name: (tmp_path / M / name).read_text() for name in ("a.tf", "b.tf", "c.tf")}
    assert contents == {"a.tf": "2\n", "b.tf": "1\n", "c.tf": "1\n"}  # half swapped
    plan = _write(tmp_path, {"a.tf": "2\n", "b.tf": "2\n", "c.tf": "2\n"})  # no --force needed
    assert plan.conflicts == []
    assert {name: (tmp_path / M / name).read_text() for name in contents} == dict.fromkeys(contents, "2\n")
    assert sorted(p.name for p in (tmp_path / M).iterdir()) == [MANIFEST_NAME, "a.tf", "b.tf", "c.tf"]


def test_the_output_root_is_locked_during_a_render(run_cli, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    program = (
        "import sys, time; from pathlib import Path; from generator.writer import output_lock\n"
        "with output_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", program, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        monkeypatch.setattr(writer, "LOCK_TIMEOUT", 0.5)
        result = _render(run_cli, out)
        assert result.exit_code == 1
        assert result.stderr == f"another tfgen has been writing into {out} for 0 s; try again when it is done\n"
        assert list(out.iterdir()) == []
    finally:
        holder.kill()
        holder.wait()
    assert _render(run_cli, out).exit_code == 0  # released when its holder is gone


def test_a_file_changed_between_plan_and_write_is_not_overwritten(tmp_path):
    _write(tmp_path, {"main.tf": "1\n"})
    plan = plan_write({M / "main.tf": "2\n"}, tmp_path, {M})
    (tmp_path / M / "main.tf").write_text("written by someone else meanwhile\n")
    with pytest.raises(WriteError, match="changed while tfgen was rendering; nothing was written"):
        apply_changes(plan.changes, tmp_path)
    assert (tmp_path / M / "main.tf").read_text() == "written by someone else meanwhile\n"


def test_concurrent_renders_of_two_specs_never_mix_a_module(tmp_path):
    """Before: two renders of different specs into one root at once mixed providers.tf in 1 of 20 rounds."""
    specs = {}
    for region in ("us-east-1", "eu-west-1"):
        specs[region] = tmp_path / f"{region}.yaml"
        specs[region].write_text(Path(IRIS).read_text().replace("us-east-1", region))
    expected = {}
    for region, spec in specs.items():
        reference = tmp_path / f"reference-{region}"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "render",
                str(spec),
                "-o",
                str(reference),
                "--target",
                "aws-ecs",
                "--env",
                "prod",
            ],
            check=False,
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        expected[region] = _snapshot(reference / "iris-classifier" / "prod" / "aws-ecs")
    out = tmp_path / "out"
    for _round in range(3):  # the lock test above is the deterministic proof; this checks the whole path
        renders = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "generator",
                    "render",
                    str(spec),
                    "-o",
                    str(out),
                    "--target",
                    "aws-ecs",
                    "--env",
                    "prod",
                ],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for spec in specs.values()
        ]
        for render in renders:
            _stdout, stderr = render.communicate(timeout=300)
            assert render.returncode == 0, stderr
        module = _snapshot(out / "iris-classifier" / "prod" / "aws-ecs")
        assert module in expected.values(), "a module mixed from two renders"


def test_a_new_folder_someone_fills_between_plan_and_write_keeps_their_files(tmp_path):
    """A module planned as a new tree (its folder missing) whose folder appears before the write: a file
    of the same name is never overwritten, and a file of another name is left as it is."""
    plan = plan_write({M / "main.tf": "2\n"}, tmp_path, {M})
    assert [c.kind for c in plan.changes] == ["create", "create"]
    (tmp_path / M).mkdir(parents=True)
    (tmp_path / M / "main.tf").write_text("written by someone else meanwhile\n")
    with pytest.raises(WriteError, match="changed while tfgen was rendering; nothing was written"):
        apply_changes(plan.changes, tmp_path)
    assert sorted(p.name for p in (tmp_path / M).iterdir()) == ["main.tf"]
    assert (tmp_path / M / "main.tf").read_text() == "written by someone else meanwhile\n"

    (tmp_path / M / "main.tf").unlink()
    (tmp_path / M / "notes.txt").write_text("mine\n")
    apply_changes(plan.changes, tmp_path)
    assert (tmp_path / M / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / M / "main.tf").read_text() == "2\n"
