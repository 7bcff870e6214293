# Failed asynchronous invocations land here after Lambda's retries. Calls through the
# function URL are synchronous: their errors go back to the caller instead.
resource "aws_sqs_queue" "this" {
  name                              = "churn-model-lambda-dlq"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300
}
