# resources.gpu: Fargate has no GPUs, so the service runs on EC2 instances this
# module launches, g4dn.xlarge (1 x nvidia-t4), in an Auto Scaling group that
# an ECS capacity provider grows and shrinks with the tasks it must place.

# The ECS GPU-optimised Amazon Linux 2023 AMI (NVIDIA driver, container
# toolkit and ECS agent), read on every plan: a newer AMI makes a new launch
# template version, and the instance refresh below rolls it out.
data "aws_ssm_parameter" "gpu_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.${local.dns_suffix}"]
    }
  }
}

# The instances' role is the ECS agent's: join this cluster and report on its
# tasks. Image pulls and logs use the task execution role, and the tasks cannot
# reach the instance's credentials (ECS_AWSVPC_BLOCK_IMDS in the user data).
resource "aws_iam_role" "instance" {
  name               = "whisper-asr-instance"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "JoinThisCluster"
    actions   = ["ecs:DeregisterContainerInstance", "ecs:RegisterContainerInstance", "ecs:SubmitAttachmentStateChanges", "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange"]
    resources = [aws_ecs_cluster.this.arn]
  }

  statement {
    sid       = "TalkToTheAgentEndpoint"
    actions   = ["ecs:Poll", "ecs:StartTelemetrySession"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:container-instance/${aws_ecs_cluster.this.name}/*"]
  }

  # ecs:DiscoverPollEndpoint has no resource-level permissions.
  statement {
    sid       = "FindTheAgentEndpoint"
    actions   = ["ecs:DiscoverPollEndpoint"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "ecs-agent"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_instance_profile" "instance" {
  name = "whisper-asr-instance"
  role = aws_iam_role.instance.name
}

# The instances themselves take no inbound traffic (each task has its own
# network interface and the service's security group); the ECS agent and
# image pulls leave over HTTPS.
resource "aws_security_group" "instance" {
  name        = "whisper-asr-instance"
  description = "GPU container instances: no inbound, HTTPS out for the ECS agent and image pulls"
  vpc_id      = local.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "instance_https" {
  security_group_id = aws_security_group.instance.id
  description       = "HTTPS to the ECS endpoints and image registries"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_launch_template" "gpu" {
  name                   = "whisper-asr-gpu"
  description            = "GPU container instances of whisper-asr (g4dn.xlarge)"
  image_id               = data.aws_ssm_parameter.gpu_ami.insecure_value
  instance_type          = "g4dn.xlarge"
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.instance.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  # IMDSv2 only, one hop: the ECS agent (host network) reaches it, containers do not.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # Images with CUDA run to gigabytes; the root volume holds them and the
  # tasks' writable paths.
  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = 100
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  # Join this cluster. The quoted heredoc delimiter keeps the shell from
  # expanding anything in the lines it writes.
  user_data = base64encode(join("\n", [
    "#!/bin/bash",
    "cat >> /etc/ecs/ecs.config <<'ECS_CONFIG'",
    "ECS_CLUSTER=${aws_ecs_cluster.this.name}",
    "ECS_ENABLE_GPU_SUPPORT=true",
    "ECS_AWSVPC_BLOCK_IMDS=true",
    # Spot: on an interruption notice, drain the instance so ECS starts its tasks elsewhere.
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    "ECS_CONFIG",
    "",
  ]))

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "whisper-asr-gpu" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "whisper-asr-gpu" }
  }
}

resource "aws_autoscaling_group" "gpu" {
  name                = "whisper-asr-gpu"
  vpc_zone_identifier = local.private_subnet_ids
  # The capacity provider sets the size; the maximum leaves room for a deploy
  # at deployment_maximum_percent 200 with one task per instance.
  min_size                  = 0
  max_size                  = 8
  health_check_type         = "EC2"
  health_check_grace_period = 300
  default_instance_warmup   = 300
  # Managed termination protection: ECS only lets the group end an instance
  # that runs no task.
  protect_from_scale_in = true
  # terraform destroy ends the instances despite their scale-in protection
  # (the service and its tasks are gone by then).
  force_delete = true

  launch_template {
    id      = aws_launch_template.gpu.id
    version = aws_launch_template.gpu.latest_version
  }

  # A new launch template version (a newer AMI) replaces the instances a few at
  # a time; managed draining moves their tasks first.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage       = 100
      max_healthy_percentage       = 200
      instance_warmup              = 300
      scale_in_protected_instances = "Refresh"
    }
  }

  # ECS tags the group it manages; declaring the tag keeps plans clean.
  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }

  # Instances register with the cluster as they boot (and deregister as they
  # end, on destroy): the agent's permissions come first and go last.
  depends_on = [aws_iam_role_policy.instance]
}

resource "aws_ecs_capacity_provider" "gpu" {
  name = "gpu-whisper-asr"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.gpu.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    # Enough instances for every task the service wants placed, none idle.
    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 8
      instance_warmup_period    = 300
    }
  }
}

# resources.spot: a second group of the same instances on Spot capacity; the
# service keeps its first task on the on-demand group.
resource "aws_autoscaling_group" "gpu_spot" {
  name                = "whisper-asr-gpu-spot"
  vpc_zone_identifier = local.private_subnet_ids
  # The capacity provider sets the size; the maximum leaves room for a deploy
  # at deployment_maximum_percent 200 with one task per instance.
  min_size                  = 0
  max_size                  = 8
  health_check_type         = "EC2"
  health_check_grace_period = 300
  default_instance_warmup   = 300
  # Managed termination protection: ECS only lets the group end an instance
  # that runs no task.
  protect_from_scale_in = true
  # terraform destroy ends the instances despite their scale-in protection
  # (the service and its tasks are gone by then).
  force_delete = true
  # Launch a replacement when EC2 signals a Spot instance is at risk, before
  # the two-minute interruption notice.
  capacity_rebalance = true

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 0
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.gpu.id
        version            = aws_launch_template.gpu.latest_version
      }
    }
  }

  # A new launch template version (a newer AMI) replaces the instances a few at
  # a time; managed draining moves their tasks first.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage       = 100
      max_healthy_percentage       = 200
      instance_warmup              = 300
      scale_in_protected_instances = "Refresh"
    }
  }

  # ECS tags the group it manages; declaring the tag keeps plans clean.
  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }

  # Instances register with the cluster as they boot (and deregister as they
  # end, on destroy): the agent's permissions come first and go last.
  depends_on = [aws_iam_role_policy.instance]
}

resource "aws_ecs_capacity_provider" "gpu_spot" {
  name = "gpu-spot-whisper-asr"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.gpu_spot.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    # Enough instances for every task the service wants placed, none idle.
    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 8
      instance_warmup_period    = 300
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = [aws_ecs_capacity_provider.gpu.name, aws_ecs_capacity_provider.gpu_spot.name]

  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu.name
    base              = 1
    weight            = 1
  }

  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.gpu_spot.name
    weight            = 3
  }
}
