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
