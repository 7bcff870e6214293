resource "aws_sns_topic" "alarms" {
  name              = "whisper-asr-alarms"
  kms_master_key_id = aws_kms_key.this.arn
}

# observability.notify_emails: each address confirms its subscription from SNS's email.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(["speech-oncall@example.com"])

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
  alarm_name          = "whisper-asr-no-healthy-task"
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
  alarm_name          = "whisper-asr-running-tasks"
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

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "whisper-asr-cpu"
  alarm_description   = "Service CPU above 85% (observability.alarms.cpu_percent)"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 85
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "memory" {
  alarm_name          = "whisper-asr-memory"
  alarm_description   = "Service memory above 90% (observability.alarms.memory_percent)"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 90
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "latency_p99" {
  alarm_name          = "whisper-asr-latency"
  alarm_description   = "p99 target response time above 20000 ms (observability.alarms.latency_p99_ms)"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.target_group_dimensions
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 20
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  # A p99 of a handful of requests is noise: judge only well-sampled minutes.
  evaluate_low_sample_count_percentiles = "ignore"
}
