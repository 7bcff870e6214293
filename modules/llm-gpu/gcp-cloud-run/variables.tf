variable "image" {
  description = "The container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can deploy without editing the spec."
  type        = string
  default     = "europe-docker.pkg.dev/genai-demo/models/vllm-server:0.6.3"
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service; apply once with false before terraform destroy."
  type        = bool
  default     = true
}
