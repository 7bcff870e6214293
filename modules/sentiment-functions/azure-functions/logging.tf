resource "azurerm_log_analytics_workspace" "this" {
  name                = "sentiment-functions-logs"
  location            = local.location
  resource_group_name = local.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}

# Workspace-based: telemetry is kept as long as the workspace keeps it. Only
# Entra-authenticated senders (the app's identity) may ingest.
resource "azurerm_application_insights" "this" {
  name                          = "sentiment-functions-insights"
  location                      = local.location
  resource_group_name           = local.resource_group_name
  workspace_id                  = azurerm_log_analytics_workspace.this.id
  application_type              = "web"
  local_authentication_disabled = true
  tags                          = local.tags
}
