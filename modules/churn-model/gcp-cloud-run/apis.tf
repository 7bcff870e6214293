# The Google APIs this module calls, enabled so the first apply works in a
# fresh project. Never disabled on destroy: other services in the project may
# use them, and disabling one breaks them.
resource "google_project_service" "this" {
  for_each = toset([
    "cloudtrace.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
  ])

  project            = "ml-serving-demo"
  service            = each.value
  disable_on_destroy = false
}
