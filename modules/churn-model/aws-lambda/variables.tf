variable "enable_provisioned_concurrency" {
  description = "Keep scaling.min instances warm on the live alias. The emulator (moto) does not implement provisioned concurrency, so tfgen sets this to false there."
  type        = bool
  default     = true
}
