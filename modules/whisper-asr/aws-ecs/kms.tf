# One customer-managed key for everything this module encrypts at rest:
# log groups, the alarm topic and ECS Exec sessions. (The ALB access-log bucket
# cannot use it: ALB log delivery supports only SSE-S3.)
resource "aws_kms_key" "this" {
  description             = "Logs and notifications of whisper-asr"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsUseForTheseLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.${local.dns_suffix}" }
        Action    = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = [for group in local.encrypted_log_groups : "${local.log_group_arn_prefix}:${group}"]
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.${local.dns_suffix}" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/whisper-asr"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  encrypted_log_groups = ["/ecs/whisper-asr", "/vpc/whisper-asr/flow-logs"]

  # Service principals end in the partition's DNS suffix (amazonaws.com.cn in China).
  dns_suffix = data.aws_partition.current.dns_suffix
}
