# AWS Batch's service-linked role, created by this module only when
# batch_creates_service_linked_role is false (see variables.tf).
resource "aws_iam_service_linked_role" "batch" {
  count = var.batch_creates_service_linked_role ? 0 : 1

  aws_service_name = "batch.amazonaws.com"
}

# "FARGATE_SPOT" capacity, scaled by Batch from zero to max_vcpus (20) and back.
resource "aws_batch_compute_environment" "spot" {
  # A prefix: a changed environment is created beside the old one, the queue moves to it, then the old one goes.
  compute_environment_name_prefix = "nightly-scoring-spot-"
  type                            = "MANAGED"
  state                           = "ENABLED"
  service_role                    = var.batch_creates_service_linked_role ? null : aws_iam_service_linked_role.batch[0].arn

  compute_resources {
    type               = "FARGATE_SPOT"
    max_vcpus          = 20
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.this.id]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# "FARGATE" capacity, scaled by Batch from zero to max_vcpus (20) and back.
resource "aws_batch_compute_environment" "on_demand" {
  # A prefix: a changed environment is created beside the old one, the queue moves to it, then the old one goes.
  compute_environment_name_prefix = "nightly-scoring-on-demand-"
  type                            = "MANAGED"
  state                           = "ENABLED"
  service_role                    = var.batch_creates_service_linked_role ? null : aws_iam_service_linked_role.batch[0].arn

  compute_resources {
    type               = "FARGATE"
    max_vcpus          = 20
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.this.id]
  }

  lifecycle {
    create_before_destroy = true
  }
}
