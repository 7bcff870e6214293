# The variant's instance count between scaling.min and scaling.max. The emulator cannot
# tag Application Auto Scaling targets, so it runs with enable_endpoint_autoscaling = false.
resource "aws_appautoscaling_target" "this" {
  count = var.enable_endpoint_autoscaling ? 1 : 0

  service_namespace  = "sagemaker"
  resource_id        = format("endpoint/%s/variant/%s", aws_sagemaker_endpoint.this.name, "primary")
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 1
  max_capacity       = 4
}

# "scaling.concurrency 4 in flight per instance at expected_latency_ms 50 (Little's law): 4 x 60000 / 50 = 4800 invocations per instance per minute."
resource "aws_appautoscaling_policy" "concurrency" {
  count = var.enable_endpoint_autoscaling ? 1 : 0

  name               = "invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 4800
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
