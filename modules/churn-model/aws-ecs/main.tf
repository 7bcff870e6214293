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
    LOG_LEVEL = "info"
    MODEL_URI = "s3://example-ml-models/churn/2.1.0/model.pkl"
  }

  # Environment variable -> Secrets Manager secret name. Secrets are referenced
  # by partial ARN (no random suffix), so a plan works before they exist; ECS
  # resolves them when a task starts.
  secrets = {
    FEATURE_STORE_TOKEN = "churn-feature-store-token"
  }

  secret_arn_prefix = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret"

  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
}

resource "aws_ecs_cluster" "this" {
  name = "churn-model"

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
  family                   = "churn-model"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
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

      portMappings = [{ containerPort = 8080, protocol = "tcp" }]

      # The image cannot change itself at run time; container.writable_paths
      # are the writable paths (task-level ephemeral storage), for servers that
      # spool uploads or cache downloaded weights.
      readonlyRootFilesystem = true
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

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

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_service" "this" {
  name                               = "churn-model"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  desired_count                      = 1
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  # ECS ignores the load balancer's verdict this long after a task starts:
  # the model-load window (container.startup_seconds) plus the checks the
  # target group needs to mark a loaded task healthy.
  health_check_grace_period_seconds = 60
  enable_execute_command            = false
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"

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
    container_port   = 8080
  }

  # Application Auto Scaling owns the task count after the first apply.
  lifecycle {
    ignore_changes = [desired_count]
  }

  # The target group must be attached to the ALB before a service can use it,
  # and the first tasks need the execution role's permissions in place.
  depends_on = [aws_iam_role_policy.execution, aws_lb_listener.http]
}
