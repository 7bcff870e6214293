# job.schedule: EventBridge Scheduler submits the job (SubmitJob through the universal target),
# as its own role that may do nothing else.
data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "nightly-scoring-batch-scheduler"
  description        = "EventBridge Scheduler: submits the Batch job to its queue, nothing else"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "SubmitThisJob"
    actions   = ["batch:SubmitJob"]
    resources = [aws_batch_job_queue.this.arn, "${aws_batch_job_definition.this.arn_prefix}:*"]
  }

  # The schedule's target input is encrypted with the module's key.
  statement {
    sid       = "DecryptScheduleInput"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "nightly-scoring-batch-scheduler-submit-job"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "this" {
  name                = "nightly-scoring-batch"
  description         = "Submits the AWS Batch job nightly-scoring on cron(0 2 * * ? *)"
  schedule_expression = "cron(0 2 * * ? *)"
  kms_key_arn         = aws_kms_key.this.arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = "arn:${local.partition}:scheduler:::aws-sdk:batch:submitJob"
    role_arn = aws_iam_role.scheduler.arn
    input = jsonencode({
      JobName         = "nightly-scoring"
      JobQueue        = aws_batch_job_queue.this.arn
      JobDefinition   = aws_batch_job_definition.this.arn
      ArrayProperties = { Size = 10 }
    })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
