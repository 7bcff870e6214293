output "function_app_id" {
  description = "Resource id of the Function App."
  value       = azurerm_linux_function_app.this.id
}

output "function_app_name" {
  description = "Name of the Function App."
  value       = azurerm_linux_function_app.this.name
}

output "identity_client_id" {
  description = "Client id of the app's user-assigned identity (AZURE_CLIENT_ID in the container)."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "identity_principal_id" {
  description = "Principal id of the app's user-assigned identity, for role assignments."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "application_insights_id" {
  description = "Resource id of Application Insights."
  value       = azurerm_application_insights.this.id
}

output "log_analytics_workspace_id" {
  description = "Resource id of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}

output "resource_group_name" {
  description = "Resource group holding the service."
  value       = local.resource_group_name
}

output "url" {
  description = "Service URL (HTTPS), resolving to the private endpoint inside the virtual network."
  value       = "https://${azurerm_linux_function_app.this.default_hostname}"
}
