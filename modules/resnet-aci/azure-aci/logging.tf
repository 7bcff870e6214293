# The container group ships stdout/stderr and its events here (diagnostics in
# main.tf) with the workspace's shared key, so local authentication stays on.
resource "azurerm_log_analytics_workspace" "this" {
  name                = "resnet-aci-logs"
  location            = local.location
  resource_group_name = local.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}
