"""`tfgen emulator start|stop|status`"""

from __future__ import annotations

import click

from ..errors import EXIT_FINDINGS


@click.group("emulator")
def command() -> None:
    """Run a local AWS emulator (moto) for `--emulator` on plan/apply/destroy.

    The emulator listens on 127.0.0.1 on a free port; its pid, start time and
    port are recorded (in $TFGEN_STATE_DIR, else ~/.cache/tfgen) so later
    commands find it, and `stop` never signals a process it cannot prove is
    the one it started. It keeps what was created until it is stopped. Needs
    the emulator extra: pip install 'tfgen-ml[emulator]' (the distribution is
    tfgen-ml; PyPI's `tfgen` is an unrelated project).

    \b
    Example:
      tfgen emulator start
      tfgen plan examples/iris-classifier.yaml --target aws-ecs --emulator
      tfgen emulator stop
    """


@command.command("start")
def start() -> None:
    """Start the emulator (says so and exits 0 when it already runs)."""
    from ..runners import emulator

    running, already = emulator.start()
    if already:
        click.echo(f"emulator already running at {running.url} (pid {running.pid})")
    else:
        click.echo(f"emulator started at {running.url} (pid {running.pid})")


@command.command("stop")
def stop() -> None:
    """Stop the emulator; everything created in it is gone."""
    from ..runners import emulator

    stopped = emulator.stop()
    if stopped is None:
        click.echo("emulator was not running")
    else:
        click.echo(f"emulator stopped (pid {stopped.pid})")


@command.command("status")
def status() -> None:
    """Exit 0 and print its address when the emulator runs; exit 1 when not."""
    from ..runners import emulator

    running = emulator.status()
    if running is None:
        click.echo("emulator not running")
        raise SystemExit(EXIT_FINDINGS)
    state = "answering" if emulator.answers(running) else "NOT answering"
    click.echo(f"emulator running at {running.url} (pid {running.pid}, {state})")
    if state != "answering":
        raise SystemExit(EXIT_FINDINGS)
