# The function's source zips: private, versioned, uniform access, never public.
resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:the bucket holds only the deployment zips Terraform uploads and Cloud Build reads once per deploy; access logs would need a second bucket for nothing the audit logs of the deploy do not show
  project                     = "ml-serving-demo"
  name                        = "ml-serving-demo-digits-function-fn-src"
  location                    = "europe-west1"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels = {
    managed-by = "tfgen"
    service    = "digits-function"
    team       = "vision"
  }

  versioning {
    enabled = true
  }

  # Older uploads are only a history of deployed code: keep them 30 days after replacement.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.this]
}

resource "google_storage_bucket_object" "source" {
  bucket       = google_storage_bucket.source.name
  name         = "${filesha256(local.source_zip)}.zip"
  source       = local.source_zip
  content_type = "application/zip"
}

# The image Cloud Build makes from the source, kept in a repository of this function only.
resource "google_artifact_registry_repository" "this" {
  #checkov:skip=CKV_GCP_84:targets.gcp-cloud-functions.kms_key is not set in the spec: the function, its buckets and this repository use Google-managed encryption alike
  project       = "ml-serving-demo"
  location      = "europe-west1"
  repository_id = "digits-function-fn"
  description   = "Images Cloud Build makes from the function's source."
  format        = "DOCKER"
  labels = {
    managed-by = "tfgen"
    service    = "digits-function"
    team       = "vision"
  }

  depends_on = [google_project_service.this]
}
