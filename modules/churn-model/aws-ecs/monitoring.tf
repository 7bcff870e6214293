resource "aws_sns_topic" "alarms" {
  name              = "churn-model-alarms"
  kms_master_key_id = aws_kms_key.this.arn
}

# observability.notify_emails: each address confirms its subscription from SNS's email.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(["ml-oncall@example.com"])

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  # The module's topic, then the spec's own topics (alarm_topic_arns).
  alarm_actions = [aws_sns_topic.alarms.arn]

  service_dimensions = {
    ClusterName = aws_ecs_cluster.this.name
    ServiceName = aws_ecs_service.this.name
  }

  target_group_dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this.arn_suffix
  }

  load_balancer_dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
  }
}

# An outage: no task passes the health check, so the ALB answers 503 itself.
resource "aws_cloudwatch_metric_alarm" "no_healthy_task" {
  alarm_name          = "churn-model-no-healthy-task"
  alarm_description   = "No task passes the load balancer's health check: the ALB answers every request with 503"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = local.target_group_dimensions
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Tasks that crash, fail their image pull or cannot read a secret never reach
# the target group; Container Insights counts the ones running. No datapoint
# means no task reports, so missing data breaches.
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  alarm_name          = "churn-model-running-tasks"
  alarm_description   = "Fewer than 1 running tasks (scaling.min): tasks are failing to start or stay up"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = local.service_dimensions
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Share of requests answered with a 5xx, in percent: the model server's own
# (HTTPCode_Target_5XX_Count) and the ALB's (HTTPCode_ELB_5XX_Count: 502/503/504
# when no task is healthy or a task does not answer), over every request the
# ALB received. ALB reports no 5xx datapoint for a minute without errors (FILL
# makes it 0), and a minute without requests counts as 0 %.
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "churn-model-error-rate"
  alarm_description   = "5xx responses (the tasks' and the ALB's own) above 5% of requests (observability.alarms.error_rate_percent)"
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "error_rate"
    label       = "5xx share of requests (%)"
    expression  = "IF(requests > 0, 100 * (FILL(target_errors, 0) + FILL(alb_errors, 0)) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "target_errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.target_group_dimensions
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "alb_errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.load_balancer_dimensions
      stat        = "Sum"
      period      = 60
    }
  }

  # Every request the ALB received (it serves only this target group), those
  # it answered itself included.
  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.load_balancer_dimensions
      stat        = "Sum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "latency_p99" {
  alarm_name          = "churn-model-latency"
  alarm_description   = "p99 target response time above 1500 ms (observability.alarms.latency_p99_ms)"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.target_group_dimensions
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1.5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  # A p99 of a handful of requests is noise: judge only well-sampled minutes.
  evaluate_low_sample_count_percentiles = "ignore"
}
