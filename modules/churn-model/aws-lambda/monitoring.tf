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

# No observability.alarms.error_rate_percent: alarm on any failed invocation.
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "churn-model-lambda-errors"
  alarm_description   = "At least one invocation failed over 5 minutes"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
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
