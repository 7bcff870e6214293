data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # container.secrets: environment variable -> Secrets Manager secret name. Lambda cannot
  # inject secrets, so the function gets NAME_SECRET_ARN holding the secret's
  # partial ARN and reads the value itself at run time.
  secrets = {
    FEATURE_STORE_TOKEN = "churn-feature-store-token"
  }
  secret_arn_prefix = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:"
  secret_arns       = { for env_name, secret in local.secrets : format("%s%s", env_name, "_SECRET_ARN") => "${local.secret_arn_prefix}${secret}" }

  plain_environment = {
    LOG_LEVEL = "info"
    MODEL_URI = "s3://example-ml-models/churn/2.1.0/model.pkl"
  }
  environment = merge(local.plain_environment, local.secret_arns)
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:Lambda code signing applies only to zip packages; this function runs the ECR image in container.image
  #checkov:skip=CKV_AWS_117:targets.aws-lambda.vpc is false: the function reaches only AWS APIs and the internet, no private resources, so it is not attached to a VPC
  #checkov:skip=CKV_AWS_115:targets.aws-lambda.reserve_concurrency is false in the spec: the function shares the account's unreserved pool, because Lambda refuses a reservation that leaves fewer than 100 unreserved executions (new accounts have 10)
  function_name = "churn-model"
  description   = "gradient-boosted churn classifier"
  role          = aws_iam_role.this.arn
  package_type  = "Image"
  image_uri     = var.image
  memory_size   = 2048
  timeout       = 30
  publish       = true
  kms_key_arn   = aws_kms_key.this.arn

  dead_letter_config {
    target_arn = aws_sqs_queue.this.arn
  }

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }

  # The log group (retention, KMS) exists before the first invocation, and the role's
  # permissions stay until the function is gone (Lambda uses them to clean up).
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_lambda_alias" "this" {
  name             = "live"
  description      = "The latest published version; the function URL and provisioned concurrency follow it"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

# scaling.min warm instances. The emulator does not implement this, so it runs with
# enable_provisioned_concurrency = false.
resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = var.enable_provisioned_concurrency ? 1 : 0

  function_name                     = aws_lambda_alias.this.function_name
  qualifier                         = aws_lambda_alias.this.name
  provisioned_concurrent_executions = 1
}

resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_alias.this.function_name
  qualifier          = aws_lambda_alias.this.name
  authorization_type = "AWS_IAM"
}
