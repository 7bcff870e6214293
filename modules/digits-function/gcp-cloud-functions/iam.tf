resource "google_service_account" "this" {
  project      = "ml-serving-demo"
  account_id   = "digits-function-fn"
  display_name = "digits-function Cloud Functions runtime"
  description  = "Runtime identity of the function; holds only what the spec asks for."

  depends_on = [google_project_service.this]
}

# Cloud Build builds the function as this account, which may only write build logs, read
# the source bucket and push to the function's own image repository.
resource "google_service_account" "build" {
  project      = "ml-serving-demo"
  account_id   = "digits-function-build"
  display_name = "digits-function Cloud Functions build"
  description  = "Builds the function's image from its source; nothing else."

  depends_on = [google_project_service.this]
}

resource "google_project_iam_member" "build_logs" {
  project = "ml-serving-demo"
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "build_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

resource "google_artifact_registry_repository_iam_member" "build" {
  project    = google_artifact_registry_repository.this.project
  location   = google_artifact_registry_repository.this.location
  repository = google_artifact_registry_repository.this.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
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
  for_each = toset(["digits-feature-store-key"])

  project   = "ml-serving-demo"
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.this.member
}

# model.uri: the service account reads exactly the model object: the condition
# limits the bucket-level role to it (IAM conditions need uniform bucket-level access on the bucket).
resource "google_storage_bucket_iam_member" "model" {
  bucket = "example-models"
  role   = "roles/storage.objectViewer"
  member = google_service_account.this.member

  condition {
    title       = "model-only"
    description = "Read the object digits/v1/model.pkl only"
    expression  = "resource.name == \"projects/_/buckets/example-models/objects/digits/v1/model.pkl\""
  }
}
