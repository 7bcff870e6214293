# ECS (under AWS Batch) assumes the job's roles for this account's tasks only (no confused deputy).
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The job's own identity: read the input and the model, write under the output prefix, nothing else.
resource "aws_iam_role" "job" {
  name               = "nightly-scoring-batch-job"
  description        = "The Batch job: reads its input and model, writes its output prefix"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "job" {
  # job.input: read exactly the input prefix.
  statement {
    sid       = "ReadInput"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-scoring-data/churn/input/*")]
  }

  statement {
    sid       = "ListInputPrefix"
    actions   = ["s3:ListBucket"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-scoring-data")]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["churn/input/", "churn/input/*"]
    }
  }

  # job.output: write results under the output prefix only (no reading back, no deleting).
  statement {
    sid       = "WriteOutput"
    actions   = ["s3:PutObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-scoring-data/churn/predictions/*")]
  }

  # model.uri: read exactly the model, nothing else in the bucket.
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-ml-artifacts/churn/2026-11-01/model.joblib")]
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "nightly-scoring-batch-job-least-privilege"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

# What starts the container: pull the image, write the job's logs.
# The job itself never holds it.
resource "aws_iam_role" "execution" {
  name               = "nightly-scoring-batch-execution"
  description        = "Starts the Batch job's container: image pull and logs only"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "nightly-scoring-batch-execution-least-privilege"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
