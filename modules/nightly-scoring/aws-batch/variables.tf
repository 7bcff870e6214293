variable "batch_creates_service_linked_role" {
  description = "true: the compute environments name no service role, and AWS Batch uses its service-linked role AWSServiceRoleForBatch (creating it on first use). false: this module creates that service-linked role and names it as the service role. tfgen's emulator runs set false (moto requires a service role); leave it true on AWS."
  type        = bool
  default     = true
}
