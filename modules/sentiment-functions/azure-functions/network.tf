resource "azurerm_virtual_network" "this" {
  name                = "sentiment-functions-vnet"
  location            = local.location
  resource_group_name = local.resource_group_name
  address_space       = ["10.40.0.0/24"]
  tags                = local.tags
}

# Outbound: the app's VNet integration, with a service endpoint to its storage.
resource "azurerm_subnet" "integration" {
  name                 = "sentiment-functions-integration"
  resource_group_name  = local.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = ["10.40.0.0/26"]
  service_endpoints    = ["Microsoft.Storage"]

  delegation {
    name = "function-app"

    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

# Inbound: the app's private endpoint; NSG rules apply to it (network policies on).
resource "azurerm_subnet" "endpoint" {
  name                              = "sentiment-functions-endpoint"
  resource_group_name               = local.resource_group_name
  virtual_network_name              = azurerm_virtual_network.this.name
  address_prefixes                  = ["10.40.0.64/26"]
  private_endpoint_network_policies = "Enabled"
}

resource "azurerm_network_security_group" "this" {
  name                = "sentiment-functions-endpoint"
  location            = local.location
  resource_group_name = local.resource_group_name
  tags                = local.tags
}

# HTTPS from the spec's CIDRs, then an explicit deny that outranks Azure's
# default AllowVnetInBound and AllowAzureLoadBalancerInBound rules.
resource "azurerm_network_security_rule" "allow_https" {
  name                        = "allow-https"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefixes     = ["10.0.0.0/8"]
  source_port_range           = "*"
  destination_address_prefix  = "10.40.0.64/26"
  destination_port_range      = "443"
  resource_group_name         = local.resource_group_name
  network_security_group_name = azurerm_network_security_group.this.name
}

resource "azurerm_network_security_rule" "deny_other_inbound" {
  name                        = "deny-other-inbound"
  priority                    = 4096
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_address_prefix       = "*"
  source_port_range           = "*"
  destination_address_prefix  = "*"
  destination_port_range      = "*"
  resource_group_name         = local.resource_group_name
  network_security_group_name = azurerm_network_security_group.this.name
}

# The integration subnet takes no inbound traffic: the same rules deny it all.
resource "azurerm_subnet_network_security_group_association" "integration" {
  subnet_id                 = azurerm_subnet.integration.id
  network_security_group_id = azurerm_network_security_group.this.id
}

resource "azurerm_subnet_network_security_group_association" "endpoint" {
  subnet_id                 = azurerm_subnet.endpoint.id
  network_security_group_id = azurerm_network_security_group.this.id
}

# The app's *.azurewebsites.net name resolves to the private endpoint inside the VNet.
resource "azurerm_private_dns_zone" "sites" {
  name                = "privatelink.azurewebsites.net"
  resource_group_name = local.resource_group_name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "sites" {
  name                  = "sentiment-functions-vnet"
  resource_group_name   = local.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.sites.name
  virtual_network_id    = azurerm_virtual_network.this.id
  tags                  = local.tags
}

# The only way in: public network access is off.
resource "azurerm_private_endpoint" "this" {
  name                = "sentiment-functions-endpoint"
  location            = local.location
  resource_group_name = local.resource_group_name
  subnet_id           = azurerm_subnet.endpoint.id
  tags                = local.tags

  private_service_connection {
    name                           = "sentiment-functions-endpoint"
    private_connection_resource_id = azurerm_linux_function_app.this.id
    subresource_names              = ["sites"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "sites"
    private_dns_zone_ids = [azurerm_private_dns_zone.sites.id]
  }
}
