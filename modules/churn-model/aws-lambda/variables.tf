variable "image" {
  description = "The container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can deploy without editing the spec."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-model:2.1.0"
}

variable "enable_provisioned_concurrency" {
  description = "Keep scaling.min instances warm on the live alias. The emulator (moto) does not implement provisioned concurrency, so tfgen sets this to false there."
  type        = bool
  default     = true
}
