output "log_bucket_id" {
  description = "Cloud Logging bucket that keeps this service's logs for the spec's retention."
  value       = google_logging_project_bucket_config.this.id
}

output "network_id" {
  description = "VPC network the service sends private traffic into (Direct VPC egress)."
  value       = google_compute_network.this.id
}

output "service_account_email" {
  description = "Runtime identity of the service."
  value       = google_service_account.this.email
}

output "service_id" {
  description = "Cloud Run service id (projects/P/locations/R/services/S)."
  value       = google_cloud_run_v2_service.this.id
}

output "service_name" {
  description = "Cloud Run service name."
  value       = google_cloud_run_v2_service.this.name
}

output "service_uri" {
  description = "HTTPS URI the service answers on."
  value       = google_cloud_run_v2_service.this.uri
}
