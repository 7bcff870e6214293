# Alarm notifications: the spec's emails subscribe here (output alarm_topic_arn).
resource "aws_sns_topic" "this" {
  name              = "xgboost-churn-sagemaker-alarms"
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

  # Named, not referenced: the endpoint's rollback configuration names these alarms, so
  # they exist before the endpoint.
  variant_dimensions = {
    EndpointName = "xgboost-churn"
    VariantName  = "primary"
  }
}

# observability.alarms.error_rate_percent: 5xx answers of the model as a share of all invocations.
# A deployment rolls back when this fires.
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "xgboost-churn-sagemaker-5xx"
  alarm_description   = "More than 1% of invocations answered 5xx"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/SageMaker"
      metric_name = "Invocation5XXErrors"
      dimensions  = local.variant_dimensions
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"

    metric {
      namespace   = "AWS/SageMaker"
      metric_name = "Invocations"
      dimensions  = local.variant_dimensions
      period      = 60
      stat        = "Sum"
    }
  }
}

# observability.alarms.latency_p99_ms: ModelLatency is reported in microseconds.
# A deployment rolls back when this fires.
resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "xgboost-churn-sagemaker-latency-p99"
  alarm_description   = "p99 model latency above 250 ms"
  namespace           = "AWS/SageMaker"
  metric_name         = "ModelLatency"
  dimensions          = local.variant_dimensions
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 250000
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# observability.alarms.cpu_percent: CPUUtilization is summed over the instance's
# 2 vCPUs (0 to 200), so the threshold is the percent x 2.
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "xgboost-churn-sagemaker-cpu"
  alarm_description   = "CPU above 85% of the instance"
  namespace           = "/aws/sagemaker/Endpoints"
  metric_name         = "CPUUtilization"
  dimensions          = local.variant_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 170
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# observability.alarms.memory_percent: MemoryUtilization of the instance (0 to 100).
resource "aws_cloudwatch_metric_alarm" "memory" {
  alarm_name          = "xgboost-churn-sagemaker-memory"
  alarm_description   = "Memory above 85%"
  namespace           = "/aws/sagemaker/Endpoints"
  metric_name         = "MemoryUtilization"
  dimensions          = local.variant_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 85
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
