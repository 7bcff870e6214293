output "container_group_id" {
  description = "Resource id of the container group."
  value       = azurerm_container_group.this.id
}

output "container_group_name" {
  description = "Name of the container group."
  value       = azurerm_container_group.this.name
}

output "identity_client_id" {
  description = "Client id of the group's user-assigned identity (AZURE_CLIENT_ID for SDKs in the container)."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "identity_id" {
  description = "Resource id of the group's user-assigned identity."
  value       = azurerm_user_assigned_identity.this.id
}

output "identity_principal_id" {
  description = "Principal id of the group's user-assigned identity, for role assignments."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "ip_address" {
  description = "Private IP address of the container group."
  value       = azurerm_container_group.this.ip_address
}

output "log_analytics_workspace_id" {
  description = "Resource id of the Log Analytics workspace holding the group's logs."
  value       = azurerm_log_analytics_workspace.this.id
}

output "network_security_group_id" {
  description = "Resource id of the NSG on the container group's subnet."
  value       = azurerm_network_security_group.this.id
}

output "resource_group_name" {
  description = "Resource group holding the service."
  value       = local.resource_group_name
}

output "subnet_id" {
  description = "Resource id of the subnet delegated to the container group."
  value       = azurerm_subnet.this.id
}

output "url" {
  description = "Service URL on the group's private IP (plain HTTP: ACI terminates no TLS): reachable only inside the virtual network and networks peered or routed to it, from network.allowed_cidrs; the address may change when the group is recreated."
  value       = "http://${azurerm_container_group.this.ip_address}:8080"
}

output "virtual_network_id" {
  description = "Resource id of the created virtual network."
  value       = azurerm_virtual_network.this.id
}
