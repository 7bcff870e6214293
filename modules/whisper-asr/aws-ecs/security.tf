resource "aws_security_group" "alb" {
  name        = "whisper-asr-alb"
  description = "ALB: listeners open to the allowed source ranges only"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each = toset(["10.0.0.0/8"])

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from an allowed range"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_service" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the service's tasks on the container port"
  referenced_security_group_id = aws_security_group.service.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
}

resource "aws_security_group" "service" {
  name        = "whisper-asr-service"
  description = "Service tasks: reachable from the ALB only"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "service_from_alb" {
  security_group_id            = aws_security_group.service.id
  description                  = "From the ALB on the container port"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
}

# HTTPS out only: the image registry, Secrets Manager, CloudWatch Logs and
# any API the model server calls.
resource "aws_vpc_security_group_egress_rule" "service_https" {
  security_group_id = aws_security_group.service.id
  description       = "HTTPS to registries and AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
