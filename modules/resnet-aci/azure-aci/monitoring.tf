locals {
  # The spec's email action group and action_group_ids, then any given at plan time.
  action_group_ids = concat(
    [],
    var.action_group_ids,
  )
}

# ACI reports CpuUsage in millicores and MemoryUsage in bytes, not percent: each
# threshold is the spec's percent of what the container group requested.
resource "azurerm_monitor_metric_alert" "cpu" {
  name                = "resnet-aci-cpu"
  resource_group_name = local.resource_group_name
  scopes              = [azurerm_container_group.this.id]
  description         = "Average CPU above 90% of the 2 vCPU requested (1800 millicores) for 5 minutes"
  severity            = 2
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.ContainerInstance/containerGroups"
    metric_name      = "CpuUsage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 1800
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}

resource "azurerm_monitor_metric_alert" "memory" {
  name                = "resnet-aci-memory"
  resource_group_name = local.resource_group_name
  scopes              = [azurerm_container_group.this.id]
  description         = "Average memory above 90% of the 4096 MiB requested (3686.4 MiB) for 5 minutes"
  severity            = 2
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.ContainerInstance/containerGroups"
    metric_name      = "MemoryUsage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 3865470566
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}
