locals {
  # The spec's email channels and notification_channels, then any given at plan time.
  notification_channels = concat(
    [],
    var.notification_channels,
  )
}

resource "google_monitoring_alert_policy" "cpu" {
  project               = "ml-serving-demo"
  display_name          = "iris-classifier-prod: CPU above 85%"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels
  user_labels = {
    cost-center = "research-42"
    environment = "prod"
    managed-by  = "tfgen"
    service     = "iris-classifier"
    team        = "ml-platform"
  }

  conditions {
    display_name = "iris-classifier-prod: CPU above 85%"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"iris-classifier-prod\" AND metric.type = \"run.googleapis.com/container/cpu/utilizations\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0.85
      duration        = "300s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MEAN"
        cross_series_reducer = "REDUCE_MEAN"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    content   = "Mean container CPU utilisation above 85% for 5 minutes on Cloud Run service iris-classifier-prod."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}

resource "google_monitoring_alert_policy" "memory" {
  project               = "ml-serving-demo"
  display_name          = "iris-classifier-prod: memory above 85%"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels
  user_labels = {
    cost-center = "research-42"
    environment = "prod"
    managed-by  = "tfgen"
    service     = "iris-classifier"
    team        = "ml-platform"
  }

  conditions {
    display_name = "iris-classifier-prod: memory above 85%"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"iris-classifier-prod\" AND metric.type = \"run.googleapis.com/container/memory/utilizations\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0.85
      duration        = "300s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MEAN"
        cross_series_reducer = "REDUCE_MEAN"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    content   = "Mean container memory utilisation above 85% for 5 minutes on Cloud Run service iris-classifier-prod."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}

resource "google_monitoring_alert_policy" "error_rate" {
  project               = "ml-serving-demo"
  display_name          = "iris-classifier-prod: 5xx above 5% of requests"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.notification_channels
  user_labels = {
    cost-center = "research-42"
    environment = "prod"
    managed-by  = "tfgen"
    service     = "iris-classifier"
    team        = "ml-platform"
  }

  conditions {
    display_name = "iris-classifier-prod: 5xx above 5% of requests"

    condition_threshold {
      filter             = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"iris-classifier-prod\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      denominator_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"iris-classifier-prod\" AND metric.type = \"run.googleapis.com/request_count\""
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
    content   = "5xx responses above 5% of requests for 5 minutes on Cloud Run service iris-classifier-prod."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}

resource "google_monitoring_alert_policy" "latency_p99" {
  project               = "ml-serving-demo"
  display_name          = "iris-classifier-prod: p99 latency above 1500 ms"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels
  user_labels = {
    cost-center = "research-42"
    environment = "prod"
    managed-by  = "tfgen"
    service     = "iris-classifier"
    team        = "ml-platform"
  }

  conditions {
    display_name = "iris-classifier-prod: p99 latency above 1500 ms"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"iris-classifier-prod\" AND metric.type = \"run.googleapis.com/request_latencies\""
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
    content   = "99th percentile request latency above 1500 ms for 5 minutes on Cloud Run service iris-classifier-prod."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.this]
}
