# Failure notices and alarms: the spec's emails subscribe here (output alarm_topic_arn).
resource "aws_sns_topic" "this" {
  name              = "nightly-scoring-batch-alarms"
  kms_master_key_id = aws_kms_key.this.arn
}

# Who may publish: this account's CloudWatch alarms and the failed-job rule below.
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.${data.aws_partition.current.dns_suffix}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "FailedJobRule"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["events.${data.aws_partition.current.dns_suffix}"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.failed.arn]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

# observability.notify_emails: each address confirms its subscription from SNS's email.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(["ml-oncall@example.com"])

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  # The module's topic, then the spec's own topics (alarm_topic_arns).
  alarm_actions = [aws_sns_topic.this.arn]
}

# Every job of this queue that ends FAILED (after its last attempt), as AWS Batch reports it.
resource "aws_cloudwatch_event_rule" "failed" {
  name        = "nightly-scoring-batch-job-failed"
  description = "A job of this AWS Batch queue failed"

  event_pattern = jsonencode({
    source      = ["aws.batch"]
    detail-type = ["Batch Job State Change"]
    detail = {
      status   = ["FAILED"]
      jobQueue = [aws_batch_job_queue.this.arn]
    }
  })
}

resource "aws_cloudwatch_event_target" "failed" {
  rule      = aws_cloudwatch_event_rule.failed.name
  target_id = "notify"
  arn       = aws_sns_topic.this.arn

  input_transformer {
    input_paths = {
      job    = "$.detail.jobName"
      id     = "$.detail.jobId"
      reason = "$.detail.statusReason"
    }
    input_template = "\"AWS Batch job <job> (<id>) failed: <reason>\""
  }
}

# Failed jobs as a number, for dashboards and the spec's own topics.
resource "aws_cloudwatch_metric_alarm" "failed" {
  alarm_name          = "nightly-scoring-batch-jobs-failed"
  alarm_description   = "Jobs of this AWS Batch queue failed"
  namespace           = "AWS/Events"
  metric_name         = "MatchedEvents"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.failed.name }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# The failure notices themselves could not be delivered (e.g. the topic's key or policy changed).
resource "aws_cloudwatch_metric_alarm" "undelivered" {
  alarm_name          = "nightly-scoring-batch-failure-notices-undelivered"
  alarm_description   = "The failed-job rule could not deliver notices to the topic"
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.failed.name }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}
