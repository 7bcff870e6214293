locals {
  # Built by tfgen from the spec's source folder; its hash names the object, so new code is a new object.
  source_zip = format("%s/%s", path.module, "function-source.zip")
}

resource "google_cloudfunctions2_function" "this" {
  project     = "ml-serving-demo"
  location    = "europe-west1"
  name        = "digits-function-fn"
  description = "Digits classifier as a Cloud Function"
  labels = {
    managed-by = "tfgen"
    service    = "digits-function"
    team       = "vision"
  }

  build_config {
    runtime           = "python312"
    entry_point       = "predict"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.this.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_cpu                    = "1"
    available_memory                 = "1024Mi"
    min_instance_count               = 0
    max_instance_count               = 20
    max_instance_request_concurrency = 4
    timeout_seconds                  = 60
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.this.email
    vpc_connector                    = google_vpc_access_connector.this.id
    vpc_connector_egress_settings    = "PRIVATE_RANGES_ONLY"
    environment_variables = {
      LOG_LEVEL = "info"
      MODEL_URI = "gs://example-models/digits/v1/model.pkl"
    }

    secret_environment_variables {
      key        = "FEATURE_STORE_KEY"
      project_id = "ml-serving-demo"
      secret     = "digits-feature-store-key"
      version    = "latest"
    }
  }

  # The build reads the source and writes the image only once its grants exist; the
  # function checks secret access and the key grants when it deploys a revision.
  depends_on = [
    google_project_service.this,
    google_project_iam_member.build_logs,
    google_storage_bucket_iam_member.build_source,
    google_artifact_registry_repository_iam_member.build,
    google_secret_manager_secret_iam_member.this,
  ]
}
