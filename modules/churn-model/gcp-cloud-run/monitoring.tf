# observability.notify_emails: one email channel per address.
resource "google_monitoring_notification_channel" "email" {
  for_each = toset(["ml-oncall@example.com"])

  project      = "ml-serving-demo"
  display_name = format("%s alerts: %s", "churn-model", each.value)
  type         = "email"
  labels       = { email_address = each.value }
  user_labels = {
    managed-by = "tfgen"
    service    = "churn-model"
    team       = "ml-platform"
  }

  depends_on = [google_project_service.this]
}

locals {
  # The spec's email channels and notification_channels, then any given at plan time.
  notification_channels = concat(
    [for channel in google_monitoring_notification_channel.email : channel.id],
    [],
    var.notification_channels,
  )
}

resource "google_monitoring_alert_policy" "error_rate" {
  project               = "ml-serving-demo"
  display_name          = "churn-model: 5xx above 5% of requests"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.notification_channels
  user_labels = {
    managed-by = "tfgen"
    service    = "churn-model"
    team       = "ml-platform"
  }

  conditions {
    display_name = "churn-model: 5xx above 5% of requests"

    condition_threshold {
      filter             = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"churn-model\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      denominator_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"churn-model\" AND metric.type = \"run.googleapis.com/request_count\""
      comparison         = "COMPARISON_GT"
      threshold_value    = 0.05
      duration           = "300s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }

      denominator_aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    content   = "5xx responses above 5% of requests for 5 minutes on Cloud Run service churn-model."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}

resource "google_monitoring_alert_policy" "latency_p99" {
  project               = "ml-serving-demo"
  display_name          = "churn-model: p99 latency above 1500 ms"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels
  user_labels = {
    managed-by = "tfgen"
    service    = "churn-model"
    team       = "ml-platform"
  }

  conditions {
    display_name = "churn-model: p99 latency above 1500 ms"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"churn-model\" AND metric.type = \"run.googleapis.com/request_latencies\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1500
      duration        = "300s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_99"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    content   = "99th percentile request latency above 1500 ms for 5 minutes on Cloud Run service churn-model."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}
