variable "image" {
  description = "The container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can deploy without editing the spec."
  type        = string
  default     = "ghcr.io/example/churn-model:2.1.0"
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service; apply once with false before terraform destroy."
  type        = bool
  default     = true
}

variable "notification_channels" {
  description = "Further Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) the alert policies notify, besides the spec's."
  type        = list(string)
  default     = []
}
