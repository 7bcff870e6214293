variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service; apply once with false before terraform destroy."
  type        = bool
  default     = true
}
