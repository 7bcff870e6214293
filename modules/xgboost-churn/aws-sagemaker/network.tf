data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:only names[0] and names[1] are used, so a zone AWS adds later cannot add subnets; zone names differ per account, so they cannot be pinned from the spec
  state = "available"
}

# A private network for the model alone: no internet gateway, no NAT. SageMaker
# reaches the model in S3 through the gateway endpoint below.
resource "aws_vpc" "this" {
  cidr_block           = "10.60.0.0/20"
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = {
    Name = "xgboost-churn-sagemaker"
  }
}

# Two private subnets in two zones (SageMaker spreads instances across them);
# each is a quarter of network.cidr, leaving half the range free.
resource "aws_subnet" "private" {
  count = 2

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(aws_vpc.this.cidr_block, 2, count.index)
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  map_public_ip_on_launch = false

  tags = {
    Name = format("%s-private-%d", "xgboost-churn-sagemaker", count.index + 1)
  }
}

# No rules: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:retention is the spec's observability.log_retention_days (30 days)
  name              = "/aws/vpc-flow-logs/xgboost-churn-sagemaker"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.this.arn
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "xgboost-churn-sagemaker-flow-logs"
  description        = "Lets VPC flow logs write to their own log group"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "xgboost-churn-sagemaker-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
}

locals {
  vpc_arn     = aws_vpc.this.arn
  subnet_arns = aws_subnet.private[*].arn
}

# The model artifact and the captured data travel through this gateway endpoint (same
# Region only); its policy admits the execution role's reads of the model and writes of captures.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_vpc.this.main_route_table_id]
  policy            = data.aws_iam_policy_document.s3_endpoint.json

  tags = {
    Name = format("%s-s3", "xgboost-churn-sagemaker")
  }
}

data "aws_iam_policy_document" "s3_endpoint" {
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-ml-artifacts/xgboost-churn/2026-11-01/output/model.tar.gz")]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.this.arn]
    }
  }

  statement {
    sid       = "WriteCapturedData"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.capture.arn}/captured/*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.this.arn]
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
}

# The model's network interfaces: no inbound rules (requests arrive through the SageMaker
# runtime API, never over this network); outbound HTTPS only, and only inside the VPC.
resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:attached through aws_sagemaker_model.this's vpc_config, which the check does not know as an attachment (it knows ENIs, instances, load balancers, Lambda)
  name        = "xgboost-churn-sagemaker"
  description = "SageMaker model interfaces: outbound HTTPS only"
  vpc_id      = aws_vpc.this.id

  tags = {
    Name = "xgboost-churn-sagemaker"
  }
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}
