"""Issue 17, the spec part: `kind: service|job` and the `job` section.

Every refusal is checked with its whole message and its FILE:LINE:COL, also where
the field came from an environment or a `targets.<t>` override. Job specs run on
aws-batch (the target that takes jobs); its own rules are tests/test_target_aws_batch.py's.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from generator import spec_kind
from generator.errors import SpecError
from generator.model import Job, S3Location, normalize, parse_s3_location
from generator.overlay import apply_environment
from generator.spec import load_bytes
from generator.targets import registry
from generator.validate import validate
from tests.support import EXAMPLES

FILE = "job.yaml"

JOB = """\
name: scorer
kind: job
container:
  image: ghcr.io/example/scorer:1.0
job:
  input: s3://scoring-in/batches/
  output: s3://scoring-out/scores/
targets:
  aws-batch:
    region: us-east-1
"""


def _load(text: str):
    return load_bytes(textwrap.dedent(text).encode(), FILE)


def _problems(text: str) -> list[str]:
    """Every problem validation finds, as the CLI prints them ([] for a valid spec)."""
    try:
        validate(_load(text))
    except SpecError as caught:
        return [str(p) for p in caught.problems]
    return []


def _takers(kind: str) -> str:
    return ", ".join(t.name for t in registry.TARGETS if kind in t.kinds)


def _kind_refusal(line: int = 2) -> str:
    """What validation says of the aws-ecs target on a job spec (`kind: job` on line `line`)."""
    return f"{FILE}:{line}:1: kind: AWS ECS/Fargate (aws-ecs) takes a service, not a job; targets that take a job: {_takers('job')}"


def _at(text: str, needle: str, occurrence: int = 1) -> str:
    """LINE:COL (1-based) of the `occurrence`-th `needle` in `text`: where a refusal must point."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _service_only(where: str, field: str, why: str) -> str:
    return f"{FILE}:{where}: {field}: only for a service, and this spec is a job (`kind: job`): {why}; remove it"


# --- the model ---------------------------------------------------------------------------------


def test_a_job_spec_normalizes_with_its_defaults():
    spec = normalize(_load(JOB).data)
    assert spec.kind == "job"
    assert spec.job == Job(
        input=S3Location("s3://scoring-in/batches/", "scoring-in", "batches/"),
        output=S3Location("s3://scoring-out/scores/", "scoring-out", "scores/"),
        attempts=1,
        timeout_seconds=None,
        array_size=None,
        schedule=None,
    )
    assert (spec.job.input_env, spec.job.output_env) == ("INPUT_URI", "OUTPUT_URI")
    # the locations are the target's to pass (input_env/output_env), not plain container variables
    assert "INPUT_URI" not in spec.container.env and "OUTPUT_URI" not in spec.container.env
    assert spec.description == "scorer batch job"  # a service's default stays "<name> model service"


def test_every_job_field_reaches_the_model():
    text = JOB.replace(
        "  output: s3://scoring-out/scores/\n",
        "  output: s3://scoring-out/scores/\n  retries: 3\n  timeout_seconds: 3600\n  array_size: 100\n"
        '  schedule: "cron(0 2 * * ? *)"\n',
    )
    job = normalize(_load(text).data).job
    assert job is not None
    assert (job.attempts, job.timeout_seconds, job.array_size, job.schedule) == (3, 3600, 100, "cron(0 2 * * ? *)")


def test_the_location_variables_can_be_named_as_existing_job_code_expects():
    text = JOB.replace(
        "  output: s3://scoring-out/scores/\n",
        "  output: s3://scoring-out/scores/\n  input_env: INPUT_PATH\n  output_env: OUTPUT_PATH\n",
    )
    spec = normalize(_load(text).data)
    assert spec.job is not None and (spec.job.input_env, spec.job.output_env) == ("INPUT_PATH", "OUTPUT_PATH")
    assert _problems(text) == []
    clash = text + "container: {image: ghcr.io/example/scorer:1.0, env: {INPUT_PATH: x}}\n"
    clash = clash.replace("container:\n  image: ghcr.io/example/scorer:1.0\n", "")
    assert _problems(clash) == [
        f"{FILE}:{_at(clash, 'INPUT_PATH: x')}: container.env.INPUT_PATH: `INPUT_PATH` carries job.input to the "
        "job's container; remove it from container.env",
    ]


def test_input_and_output_need_variables_of_their_own():
    text = JOB.replace(
        "  output: s3://scoring-out/scores/\n", "  output: s3://scoring-out/scores/\n  output_env: INPUT_URI\n"
    )
    assert _problems(text) == [
        f"{FILE}:{_at(text, 'output_env')}: job.output_env: `INPUT_URI` already carries job.input; "
        "name the output's variable otherwise",
    ]


@pytest.mark.parametrize(
    "uri, bucket, key, is_prefix",
    [
        ("s3://scoring-in/batches/2024/in.jsonl", "scoring-in", "batches/2024/in.jsonl", False),
        ("s3://scoring-in/batches/", "scoring-in", "batches/", True),
        ("s3://scoring-in/", "scoring-in", "", True),  # the whole bucket
    ],
)
def test_s3_locations_parse_as_the_model_uri_does(uri, bucket, key, is_prefix):
    location = parse_s3_location(uri)
    assert (location.uri, location.bucket, location.key, location.is_prefix) == (uri, bucket, key, is_prefix)


def test_a_service_spec_has_kind_service_and_no_job():
    spec = validate(
        _load(
            "name: scorer\ncontainer: {image: ghcr.io/example/scorer:1.0}\ntargets:\n  aws-ecs: {region: us-east-1}\n"
        )
    )
    assert (spec.kind, spec.job, spec.description) == ("service", None, "scorer model service")


def _examples(kind: str) -> list:
    import yaml

    return [p for p in sorted(EXAMPLES.glob("*.yaml")) if yaml.safe_load(p.read_text()).get("kind", "service") == kind]


@pytest.mark.parametrize("example", _examples("service"), ids=lambda p: p.name)
def test_the_service_examples_are_unchanged_services(example):
    """Each service example stays a service; its rendered modules staying byte-identical is
    tests/test_render_core.py's `render examples/*.yaml --check`."""
    from generator.spec import load_file

    spec = validate(load_file(example))
    assert (spec.kind, spec.job) == ("service", None)


@pytest.mark.parametrize("example", _examples("job"), ids=lambda p: p.name)
def test_the_job_examples_are_jobs(example):
    from generator.spec import load_file

    spec = validate(load_file(example))
    assert spec.kind == "job" and spec.job is not None and spec.job.output.is_prefix


def test_there_are_examples_of_both_kinds():
    assert _examples("service") and _examples("job")


def test_environments_deep_merge_the_job_section():
    loaded = _load(JOB + "environments:\n" + "  prod:\n" + "    job: {output: s3://scoring-prod/scores/, retries: 5}\n")
    base = normalize(apply_environment(loaded, None).data)
    prod = normalize(apply_environment(loaded, "prod").data, "prod")
    assert base.job is not None and prod.job is not None
    assert prod.job.input == base.job.input  # kept from the base
    assert prod.job.output == S3Location("s3://scoring-prod/scores/", "scoring-prod", "scores/")
    assert (base.job.attempts, prod.job.attempts) == (1, 5)


def test_validation_merges_the_job_section_of_each_environment():
    loaded = _load(
        JOB + "environments:\n  prod:\n    job: {output: s3://scoring-prod/scores/, schedule: rate(1 day)}\n"
    )
    base, prod = validate(loaded), validate(loaded, "prod")
    assert base.job is not None and prod.job is not None
    assert (base.job.output.bucket, base.job.schedule) == ("scoring-out", None)
    assert (prod.job.output.bucket, prod.job.schedule, prod.job.input) == (
        "scoring-prod",
        "rate(1 day)",
        base.job.input,
    )


def test_a_bad_job_field_in_an_environment_is_located_there():
    text = JOB + "environments:\n  prod:\n    job: {retries: 11, output: s3://scoring-prod/scores}\n"
    retries, output = _problems(text)
    assert retries == f"{FILE}:{_at(text, '11')}: job.retries: 11 is too large; maximum is 10"
    assert output.startswith(
        f'{FILE}:{_at(text, "s3://scoring-prod")}: job.output: "s3://scoring-prod/scores" is not valid: {OUTPUT_HINT}'
    )


# --- the kind and the targets ------------------------------------------------------------------


def test_a_valid_job_spec_passes():
    assert _problems(JOB) == []


def test_a_job_on_a_target_that_takes_services_is_refused_at_kind():
    text = JOB + "  aws-ecs: {region: us-east-1}\n"
    assert _problems(text) == [_kind_refusal()]
    assert _takers("job") == "aws-batch"


SERVICE_ON_BATCH = """\
name: scorer
container: {image: ghcr.io/example/scorer:1.0}
targets:
  aws-batch: {region: us-east-1}
"""


def test_a_service_on_a_target_that_takes_only_jobs_is_refused_at_the_target():
    assert _problems(SERVICE_ON_BATCH) == [
        f"{FILE}:4:3: targets.aws-batch: AWS Batch takes a job, and this spec is a service (`kind` is not set, "
        f"and defaults to `service`): set `kind: job`, or use a target that takes a service: {_takers('service')}"
    ]


def test_a_service_said_so_on_a_target_that_takes_only_jobs_is_refused_at_kind():
    assert _problems("kind: service\n" + SERVICE_ON_BATCH) == [
        f"{FILE}:1:1: kind: AWS Batch (aws-batch) takes a job, not a service; targets that take a service: "
        f"{_takers('service')}"
    ]


def test_a_refused_target_adds_none_of_its_own_findings():
    """aws-ecs refuses cpu 3 (not a Fargate size); on a job spec only the kind's refusal is said."""
    ecs = "  aws-ecs: {region: us-east-1, resources: {cpu: 3, memory: 1000}}\n"
    assert _problems(JOB + ecs) == [_kind_refusal()]
    # the control: on a service the same target says it
    service = "name: scorer\ncontainer: {image: ghcr.io/example/scorer:1.0}\ntargets:\n" + ecs
    assert _problems(service) == [
        f"{FILE}:4:44: targets.aws-ecs.resources.cpu: Fargate supports cpu 0.25, 0.5, 1, 2, 4, 8, 16; got 3"
    ]


def test_a_target_taking_both_kinds_is_never_refused(monkeypatch):
    real_get = registry.get
    both = replace(real_get("aws-ecs"), kinds=frozenset({"service", "job"}))
    monkeypatch.setattr(registry, "get", lambda name: both if name == "aws-ecs" else real_get(name))
    assert spec_kind.check_targets(normalize(_load(JOB).data)) == []


def test_the_target_contract_defaults_to_services():
    services = [t.name for t in registry.TARGETS if t.kinds == frozenset({"service"})]
    assert {"aws-ecs", "aws-lambda", "gcp-cloud-run", "kubernetes"} <= set(services)
    assert all(t.kinds and t.kinds <= {"service", "job"} for t in registry.TARGETS)


def test_kind_is_the_same_in_every_environment():
    text = JOB + "environments:\n  dev:\n    kind: service\n"
    assert _problems(text) == [
        f"{FILE}:{_at(text, 'kind', 2)}: environments.dev.kind: unknown field; allowed here: container, description, job, labels, "
        "model, network, observability, permissions, resources, scaling, state, targets"
    ]


def test_an_unknown_kind_is_refused():
    assert _problems(JOB.replace("kind: job", "kind: cronjob")) == [
        f'{FILE}:2:7: kind: "cronjob" is not allowed; expected one of: service, job'
    ]


# --- fields of the other kind ------------------------------------------------------------------


BARE_JOB = """\
name: scorer
kind: job
job: {input: s3://scoring-in/batches/, output: s3://scoring-out/scores/}
targets:
  aws-batch: {region: us-east-1}
"""


@pytest.mark.parametrize(
    "sections, key, field, why",
    [
        (
            "container: {image: ghcr.io/example/scorer:1.0, port: 9000}",
            "port",
            "container.port",
            "a job listens on no port",
        ),
        (
            "container: {image: ghcr.io/example/scorer:1.0, health_check: {path: /ready}}",
            "health_check",
            "container.health_check",
            "a job is not health-checked over HTTP (it succeeds by exiting 0)",
        ),
        (
            "container: {image: ghcr.io/example/scorer:1.0, startup_seconds: 300}",
            "startup_seconds",
            "container.startup_seconds",
            "a job has no model-load window (job.timeout_seconds limits a whole attempt)",
        ),
        ("network: {public: false}", "public", "network.public", "a job has no endpoint to expose"),
        (
            "network: {allowed_cidrs: [10.0.0.0/8]}",
            "allowed_cidrs",
            "network.allowed_cidrs",
            "a job has no endpoint to reach",
        ),
        (
            "scaling: {max: 1}",
            "scaling",
            "scaling",
            "a job does not scale on load (job.array_size runs it as parallel children)",
        ),
        (
            "observability: {alarms: {error_rate_percent: 5}}",
            "error_rate_percent",
            "observability.alarms.error_rate_percent",
            "a job serves no requests (its failed runs alarm on their own)",
        ),
    ],
)
def test_service_only_fields_the_user_set_are_refused_on_a_job(sections, key, field, why):
    if not sections.startswith("container:"):
        sections = "container: {image: ghcr.io/example/scorer:1.0}\n" + sections
    text = BARE_JOB + sections + "\n"
    assert _problems(text) == [_service_only(_at(text, key), field, why)]


def test_service_only_defaults_are_not_refused():
    """container.port's default 8080, network.public false ... are the user's only when written."""
    assert _problems(JOB) == []


def test_a_service_only_field_from_an_environment_is_refused_at_the_environment():
    text = JOB + "environments:\n  prod:\n    scaling: {min: 2}\n    container: {port: 9000}\n"
    assert _problems(text) == [
        _service_only(
            _at(text, "scaling"),
            "scaling",
            "a job does not scale on load (job.array_size runs it as parallel children)",
        ),
        _service_only(_at(text, "port"), "container.port", "a job listens on no port"),
    ]


def test_a_service_only_field_from_a_target_override_is_refused_at_the_override():
    text = JOB + "    scaling: {max: 4}\n    container: {health_check: {path: /ready}}\n"
    assert _problems(text) == [
        _service_only(
            _at(text, "scaling"),
            "targets.aws-batch.scaling",
            "a job does not scale on load (job.array_size runs it as parallel children)",
        ),
        _service_only(
            _at(text, "health_check"),
            "targets.aws-batch.container.health_check",
            "a job is not health-checked over HTTP (it succeeds by exiting 0)",
        ),
    ]


SERVICE_WITH_JOB = """\
name: scorer
container: {image: ghcr.io/example/scorer:1.0}
job: {input: s3://scoring-in/batches/, output: s3://scoring-out/scores/}
targets:
  aws-ecs: {region: us-east-1}
"""


def test_a_job_section_on_a_service_is_refused():
    assert _problems(SERVICE_WITH_JOB) == [
        f"{FILE}:3:1: job: only for a batch job (`kind: job`), and this spec is a service (`kind` is not set, "
        "and defaults to `service`); remove it or set `kind: job`"
    ]
    assert _problems("kind: service\n" + SERVICE_WITH_JOB) == [
        f"{FILE}:4:1: job: only for a batch job (`kind: job`), and this spec is a service (`kind: service`); "
        "remove it or set `kind: job`"
    ]


def test_a_job_section_from_an_environment_on_a_service_is_refused_there():
    text = SERVICE_WITH_JOB.replace("job: {input: s3://scoring-in/batches/, output: s3://scoring-out/scores/}\n", "")
    text += "environments:\n  prod:\n    job: {input: s3://scoring-in/batches/, output: s3://scoring-out/scores/}\n"
    assert _problems(text) == [
        f"{FILE}:7:5: job: only for a batch job (`kind: job`), and this spec is a service (`kind` is not set, "
        "and defaults to `service`); remove it or set `kind: job`"
    ]


def test_targets_overrides_do_not_take_job():
    text = JOB + "    job: {retries: 2}\n"
    (problem,) = _problems(text)  # the schema's refusal comes first: nothing else is checked
    assert problem.startswith(f"{FILE}:{_at(text, 'job', 3)}: targets.aws-batch.job: unknown field; allowed here: ")


def test_a_job_without_its_section_is_refused_at_kind():
    text = JOB.replace("job:\n  input: s3://scoring-in/batches/\n  output: s3://scoring-out/scores/\n", "")
    assert _problems(text) == [
        f"{FILE}:2:1: kind: a job needs the `job` section (at least job.input and job.output)",
    ]


@pytest.mark.parametrize("missing", ["input", "output"])
def test_input_and_output_are_required(missing):
    text = "\n".join(line for line in JOB.splitlines() if not line.startswith(f"  {missing}:")) + "\n"
    assert _problems(text) == [f"{FILE}:5:1: job: missing required field `{missing}`"]


@pytest.mark.parametrize(
    "container, section, variable, location",
    [
        ("{image: ghcr.io/example/scorer:1.0, env: {INPUT_URI: x}}", "env", "INPUT_URI", "job.input"),
        (
            "{image: ghcr.io/example/scorer:1.0, secrets: {OUTPUT_URI: out-token}}",
            "secrets",
            "OUTPUT_URI",
            "job.output",
        ),
    ],
)
def test_the_location_variables_are_the_jobs_own(container, section, variable, location):
    text = BARE_JOB + f"container: {container}\n"
    assert _problems(text) == [
        f"{FILE}:{_at(text, variable)}: container.{section}.{variable}: `{variable}` carries {location} to the "
        f"job's container; remove it from container.{section}",
    ]


def test_the_model_variable_may_not_be_a_location_variable():
    text = JOB.replace("job:\n", "model: {uri: s3://models/scorer/v1/, env: OUTPUT_URI}\njob:\n")
    assert _problems(text) == [
        f"{FILE}:{_at(text, 'env: OUTPUT_URI')}: model.env: `OUTPUT_URI` carries job.output to the job's "
        "container; name the model's variable otherwise",
    ]


@pytest.mark.parametrize(
    "model, output",
    [
        ("s3://scoring-out/models/v1/", "s3://scoring-out/"),  # the whole bucket holds the model
        ("s3://scoring-out/scores/model.pkl", "s3://scoring-out/scores/"),  # the model is in the output
        ("s3://scoring-out/models/", "s3://scoring-out/models/v2/"),  # the output is in the model's prefix
    ],
)
def test_the_job_may_not_write_where_the_model_is(model, output):
    text = BARE_JOB.replace("s3://scoring-out/scores/", output) + (
        f"container: {{image: ghcr.io/example/scorer:1.0}}\nmodel: {{uri: {model}}}\n"
    )
    assert _problems(text) == [
        f"{FILE}:{_at(text, 'output')}: job.output: `{output}` overlaps the model (`{model}`): the job may write under job.output, "
        "so a run could overwrite the model; write the results under another prefix",
    ]


@pytest.mark.parametrize(
    "model", ["s3://scoring-models/scorer/v1/", "s3://scoring-out/models/", "s3://scoring-out/scores-v1.pkl"]
)
def test_a_model_beside_the_output_is_fine(model):
    text = BARE_JOB + f"container: {{image: ghcr.io/example/scorer:1.0}}\nmodel: {{uri: {model}}}\n"
    assert _problems(text) == []


# --- the job's own limits ----------------------------------------------------------------------


def _with_job_fields(lines: str) -> str:
    return JOB.replace("  output: s3://scoring-out/scores/\n", "  output: s3://scoring-out/scores/\n" + lines)


@pytest.mark.parametrize(
    "line, message",
    [
        ("retries: 0", "0 is too small; minimum is 1"),
        ("retries: 11", "11 is too large; maximum is 10"),
        ("timeout_seconds: 59", "59 is too small; minimum is 60"),
        ("array_size: 1", "1 is too small; minimum is 2"),
        ("array_size: 10001", "10001 is too large; maximum is 10000"),
        ("retries: 1.5", "expected a whole number, got number 1.5"),
    ],
)
def test_job_limits(line, message):
    field = line.split(":")[0]
    column = len(field) + 5  # "  <field>: " then the value
    assert _problems(_with_job_fields(f"  {line}\n")) == [f"{FILE}:8:{column}: job.{field}: {message}"]


@pytest.mark.parametrize("retries, timeout, size", [(1, 60, 2), (10, 86400, 10000)])
def test_job_limits_at_their_edges_are_accepted(retries, timeout, size):
    text = _with_job_fields(f"  retries: {retries}\n  timeout_seconds: {timeout}\n  array_size: {size}\n")
    assert _problems(text) == []


SCHEDULE_HINT = "Submit the job on a schedule, in EventBridge Scheduler syntax"


@pytest.mark.parametrize(
    "schedule",
    [
        "cron(0 2 * * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 10 L * ? 2030)",
        "cron(30 6 ? * 2#1 *)",
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 day)",
        "rate(12 hours)",
    ],
)
def test_schedules_eventbridge_scheduler_takes_are_accepted(schedule):
    assert _problems(_with_job_fields(f'  schedule: "{schedule}"\n')) == []


@pytest.mark.parametrize(
    "schedule",
    [
        "0 2 * * *",  # plain crontab
        "cron(0 2 * * ?)",  # five fields
        "cron(0 2 * * ? * *)",  # seven
        "cron(0  2 * * ? *)",  # two spaces
        "rate(1 days)",
        "rate(2 day)",
        "rate(0 minutes)",
        "rate(5 seconds)",
        "at(2030-01-01T00:00:00)",  # one-time schedules: not supported
        "cron(0 2 * * ? *)\n",
        "rate(1 day) ",
    ],
)
def test_schedules_that_are_not_cron_or_rate_are_refused(schedule):
    import json

    (problem,) = _problems(_with_job_fields(f"  schedule: {json.dumps(schedule)}\n"))
    assert problem.startswith(f"{FILE}:8:13: job.schedule: {json.dumps(schedule)} is not valid: {SCHEDULE_HINT}")


@pytest.mark.parametrize("schedule", ["cron(0 2 * * * *)", "cron(0 2 ? * ? *)", "cron(0 2 1 * MON *)"])
def test_a_cron_schedule_needs_exactly_one_question_mark_day(schedule):
    fields = schedule[5:-1].split(" ")
    assert _problems(_with_job_fields(f'  schedule: "{schedule}"\n')) == [
        f"{FILE}:8:3: job.schedule: day-of-month is `{fields[2]}` and day-of-week is `{fields[4]}`: exactly one "
        "of them must be `?` (EventBridge Scheduler), e.g. cron(0 2 * * ? *) for 02:00 UTC every day",
    ]


OUTPUT_HINT = "Where the job writes: an S3 prefix `s3://BUCKET/PREFIX/`, ending in `/`"
INPUT_HINT = "What the job reads: `s3://BUCKET/KEY`"


@pytest.mark.parametrize(
    "field, value, hint",
    [
        ("output", "s3://scoring-out/scores", OUTPUT_HINT),  # an object, not a prefix
        ("output", "s3://scoring-out", OUTPUT_HINT),
        ("output", "gs://scoring-out/scores/", OUTPUT_HINT),
        ("output", "s3://scoring-out/scores/*/", OUTPUT_HINT),
        ("output", "s3://scoring-out//", OUTPUT_HINT),
        ("output", "s3://scoring-out/scores/\n", OUTPUT_HINT),
        ("input", "s3://scoring-in/batches/*.jsonl", INPUT_HINT),
        ("input", "s3://Scoring-In/batches/", INPUT_HINT),
        ("input", "https://example.com/batches/", INPUT_HINT),
        ("input", "s3://scoring-in/$batch/", INPUT_HINT),
        ("input", "s3://scoring-in/batches/\n", INPUT_HINT),
    ],
)
def test_locations_that_are_not_plain_s3_are_refused(field, value, hint):
    import json

    line = 6 if field == "input" else 7
    text = JOB.replace(f"  {field}: s3://", f"  {field}: {json.dumps(value)}\n  x{field}: s3://")
    text = "\n".join(row for row in text.splitlines() if not row.startswith(f"  x{field}:")) + "\n"
    (problem,) = _problems(text)
    column = len(field) + 5
    assert problem.startswith(f"{FILE}:{line}:{column}: job.{field}: {json.dumps(value)} is not valid: {hint}")


@pytest.mark.parametrize(
    "field, value",
    [
        ("input", "s3://scoring-in/"),
        ("input", "s3://scoring-in/batches/2024-01-01/part-0001.jsonl"),
        ("output", "s3://scoring-out/"),
    ],
)
def test_whole_buckets_and_objects_are_accepted_where_they_fit(field, value):
    text = JOB.replace(
        "  input: s3://scoring-in/batches/" if field == "input" else "  output: s3://scoring-out/scores/",
        f"  {field}: {value}",
    )
    assert _problems(text) == []


def test_the_schema_says_where_job_is_taken():
    from generator.validate import schema

    job = schema()["$defs"]["job"]
    assert "`targets.<target>` overrides do not take it" in job["description"]
    assert (
        "job" in schema()["$defs"]["overlay"]["properties"] and "kind" not in schema()["$defs"]["overlay"]["properties"]
    )


def test_the_cli_reports_a_job_refusal_on_one_line_and_exits_1(run_cli, tmp_path):
    spec = tmp_path / FILE
    spec.write_text(BARE_JOB + "container: {image: ghcr.io/example/scorer:1.0, port: 9000}\n")
    result = run_cli("render", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        _service_only(_at(spec.read_text(), "port"), "container.port", "a job listens on no port").replace(
            FILE, str(spec), 1
        ),
    ]
    assert not (tmp_path / "out").exists()  # nothing written
