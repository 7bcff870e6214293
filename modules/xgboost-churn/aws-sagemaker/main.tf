data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
}

# SageMaker starts the image with the model artifact unpacked into /opt/ml/model and
# sends GET /ping and POST /invocations to port 8080.
resource "aws_sagemaker_model" "this" {
  # No name: a new image or artifact replaces the model, and the new one must exist
  # (create_before_destroy) while the endpoint still serves the old.
  execution_role_arn       = aws_iam_role.this.arn
  enable_network_isolation = true

  primary_container {
    image          = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    model_data_url = "s3://example-ml-artifacts/xgboost-churn/2026-11-01/output/model.tar.gz"
    environment = {
      MODEL_URI                      = "s3://example-ml-artifacts/xgboost-churn/2026-11-01/output/model.tar.gz"
      SAGEMAKER_MODEL_SERVER_WORKERS = "2"
    }
  }

  vpc_config {
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.this.id]
  }

  lifecycle {
    create_before_destroy = true
  }

  # The role's permissions exist before SageMaker first uses them, and stay until it is done.
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  # A prefix: a configuration cannot change in place, so a new one is created and the
  # endpoint moves to it (blue/green) before the old one is deleted.
  name_prefix = "xgboost-churn-"
  kms_key_arn = aws_kms_key.this.arn

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.this.name
    instance_type          = "ml.m5.large"
    initial_instance_count = 1
    # container.startup_seconds: time to load the model before /ping must answer.
    container_startup_health_check_timeout_in_seconds = 120
    model_data_download_timeout_in_seconds            = 120
  }

  # targets.aws-sagemaker.data_capture: a sample of requests and responses, encrypted, to the capture bucket.
  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://${aws_s3_bucket.capture.id}/captured"
    kms_key_id                  = aws_kms_key.this.arn

    capture_options {
      capture_mode = "Input"
    }

    capture_options {
      capture_mode = "Output"
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = "xgboost-churn"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name

  # Updates run blue/green: "canary" traffic shifting, rolled back when the
  # module's own alarms fire during a step or the baking time after it.
  deployment_config {
    blue_green_update_policy {
      termination_wait_in_seconds = 300

      traffic_routing_configuration {
        type                     = "CANARY"
        wait_interval_in_seconds = 300

        canary_size {
          type  = "CAPACITY_PERCENT"
          value = 25
        }
      }
    }

    auto_rollback_configuration {
      alarms {
        alarm_name = "xgboost-churn-sagemaker-5xx"
      }

      alarms {
        alarm_name = "xgboost-churn-sagemaker-latency-p99"
      }
    }
  }

  # The rollback alarms are named, not referenced: they must exist before a deployment watches them.
  depends_on = [aws_cloudwatch_metric_alarm.errors, aws_cloudwatch_metric_alarm.latency]
}
