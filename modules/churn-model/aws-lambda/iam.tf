data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "churn-model-lambda"
  description        = "Execution role of the Lambda function; only what the function itself needs"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

# Least privilege: its own log group, its dead-letter queue, the service key, and
# only the secrets named in container.secrets.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "SendToDeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn]
  }

  # Decrypt the environment; encrypt dead letters for the KMS-encrypted queue.
  statement {
    sid       = "UseServiceKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  # X-Ray has no resource-level permissions for these two actions.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  # model.uri: read exactly the model, nothing else in the bucket.
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-ml-models/churn/2.1.0/model.pkl")]
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
      values   = ["churn-model"]
    }
  }

  # `-??????` is the random suffix Secrets Manager appends to every secret ARN.
  statement {
    sid       = "ReadNamedSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in values(local.secrets) : "${local.secret_arn_prefix}${secret}-??????"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "churn-model-lambda-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
