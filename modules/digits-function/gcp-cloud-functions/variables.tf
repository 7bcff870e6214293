variable "notification_channels" {
  description = "Further Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) the alert policies notify, besides the spec's."
  type        = list(string)
  default     = []
}
