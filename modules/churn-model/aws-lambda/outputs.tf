output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (KMS-encrypted); subscribe to it."
  value       = aws_sns_topic.this.arn
}

output "alias_arn" {
  description = "ARN of the live alias (the published version the URL serves)."
  value       = aws_lambda_alias.this.arn
}

output "dead_letter_queue_arn" {
  description = "ARN of the SQS dead-letter queue for failed asynchronous invocations."
  value       = aws_sqs_queue.this.arn
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_url" {
  description = "HTTPS endpoint of the live alias; callers sign requests with SigV4 and need lambda:InvokeFunctionUrl and lambda:InvokeFunction."
  value       = aws_lambda_function_url.this.function_url
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the environment, logs, queue and topic."
  value       = aws_kms_key.this.arn
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}
