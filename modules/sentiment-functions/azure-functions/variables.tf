variable "action_group_ids" {
  description = "Further Azure Monitor action groups the metric alerts notify, besides the spec's."
  type        = list(string)
  default     = []
}
