resource "azurerm_virtual_network" "this" {
  name                = "resnet-aci-vnet"
  location            = local.location
  resource_group_name = local.resource_group_name
  address_space       = ["10.30.0.0/16"]
  tags                = local.tags
}

resource "azurerm_subnet" "this" {
  name                 = "resnet-aci-aci"
  resource_group_name  = local.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = ["10.30.0.0/24"]

  delegation {
    name = "container-instances"

    service_delegation {
      name    = "Microsoft.ContainerInstance/containerGroups"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_network_security_group" "this" {
  name                = "resnet-aci-aci"
  location            = local.location
  resource_group_name = local.resource_group_name
  tags                = local.tags
}

# Inbound: the service port from the spec's CIDRs, and nothing else. The
# explicit deny outranks Azure's default AllowVnetInBound and
# AllowAzureLoadBalancerInBound rules (priorities 65000 and 65001).
resource "azurerm_network_security_rule" "allow_service" {
  name                        = "allow-service-port"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_address_prefixes     = ["10.0.0.0/8", "192.168.0.0/16"]
  source_port_range           = "*"
  destination_address_prefix  = "10.30.0.0/24"
  destination_port_range      = "8080"
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

resource "azurerm_subnet_network_security_group_association" "this" {
  subnet_id                 = azurerm_subnet.this.id
  network_security_group_id = azurerm_network_security_group.this.id
}
