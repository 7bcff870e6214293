# Cloud Run writes to the _Default bucket (30 days). The service's logs go to a bucket
# of their own instead, kept exactly the spec's retention.
resource "google_logging_project_bucket_config" "this" {
  project        = "genai-demo"
  location       = "europe-west1"
  bucket_id      = "llm-gpu-logs"
  description    = "Logs of Cloud Run service llm-gpu, kept 30 days."
  retention_days = 30

  depends_on = [google_project_service.this]
}

resource "google_logging_project_sink" "this" {
  project                = "genai-demo"
  name                   = "llm-gpu-run-logs"
  description            = "Logs of Cloud Run service llm-gpu, kept 30 days."
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.this.id}"
  filter                 = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"llm-gpu\""
  unique_writer_identity = true
}

# Without this the _Default bucket would keep a second copy for 30 days, whatever the spec says.
resource "google_logging_project_exclusion" "this" {
  project     = "genai-demo"
  name        = "llm-gpu-run-logs"
  description = "Logs of Cloud Run service llm-gpu are kept in bucket llm-gpu-logs instead."
  filter      = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"llm-gpu\""

  depends_on = [google_logging_project_sink.this]
}
