# The job's log group, KMS-encrypted with the spec's retention; the containers log here (awslogs).
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is the spec's observability.log_retention_days (30 days)
  name              = "/aws/batch/nightly-scoring"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.this.arn
}
