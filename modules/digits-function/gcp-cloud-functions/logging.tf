# The function (a Cloud Run service underneath) logs to the _Default bucket (30 days).
# Its logs go to a bucket of their own instead, kept exactly the spec's retention.
resource "google_logging_project_bucket_config" "this" {
  project        = "ml-serving-demo"
  location       = "europe-west1"
  bucket_id      = "digits-function-fn-logs"
  description    = "Logs of Cloud Function digits-function-fn, kept 30 days."
  retention_days = 30

  depends_on = [google_project_service.this]
}

resource "google_logging_project_sink" "this" {
  project                = "ml-serving-demo"
  name                   = "digits-function-fn-logs"
  description            = "Logs of Cloud Function digits-function-fn, kept 30 days."
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.this.id}"
  filter                 = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"digits-function-fn\""
  unique_writer_identity = true
}

# Without this the _Default bucket would keep a second copy for 30 days, whatever the spec says.
resource "google_logging_project_exclusion" "this" {
  project     = "ml-serving-demo"
  name        = "digits-function-fn-logs"
  description = "Logs of Cloud Function digits-function-fn are kept in bucket digits-function-fn-logs instead."
  filter      = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"digits-function-fn\""

  depends_on = [google_logging_project_sink.this]
}
