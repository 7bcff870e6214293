variable "action_group_ids" {
  description = "Azure Monitor action groups the metric alerts notify; with none, alerts only show in the portal."
  type        = list(string)
  default     = []
}
