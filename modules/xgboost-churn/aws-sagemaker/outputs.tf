output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (KMS-encrypted); subscribe to it."
  value       = aws_sns_topic.this.arn
}

output "endpoint_arn" {
  description = "ARN of the SageMaker endpoint; callers need sagemaker:InvokeEndpoint on it."
  value       = aws_sagemaker_endpoint.this.arn
}

output "endpoint_name" {
  description = "Name of the SageMaker endpoint (aws sagemaker-runtime invoke-endpoint --endpoint-name)."
  value       = aws_sagemaker_endpoint.this.name
}

output "invoke_url" {
  description = "HTTPS URL of the endpoint's runtime API; POST requests signed with SigV4 (service sagemaker)."
  value       = "https://runtime.sagemaker.${local.region}.${data.aws_partition.current.dns_suffix}/endpoints/${aws_sagemaker_endpoint.this.name}/invocations"
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the module."
  value       = aws_kms_key.this.arn
}

output "model_name" {
  description = "Name of the SageMaker model (generated; replaced when the image or artifact changes)."
  value       = aws_sagemaker_model.this.name
}

output "role_arn" {
  description = "ARN of the model's execution role."
  value       = aws_iam_role.this.arn
}

output "capture_bucket" {
  description = "S3 bucket holding captured requests and responses (under captured/)."
  value       = aws_s3_bucket.capture.id
}

output "security_group_id" {
  description = "ID of the model's security group (outbound HTTPS only)."
  value       = aws_security_group.this.id
}

output "vpc_id" {
  description = "ID of the VPC created for the model."
  value       = aws_vpc.this.id
}
