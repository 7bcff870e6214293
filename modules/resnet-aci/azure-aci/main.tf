locals {
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.this.name
  tags = {
    managed-by = "tfgen"
    service    = "resnet-aci"
    team       = "vision"
  }
}

resource "azurerm_resource_group" "this" {
  name     = "rg-ml-vision"
  location = local.location
  tags     = local.tags
}

resource "azurerm_container_group" "this" {
  #checkov:skip=CKV_AZURE_235:container.env holds only non-secret settings (the spec keeps secrets in container.secrets, which go to secure_environment_variables); plain values stay readable to operators
  name                = "resnet-aci"
  location            = local.location
  resource_group_name = local.resource_group_name
  os_type             = "Linux"
  sku                 = "Standard"
  restart_policy      = "Always"
  ip_address_type     = "Private"
  subnet_ids          = [azurerm_subnet.this.id]
  tags                = local.tags

  container {
    name   = "app"
    image  = var.image
    cpu    = 2
    memory = 4
    environment_variables = {
      TS_DEFAULT_WORKERS_PER_MODEL = "2"
      TS_NUMBER_OF_GPU             = "0"
    }
    # Values read from Key Vault at plan time: they are in the plan and the state (see README).
    secure_environment_variables = { for env_name, secret in data.azurerm_key_vault_secret.this : env_name => secret.value }

    ports {
      port     = 8080
      protocol = "TCP"
    }

    liveness_probe {
      # Wait out the model load before the first probe, and restart only after
      # several failures in a row: a slow start must not restart in a loop.
      initial_delay_seconds = 120
      period_seconds        = 30
      timeout_seconds       = 10
      failure_threshold     = 3

      http_get {
        path   = "/ping"
        port   = 8080
        scheme = "Http"
      }
    }

    readiness_probe {
      period_seconds    = 30
      timeout_seconds   = 10
      failure_threshold = 3

      http_get {
        path   = "/ping"
        port   = 8080
        scheme = "Http"
      }
    }
  }

  diagnostics {
    log_analytics {
      log_type      = "ContainerInsights"
      workspace_id  = azurerm_log_analytics_workspace.this.workspace_id
      workspace_key = azurerm_log_analytics_workspace.this.primary_shared_key
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this.id]
  }

  # The NSG must guard the subnet before the group gets an address in it.
  depends_on = [azurerm_subnet_network_security_group_association.this]
}
