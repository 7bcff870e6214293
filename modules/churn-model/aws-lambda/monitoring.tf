# Alarm notifications: the spec's emails subscribe here (output alarm_topic_arn).
resource "aws_sns_topic" "this" {
  name              = "churn-model-lambda-alarms"
  kms_master_key_id = aws_kms_key.this.arn
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

# observability.alarms.error_rate_percent: failed invocations as a share of all invocations.
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "churn-model-lambda-errors"
  alarm_description   = "More than 5% of invocations failed over 5 minutes"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
      period      = 300
      stat        = "Sum"
    }
  }
}

# Throttles mean callers were turned away: the account's unreserved pool was exhausted.
resource "aws_cloudwatch_metric_alarm" "throttles" {
  alarm_name          = "churn-model-lambda-throttles"
  alarm_description   = "Invocations were throttled: the account's unreserved concurrency was used up"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# observability.alarms.latency_p99_ms: 99th percentile of the function's duration.
resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "churn-model-lambda-latency-p99"
  alarm_description   = "p99 duration above 1500 ms for 3 of 5 minutes"
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 1500
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
