output "alarm_topic_arn" {
  description = "SNS topic the alarms notify; subscribe your on-call endpoint to it."
  value       = aws_sns_topic.alarms.arn
}

output "alb_arn" {
  description = "ARN of the Application Load Balancer."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "DNS name of the Application Load Balancer (point your own DNS record at it)."
  value       = aws_lb.this.dns_name
}

output "alb_logs_bucket" {
  description = "S3 bucket receiving the ALB access logs."
  value       = aws_s3_bucket.alb_logs.id
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "execution_role_arn" {
  description = "ARN of the task execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting logs and notifications."
  value       = aws_kms_key.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the service's containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "private_subnet_ids" {
  description = "Subnets the tasks run in."
  value       = local.private_subnet_ids
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_security_group_id" {
  description = "Security group of the service's tasks."
  value       = aws_security_group.service.id
}

output "service_url" {
  description = "URL of the service through the ALB (reachable only inside the network)."
  value       = "http://${aws_lb.this.dns_name}"
}

output "task_definition_arn" {
  description = "ARN of the task definition revision the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "task_role_arn" {
  description = "ARN of the application's own role."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the application's own role: attach the permissions the model server needs here."
  value       = aws_iam_role.task.name
}

output "vpc_id" {
  description = "VPC the service runs in."
  value       = local.vpc_id
}
