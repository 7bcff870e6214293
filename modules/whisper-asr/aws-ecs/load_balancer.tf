resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_20:internal ALB without a certificate_arn in the spec has no HTTPS listener to redirect to
  #checkov:skip=CKV_AWS_150:the ALB holds no data and is recreated from this module in minutes; deletion protection would make terraform destroy fail
  name                       = "whisper-asr"
  load_balancer_type         = "application"
  internal                   = true
  subnets                    = local.alb_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  enable_deletion_protection = false

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.alb_logs]
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:the hop to the task stays inside the VPC between security groups, and the model server has no certificate
  # A prefix, not a name: a new port replaces the group, and the new one must
  # exist (create_before_destroy) while the listener still points at the old.
  name_prefix          = "whisp-"
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = 9000
  vpc_id               = local.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = "/health"
    port                = "traffic-port"
    matcher             = "200-299"
    interval            = 30
    timeout             = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

# An internal ALB without a certificate (targets.aws-ecs.certificate_arn)
# serves plain HTTP, reachable only inside the network from the allowed ranges.
resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:internal ALB without a certificate_arn in the spec; HTTP stays inside the VPC, limited to network.allowed_cidrs
  #checkov:skip=CKV_AWS_103:no TLS listener without a certificate_arn; internal HTTP only
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}
