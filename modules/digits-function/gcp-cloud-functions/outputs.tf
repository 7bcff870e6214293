output "function_id" {
  description = "Cloud Function id (projects/P/locations/R/functions/F)."
  value       = google_cloudfunctions2_function.this.id
}

output "function_uri" {
  description = "HTTPS URI the function answers on."
  value       = google_cloudfunctions2_function.this.url
}

output "log_bucket_id" {
  description = "Cloud Logging bucket that keeps the function's logs for the spec's retention."
  value       = google_logging_project_bucket_config.this.id
}

output "service_account_email" {
  description = "Runtime identity of the function."
  value       = google_service_account.this.email
}

output "source_bucket" {
  description = "Private bucket holding the function's source zips, named by content hash."
  value       = google_storage_bucket.source.name
}
