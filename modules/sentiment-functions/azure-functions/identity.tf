# The app's own identity: the host's storage, its telemetry, the named secrets,
# the model and the spec's permissions, nothing more.
resource "azurerm_user_assigned_identity" "this" {
  name                = "sentiment-functions-id"
  location            = local.location
  resource_group_name = local.resource_group_name
  tags                = local.tags
}

# The Functions host keeps its keys and leases in blobs of its own account.
resource "azurerm_role_assignment" "storage" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Functions host storage (storage_uses_managed_identity)"
}

# Application Insights takes Entra-authenticated telemetry only.
resource "azurerm_role_assignment" "insights" {
  scope                = azurerm_application_insights.this.id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Send telemetry to Application Insights"
}

# container.secrets: read each named secret (the vault uses the RBAC model), resolved at run time.
resource "azurerm_role_assignment" "secret" {
  for_each = local.key_vault_secrets

  scope                = "${data.azurerm_key_vault.this.id}/secrets/${each.value}"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Key Vault reference in app settings"
}

# model.uri: read exactly the model blob: the role is scoped to the model's
# container, and the condition denies reads (and listing) outside the path.
resource "azurerm_role_assignment" "model" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml-data/providers/Microsoft.Storage/storageAccounts/examplemodels/blobServices/default/containers/models"
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Read the model (model.uri)"
  condition_version    = "2.0"
  condition            = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringEquals 'sentiment/v3/model.onnx')) AND (!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND SubOperationMatches{'Blob.List'}))"
}
