# One customer-managed key for what this module stores: the job's log group, the VPC
# flow logs, the alarm topic and the schedule.
data "aws_iam_policy_document" "kms" {
  # Key policies must name the account to let IAM policies (like the execution role's) grant use.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsForOwnLogGroups"
    actions   = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.${data.aws_partition.current.dns_suffix}"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [for name in ["/aws/batch/nightly-scoring", "/aws/vpc-flow-logs/nightly-scoring-batch"] : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"]
    }
  }

  # CloudWatch alarms publish to the encrypted topic through SNS; only this
  # account's alarms (no confused deputy).
  statement {
    sid       = "CloudWatchAlarmsToTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

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

  # The failed-job rule publishes to the encrypted topic. No source condition here: SNS does not
  # support aws:SourceAccount / aws:SourceArn in key policies for EventBridge-to-encrypted-topic
  # deliveries (they would all fail); the topic's policy admits this rule only.
  statement {
    sid       = "FailedJobRuleToTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "AWS Batch job nightly-scoring: logs, alarms, schedule"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/nightly-scoring-batch"
  target_key_id = aws_kms_key.this.key_id
}
