resource "google_service_account" "this" {
  project      = "ml-serving-demo"
  account_id   = "iris-classifier-run"
  display_name = "iris-classifier Cloud Run runtime"
  description  = "Runtime identity of the Cloud Run service; holds only what the spec asks for."

  depends_on = [google_project_service.this]
}

# observability.tracing: spans the application exports reach Cloud Trace only
# with this role (it exists per project only; it can write traces, not read them).
resource "google_project_iam_member" "trace_agent" {
  project = "ml-serving-demo"
  role    = "roles/cloudtrace.agent"
  member  = google_service_account.this.member
}

# Read access to exactly the secrets the container references, nothing project-wide.
resource "google_secret_manager_secret_iam_member" "this" {
  for_each = toset(["iris-model-registry-token"])

  project   = "ml-serving-demo"
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.this.member
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = toset(["group:ml-clients@example.com"])

  project  = google_cloud_run_v2_service.this.project
  location = google_cloud_run_v2_service.this.location
  name     = google_cloud_run_v2_service.this.name
  role     = "roles/run.invoker"
  member   = each.value
}
