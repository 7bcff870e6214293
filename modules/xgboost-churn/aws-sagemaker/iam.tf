# SageMaker assumes this role to run the model; only this account's SageMaker (no confused deputy).
data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "xgboost-churn-sagemaker"
  description        = "Execution role of the SageMaker model; only what hosting it needs"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

# Least privilege: the model object, the image's ECR repository, its own log group and
# metrics, network interfaces in its own subnets, the capture bucket.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = [format("arn:%s:s3:::%s", local.partition, "example-ml-artifacts/xgboost-churn/2026-11-01/output/model.tar.gz")]
  }

  # The image's repository only; GetAuthorizationToken has no resource-level permissions.
  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [format("arn:%s:ecr:%s:%s:repository/%s", local.partition, "us-east-1", "683313688378", "sagemaker-xgboost")]
  }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # PutMetricData has no resource-level permissions; the namespace condition limits it
  # to SageMaker's own namespaces.
  statement {
    sid       = "PublishSageMakerMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*", "AWS/SageMaker"]
    }
  }

  # Data capture: SageMaker writes samples under captured/ with this role, encrypted with the module's key.
  statement {
    sid       = "WriteCapturedData"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.capture.arn}/captured/*"]
  }

  statement {
    sid       = "EncryptCapturedData"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  # The model's network interfaces in its own subnets and security group. The Describe
  # calls have no resource-level permissions.
  statement {
    sid = "DescribeNetwork"
    actions = [
      "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets", "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  statement {
    sid     = "CreateNetworkInterfaces"
    actions = ["ec2:CreateNetworkInterface"]
    resources = concat(
      local.subnet_arns,
      [aws_security_group.this.arn, "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"],
    )
  }

  statement {
    sid = "ManageNetworkInterfacesInVpc"
    actions = [
      "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
    ]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]

    condition {
      test     = "ArnEquals"
      variable = "ec2:Vpc"
      values   = [local.vpc_arn]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "xgboost-churn-sagemaker-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
