variable "image" {
  description = "The job's container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can ship a new scorer without editing the spec."
  type        = string
  default     = "ghcr.io/example/churn-scorer:2.3.0"
}

variable "batch_creates_service_linked_role" {
  description = "true: the compute environments name no service role, and AWS Batch uses its service-linked role AWSServiceRoleForBatch (creating it on first use). false: this module creates that service-linked role and names it as the service role. tfgen's emulator runs set false (moto requires a service role); leave it true on AWS."
  type        = bool
  default     = true
}
