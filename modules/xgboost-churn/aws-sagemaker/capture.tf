# targets.aws-sagemaker.data_capture: sampled requests and responses, private and KMS-encrypted.
resource "aws_s3_bucket" "capture" {
  #checkov:skip=CKV_AWS_18:the capture bucket holds request/response samples written only by SageMaker; access logging it would need a second bucket for no added audit value
  #checkov:skip=CKV_AWS_144:captured samples are monitoring data kept in one Region with the spec's retention; a replica doubles the store for no recovery need
  #checkov:skip=CKV2_AWS_62:nothing consumes new-object events for captured samples; SageMaker is their only writer
  bucket_prefix = "xgboost-churn-capture-"
}

resource "aws_s3_bucket_ownership_controls" "capture" {
  bucket = aws_s3_bucket.capture.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "capture" {
  bucket                  = aws_s3_bucket.capture.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "capture" {
  bucket = aws_s3_bucket.capture.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

resource "aws_s3_bucket_versioning" "capture" {
  bucket = aws_s3_bucket.capture.id

  versioning_configuration {
    status = "Enabled"
  }
}

# Captured data lives as long as the spec's log retention; overwritten or deleted
# versions a day longer.
resource "aws_s3_bucket_lifecycle_configuration" "capture" {
  bucket = aws_s3_bucket.capture.id

  rule {
    id     = "expire-captured-data"
    status = "Enabled"

    filter {}

    expiration {
      days = 30
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.capture]
}

# TLS only.
data "aws_iam_policy_document" "capture" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.capture.arn, "${aws_s3_bucket.capture.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "capture" {
  bucket = aws_s3_bucket.capture.id
  policy = data.aws_iam_policy_document.capture.json

  depends_on = [aws_s3_bucket_public_access_block.capture]
}
