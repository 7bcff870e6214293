resource "aws_appautoscaling_target" "this" {
  count = var.enable_autoscaling ? 1 : 0

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 1
  max_capacity       = 4
}

# scaling.concurrency is in-flight requests per task. The ALB does not report
# that, so it is estimated each minute by Little's law: requests per task per
# second (RequestCountPerTarget is a per-minute sum, hence / 60) times the mean
# response time in seconds. A minute without requests reports no datapoint:
# FILL counts it as 0 in flight, so an idle service scales in to scaling.min.
resource "aws_appautoscaling_policy" "concurrency" {
  count = var.enable_autoscaling ? 1 : 0

  name               = "in-flight-requests-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 4
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "in_flight"
        label       = "In-flight requests per task"
        expression  = "FILL(requests_per_task, 0) / 60 * FILL(response_seconds, 0)"
        return_data = true
      }

      metrics {
        id          = "requests_per_task"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/ApplicationELB"
            metric_name = "RequestCountPerTarget"

            dimensions {
              name  = "TargetGroup"
              value = aws_lb_target_group.this.arn_suffix
            }
          }
        }
      }

      metrics {
        id          = "response_seconds"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "AWS/ApplicationELB"
            metric_name = "TargetResponseTime"

            dimensions {
              name  = "LoadBalancer"
              value = aws_lb.this.arn_suffix
            }

            dimensions {
              name  = "TargetGroup"
              value = aws_lb_target_group.this.arn_suffix
            }
          }
        }
      }
    }
  }
}
