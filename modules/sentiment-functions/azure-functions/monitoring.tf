# observability.notify_emails: one action group emailing every address.
resource "azurerm_monitor_action_group" "email" {
  name                = "sentiment-functions-alerts"
  resource_group_name = local.resource_group_name
  short_name          = "sentiment-fu"
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = ["ml-oncall@example.com"]

    content {
      name                    = email_receiver.value
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

locals {
  # The spec's email action group and action_group_ids, then any given at plan time.
  action_group_ids = concat(
    [azurerm_monitor_action_group.email.id],
    [],
    var.action_group_ids,
  )
}

# CPU and memory percent are plan metrics, averaged over its instances.
resource "azurerm_monitor_metric_alert" "cpu" {
  name                = "sentiment-functions-cpu"
  resource_group_name = local.resource_group_name
  scopes              = [azurerm_service_plan.this.id]
  description         = "Average CPU of the plan's instances above 85% for 5 minutes"
  severity            = 2
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.Web/serverFarms"
    metric_name      = "CpuPercentage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 85
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}

resource "azurerm_monitor_metric_alert" "memory" {
  name                = "sentiment-functions-memory"
  resource_group_name = local.resource_group_name
  scopes              = [azurerm_service_plan.this.id]
  description         = "Average memory of the plan's instances above 85% for 5 minutes"
  severity            = 2
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.Web/serverFarms"
    metric_name      = "MemoryPercentage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 85
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}
