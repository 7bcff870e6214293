output "alarm_topic_arn" {
  description = "ARN of the SNS topic failed jobs and alarms notify (KMS-encrypted); subscribe to it."
  value       = aws_sns_topic.this.arn
}

output "job_definition_arn" {
  description = "ARN of the job definition revision this module registered (aws batch submit-job --job-definition)."
  value       = aws_batch_job_definition.this.arn
}

output "job_definition_name" {
  description = "Name of the job definition; submit-job with the name runs its latest active revision."
  value       = aws_batch_job_definition.this.name
}

output "job_queue_arn" {
  description = "ARN of the job queue (aws batch submit-job --job-queue); callers need batch:SubmitJob on it and the job definition."
  value       = aws_batch_job_queue.this.arn
}

output "job_role_arn" {
  description = "ARN of the job's role (reads the input and model, writes the output prefix)."
  value       = aws_iam_role.job.arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the module."
  value       = aws_kms_key.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the job's containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that submits the job."
  value       = aws_scheduler_schedule.this.arn
}

output "security_group_id" {
  description = "ID of the jobs' security group (outbound HTTPS only)."
  value       = aws_security_group.this.id
}

output "vpc_id" {
  description = "ID of the VPC created for the jobs."
  value       = aws_vpc.this.id
}
