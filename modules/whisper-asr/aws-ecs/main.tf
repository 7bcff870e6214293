data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  vpc_id             = aws_vpc.this.id
  private_subnet_ids = aws_subnet.private[*].id
  alb_subnet_ids     = aws_subnet.private[*].id

  # Plain environment variables (never secrets).
  environment = {
    HF_HOME       = "/home/app/.cache/huggingface"
    MODEL_URI     = "s3://example-speech-models/whisper/large-v3/"
    WHISPER_MODEL = "large-v3"
  }

  # Environment variable -> Secrets Manager secret name. Secrets are referenced
  # by partial ARN (no random suffix), so a plan works before they exist; ECS
  # resolves them when a task starts.
  secrets = {}

  secret_arn_prefix = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret"

  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
}

resource "aws_ecs_cluster" "this" {
  name = "whisper-asr"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  # ECS Exec is off on the service; if an operator turns it on, sessions are
  # logged, encrypted, to the service's log group.
  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.this.arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.this.name
      }
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = "whisper-asr"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  cpu                      = "4096"
  memory                   = "14336"
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  # A new image or size registers a new revision (a "replacement" in the plan);
  # the old revision stays registered, so a rollback has something to run.
  skip_destroy = true

  container_definitions = jsonencode([
    {
      name        = "app"
      image       = var.image
      essential   = true
      environment = [for env_name, value in local.environment : { name = env_name, value = value }]
      secrets     = [for env_name, secret_name in local.secrets : { name = env_name, valueFrom = "${local.secret_arn_prefix}:${secret_name}" }]

      portMappings = [{ containerPort = 9000, protocol = "tcp" }]

      # resources.gpu: ECS gives the container this many whole GPUs of its instance.
      resourceRequirements = [{ type = "GPU", value = "1" }]

      # The image cannot change itself at run time; container.writable_paths
      # are the writable paths (host paths on the instance's encrypted root
      # volume, for this task only), for servers that spool uploads or cache
      # downloaded weights.
      readonlyRootFilesystem = true
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
        { sourceVolume = "home-app-cache-huggingface", containerPath = "/home/app/.cache/huggingface", readOnly = false },
      ]

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "ecs"
        }
      }
    }
  ])

  volume {
    name = "tmp"
  }

  volume {
    name = "home-app-cache-huggingface"
  }
}

resource "aws_ecs_service" "this" {
  name                               = "whisper-asr"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = 1
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  # ECS ignores the load balancer's verdict this long after a task starts:
  # the model-load window (container.startup_seconds) plus the checks the
  # target group needs to mark a loaded task healthy.
  health_check_grace_period_seconds = 240
  enable_execute_command            = false
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"

  # resources.gpu with resources.spot: the first 1 task(s) on the on-demand GPU
  # instances, the rest 3:1 on Spot GPU instances (interrupted with two
  # minutes' notice), spread over the Availability Zones.
  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    base              = 1
    weight            = 1
  }

  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu_spot.name
    weight            = 3
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.service.id]
    assign_public_ip = false
  }

  # The ALB health check on the target group is the service's health check:
  # ECS replaces a task the ALB marks unhealthy.
  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "app"
    container_port   = 9000
  }

  # Application Auto Scaling owns the task count after the first apply.
  lifecycle {
    ignore_changes = [desired_count]
  }

  # The target group must be attached to the ALB before a service can use it,
  # and the first tasks need the execution role's permissions in place.
  depends_on = [aws_iam_role_policy.execution, aws_lb_listener.http, aws_ecs_cluster_capacity_providers.this]
}
