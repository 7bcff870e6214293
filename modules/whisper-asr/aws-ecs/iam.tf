data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only ECS tasks started in this account may take these roles.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# The execution role is what ECS itself uses to start a task: pull the image,
# write logs, read the secrets. The application never holds it.
resource "aws_iam_role" "execution" {
  name               = "whisper-asr-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  # ecr:GetAuthorizationToken cannot be scoped to a resource.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [format("arn:%s:ecr:%s:%s:repository/%s", local.partition, "us-east-1", "123456789012", "speech/whisper-server")]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-task"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The task role is the application's own identity. It holds only what the
# spec asks for: add more through the spec's `permissions`.
resource "aws_iam_role" "task" {
  name               = "whisper-asr-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  # observability.tracing: the application (or a collector it ships) sends
  # traces to X-Ray. These actions cannot be scoped to a resource.
  statement {
    sid       = "XRayWrite"
    actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  # model.uri: read exactly the model prefix, nothing else in the bucket.
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-speech-models/whisper/large-v3/*")]
  }

  statement {
    sid       = "ListModelPrefix"
    actions   = ["s3:ListBucket"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-speech-models")]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["whisper/large-v3/", "whisper/large-v3/*"]
    }
  }

  # permissions.capabilities: metrics. PutMetricData has no resource-level
  # permissions; the namespace condition is what limits it.
  statement {
    sid       = "PublishMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["speech/whisper"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "application"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
