variable "enable_autoscaling" {
  description = "Create the Application Auto Scaling target and policies. tfgen's emulator runs set this to false (the emulator lacks Application Auto Scaling tagging); leave it true on AWS."
  type        = bool
  default     = true
}
