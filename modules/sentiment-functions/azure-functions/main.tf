locals {
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.this.name
  tags = {
    managed-by = "tfgen"
    service    = "sentiment-functions"
    team       = "nlp"
  }
  # container.env (and model.env): plain, non-secret settings.
  app_env = {
    AzureWebJobsFeatureFlags = "EnableWorkerIndexing"
    FUNCTIONS_WORKER_RUNTIME = "python"
    MODEL_URI                = "https://examplemodels.blob.core.windows.net/models/sentiment/v3/model.onnx"
  }
}

resource "azurerm_resource_group" "this" {
  name     = "rg-ml-nlp"
  location = local.location
  tags     = local.tags
}

# Elastic Premium: VNet integration and always-ready instances. worker_count is
# the always-ready floor (scaling.min); the plan bursts to scaling.max.
resource "azurerm_service_plan" "this" {
  name                         = "sentiment-functions-plan"
  location                     = local.location
  resource_group_name          = local.resource_group_name
  os_type                      = "Linux"
  sku_name                     = "EP1"
  worker_count                 = 2
  maximum_elastic_worker_count = 10
  # Two or more always-ready instances: spread them over availability zones.
  zone_balancing_enabled = true
  tags                   = local.tags
}

resource "azurerm_linux_function_app" "this" {
  name                = "sentiment-functions"
  location            = local.location
  resource_group_name = local.resource_group_name
  service_plan_id     = azurerm_service_plan.this.id

  # The host's storage through the identity, never a connection string.
  storage_account_name          = azurerm_storage_account.this.name
  storage_uses_managed_identity = true
  # A container app keeps no code on a file share.
  content_share_force_disabled = true

  https_only                                     = true
  public_network_access_enabled                  = false
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  virtual_network_subnet_id                      = azurerm_subnet.integration.id
  vnet_image_pull_enabled                        = true
  # Key Vault references in app_settings resolve with this identity at run time.
  key_vault_reference_identity_id = azurerm_user_assigned_identity.this.id
  tags                            = local.tags

  app_settings = merge(
    local.app_env,
    {
      WEBSITES_PORT                       = "80"
      WEBSITES_ENABLE_APP_SERVICE_STORAGE = "false"
      # Azure SDKs (DefaultAzureCredential) and the Functions host use the user-assigned identity.
      AZURE_CLIENT_ID                           = azurerm_user_assigned_identity.this.client_id
      AzureWebJobsStorage__credential           = "managedidentity"
      AzureWebJobsStorage__clientId             = azurerm_user_assigned_identity.this.client_id
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "ClientId=${azurerm_user_assigned_identity.this.client_id};Authorization=AAD"
    },
    # container.secrets: references, resolved by the platform; no value reaches Terraform.
    { for env_name, secret in local.key_vault_secrets : env_name => "@Microsoft.KeyVault(SecretUri=${data.azurerm_key_vault.this.vault_uri}secrets/${secret}/)" },
  )

  site_config {
    minimum_tls_version                    = "1.2"
    scm_minimum_tls_version                = "1.2"
    ftps_state                             = "Disabled"
    http2_enabled                          = true
    health_check_path                      = "/api/health"
    health_check_eviction_time_in_min      = 2
    elastic_instance_minimum               = 2
    app_scale_limit                        = 10
    application_insights_connection_string = azurerm_application_insights.this.connection_string
    # Every outbound call (storage, Key Vault, the model) leaves through the VNet.
    vnet_route_all_enabled = true

    application_stack {
      docker {
        registry_url = "https://mcr.microsoft.com"
        image_name   = "example/sentiment-functions"
        image_tag    = "1.2.0"
      }
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  # The host needs its storage and telemetry roles before it starts.
  depends_on = [azurerm_role_assignment.storage, azurerm_role_assignment.insights]
}
