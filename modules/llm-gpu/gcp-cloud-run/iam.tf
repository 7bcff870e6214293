resource "google_service_account" "this" {
  project      = "genai-demo"
  account_id   = "llm-gpu-run"
  display_name = "llm-gpu Cloud Run runtime"
  description  = "Runtime identity of the Cloud Run service; holds only what the spec asks for."

  depends_on = [google_project_service.this]
}

# observability.tracing: spans the application exports reach Cloud Trace only
# with this role (it exists per project only; it can write traces, not read them).
resource "google_project_iam_member" "trace_agent" {
  project = "genai-demo"
  role    = "roles/cloudtrace.agent"
  member  = google_service_account.this.member
}
