data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Plain environment variables (never secrets): container.env, the model's location (model.env)
  # and the job's input and output locations.
  environment = {
    INPUT_URI  = "s3://example-scoring-data/churn/input/"
    LOG_LEVEL  = "info"
    MODEL_URI  = "s3://example-ml-artifacts/churn/2026-11-01/model.joblib"
    OUTPUT_URI = "s3://example-scoring-data/churn/predictions/"
  }
}

# A run of the job: the container, its size, where it reads and writes, as whom, and how it is retried.
# A change registers a new revision (the old one is deregistered); running jobs keep theirs.
resource "aws_batch_job_definition" "this" {
  name                  = "nightly-scoring"
  type                  = "container"
  platform_capabilities = ["FARGATE"]
  propagate_tags        = true

  container_properties = jsonencode({
    image            = var.image
    command          = ["python", "-m", "scorer", "--batch-size", "1024"]
    jobRoleArn       = aws_iam_role.job.arn
    executionRoleArn = aws_iam_role.execution.arn

    resourceRequirements = [
      { type = "VCPU", value = "2" },
      { type = "MEMORY", value = "4096" },
    ]

    environment = [for env_name, value in local.environment : { name = env_name, value = value }]

    # The image cannot change itself at run time; container.writable_paths are its
    # scratch space (the job's ephemeral storage).
    readonlyRootFilesystem = true
    volumes = [
      { name = "tmp" },
    ]
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "batch"
      }
    }

    fargatePlatformConfiguration = { platformVersion = "LATEST" }
    networkConfiguration         = { assignPublicIp = "DISABLED" }
    runtimePlatform              = { operatingSystemFamily = "LINUX", cpuArchitecture = "X86_64" }
  })

  # job.retries: 3 attempts in all, spent on Spot reclaims only; any other failure ends the job.
  retry_strategy {
    attempts = 3

    evaluate_on_exit {
      action           = "RETRY"
      on_status_reason = "Your Spot Task was interrupted*"
    }

    evaluate_on_exit {
      action    = "EXIT"
      on_reason = "*"
    }
  }

  # job.timeout_seconds: Batch stops an attempt that runs longer.
  timeout {
    attempt_duration_seconds = 3600
  }

  # The roles' permissions and the log group exist before a job first runs.
  depends_on = [aws_iam_role_policy.job, aws_iam_role_policy.execution]
}

# Jobs wait here for capacity; Spot first, on-demand when Spot has none.
resource "aws_batch_job_queue" "this" {
  name     = "nightly-scoring"
  state    = "ENABLED"
  priority = 1

  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.spot.arn
  }

  compute_environment_order {
    order               = 2
    compute_environment = aws_batch_compute_environment.on_demand.arn
  }

  # A job stuck RUNNABLE for a reason that will not pass is cancelled (it ends FAILED, so the
  # failed-job rule reports it) instead of waiting silently: 4 hours for capacity, 10 minutes
  # for a job larger than the environments can ever hold.
  job_state_time_limit_action {
    state            = "RUNNABLE"
    reason           = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"
    max_time_seconds = 14400
    action           = "CANCEL"
  }

  job_state_time_limit_action {
    state            = "RUNNABLE"
    reason           = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    max_time_seconds = 600
    action           = "CANCEL"
  }

  job_state_time_limit_action {
    state            = "RUNNABLE"
    reason           = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    max_time_seconds = 600
    action           = "CANCEL"
  }
}
