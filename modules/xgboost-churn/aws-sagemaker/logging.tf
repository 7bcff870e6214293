# The endpoint's log group (SageMaker writes the containers' output here), created
# before the model so SageMaker never creates an unencrypted one that keeps logs forever.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is the spec's observability.log_retention_days (30 days)
  name              = "/aws/sagemaker/Endpoints/xgboost-churn"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.this.arn
}
