resource "google_service_account" "this" {
  project      = "ml-serving-demo"
  account_id   = "churn-model-run"
  display_name = "churn-model Cloud Run runtime"
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
  for_each = toset(["churn-feature-store-token"])

  project   = "ml-serving-demo"
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.this.member
}

# model.uri: the service account reads exactly the model object: the condition
# limits the bucket-level role to it (IAM conditions need uniform bucket-level access on the bucket).
resource "google_storage_bucket_iam_member" "model" {
  bucket = "example-ml-models-eu"
  role   = "roles/storage.objectViewer"
  member = google_service_account.this.member

  condition {
    title       = "model-only"
    description = "Read the object churn/2.1.0/model.pkl only"
    expression  = "resource.name == \"projects/_/buckets/example-ml-models-eu/objects/churn/2.1.0/model.pkl\""
  }
}

# permissions.capabilities: metrics. Metric writing is granted per project only.
resource "google_project_iam_member" "metrics" {
  project = "ml-serving-demo"
  role    = "roles/monitoring.metricWriter"
  member  = google_service_account.this.member
}
