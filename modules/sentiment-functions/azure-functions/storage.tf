# The Functions host's own storage (keys, leases), reached only with the
# app's identity: no shared keys, no public blobs, TLS 1.2.
resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV2_AZURE_1:the runtime storage account holds only the Functions host's keys and leases, encrypted with Microsoft-managed keys and infrastructure encryption; no model data or secrets are stored there
  #checkov:skip=CKV2_AZURE_33:the Function App reaches its runtime storage through VNet service endpoints (private network) or Entra-authorized requests only (shared keys are disabled)
  #checkov:skip=CKV_AZURE_33:queue request logging (queue_properties) is written through the storage data plane, which the account's network rules close to Terraform in a private network; an HTTP-triggered app's host uses no queues
  #checkov:skip=CKV_AZURE_206:zone-redundant storage; the host's keys and leases are recreated by the host and need no geo copy
  #checkov:skip=CKV_AZURE_59:the integration subnet reaches the account through a service endpoint, which uses the public endpoint; network_rules deny every other source
  name                              = "stsentimentfunct9813e198"
  location                          = local.location
  resource_group_name               = local.resource_group_name
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  infrastructure_encryption_enabled = true
  local_user_enabled                = false
  cross_tenant_replication_enabled  = false
  public_network_access_enabled     = true
  tags                              = local.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }

    container_delete_retention_policy {
      days = 7
    }
  }

  sas_policy {
    expiration_period = "01.00:00:00"
    expiration_action = "Log"
  }

  network_rules {
    default_action             = "Deny"
    bypass                     = ["AzureServices"]
    virtual_network_subnet_ids = [azurerm_subnet.integration.id]
  }
}
