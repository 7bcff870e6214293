"""The module README's Mermaid diagram, drawn from the resources read back from the rendered code.

Built from the same facts as the README's tables (`render.module_facts`: the
resource and data blocks of the rendered `.tf`, their `count`, the
whole-number arguments they set and the IAM actions they list), so it can only
show what the module really declares. Roles are known per resource *type*
(provider knowledge, not target knowledge): a new platform whose types are not
in the tables below still gets its callers and service drawn once its service
type is added here.

    Callers --> load balancer / URL --> service
    service --> logs, reads secrets, runs in the network, runs as an identity
    scaling and alarms point at the service; keys at what they encrypt

Only tfgen's own strings reach the diagram (resource types and names come
from templates, numbers are numbers), so nothing needs escaping.
"""

from __future__ import annotations

from typing import Any

# resource type -> what a reviewer calls it
ENTRY = {
    "aws_lb": "Application Load Balancer",
    "aws_lambda_function_url": "Function URL",
    "kubernetes_ingress_v1": "Ingress",
    "aws_batch_job_queue": "Batch job queue",
}
SERVICE = {
    "aws_ecs_service": "ECS service",
    "aws_lambda_function": "Lambda function",
    "google_cloud_run_v2_service": "Cloud Run service",
    "google_cloudfunctions2_function": "Cloud Function (2nd gen)",
    "azurerm_container_group": "Container group",
    "azurerm_linux_function_app": "Function App",
    "kubernetes_deployment_v1": "Deployment",
    "aws_sagemaker_endpoint": "SageMaker endpoint",
    "aws_batch_job_definition": "Batch job",
}
LOGS = {
    "aws_cloudwatch_log_group": "CloudWatch Logs",
    "google_logging_project_bucket_config": "Cloud Logging bucket",
    "google_logging_project_sink": "Cloud Logging sink",
    "azurerm_log_analytics_workspace": "Log Analytics workspace",
}
SECRETS = {
    "google_secret_manager_secret_iam_member": "Secret Manager (read access)",
    "azurerm_key_vault_secret": "Key Vault secrets",
    "azurerm_key_vault": "Key Vault (secret references)",
    "kubernetes_secret_v1": "Secrets",
}
SECRET_ACTIONS = {"secretsmanager:GetSecretValue": "Secrets Manager"}  # AWS: secrets are referenced, not created
SCALING = {
    "aws_appautoscaling_target": "Application Auto Scaling",
    "aws_lambda_provisioned_concurrency_config": "Provisioned concurrency",
    "kubernetes_horizontal_pod_autoscaler_v2": "Horizontal Pod Autoscaler",
    "aws_batch_compute_environment": "Batch compute environments",
}
NETWORK = {
    "aws_vpc": "VPC",
    "aws_subnet": "subnets",
    "aws_security_group": "security groups",
    "aws_nat_gateway": "NAT gateway",
    "google_compute_network": "VPC network",
    "google_compute_subnetwork": "subnet",
    "google_compute_firewall": "firewall",
    "google_vpc_access_connector": "VPC connector",
    "azurerm_virtual_network": "virtual network",
    "azurerm_subnet": "subnet",
    "azurerm_network_security_group": "network security group",
    "kubernetes_network_policy_v1": "network policy",
}
IDENTITY = {
    "aws_iam_role": "IAM role",
    "google_service_account": "service account",
    "azurerm_user_assigned_identity": "managed identity",
    "kubernetes_service_account_v1": "service account",
}
ALARMS = {
    "aws_cloudwatch_metric_alarm": "CloudWatch alarms",
    "google_monitoring_alert_policy": "alert policies",
    "azurerm_monitor_metric_alert": "metric alerts",
    "aws_cloudwatch_event_rule": "EventBridge rules",
}
KEYS = {"aws_kms_key": "KMS key", "google_kms_crypto_key": "Cloud KMS key", "azurerm_key_vault_key": "Key Vault key"}
DEAD_LETTER = {"aws_sqs_queue": "dead-letter queue"}
SCHEDULES = {"aws_scheduler_schedule": "EventBridge Scheduler"}  # starts the service (a job) on a schedule
# Whole-number arguments that say how far the service scales: (minimum, maximum) names.
SCALE_BOUNDS = (
    ("min_capacity", "max_capacity"),
    ("min_instance_count", "max_instance_count"),
    ("min_replicas", "max_replicas"),
)
MAX_LISTED = 3  # addresses shown in a node before "+N more"


def _of(resources: list[dict[str, Any]], table: dict[str, str]) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] in table]


def _addresses(found: list[dict[str, Any]]) -> str:
    names = [r["address"] + (" (optional)" if r["count"] and "var." in r["count"] else "") for r in found]
    shown = names[:MAX_LISTED] + ([f"+{len(names) - MAX_LISTED} more"] if len(names) > MAX_LISTED else [])
    return "<br/>".join(shown)


def _label(title: str, found: list[dict[str, Any]]) -> str:
    return f'"{title}<br/>{_addresses(found)}"' if found else f'"{title}"'


def _kinds(found: list[dict[str, Any]], table: dict[str, str]) -> str:
    kinds = list(dict.fromkeys(table[r["type"]] for r in found))
    return ", ".join(kinds)


def _scale(resources: list[dict[str, Any]]) -> str:
    """`1 to 4 instances` (or concurrency) from the numbers the code sets; "" when it sets none."""
    for low, high in SCALE_BOUNDS:
        for resource in resources:
            numbers = resource["numbers"]
            if low in numbers and high in numbers:
                return f"{numbers[low]} to {numbers[high]} instances"
    warm = [
        r["numbers"]["provisioned_concurrent_executions"]
        for r in resources
        if "provisioned_concurrent_executions" in r["numbers"]
    ]
    most = [
        r["numbers"]["reserved_concurrent_executions"]
        for r in resources
        if "reserved_concurrent_executions" in r["numbers"]
    ]
    return ", ".join([f"{n} warm" for n in warm] + [f"at most {n} concurrent" for n in most])


def mermaid(resources: list[dict[str, Any]]) -> str:
    """A `flowchart LR` of the module, or "" when no resource is a service tfgen knows."""
    managed = [r for r in resources if not r["data"]]
    service = _of(managed, SERVICE)
    if not service:
        return ""
    lines = ["flowchart LR", '  callers(["Callers"])']
    entry = _of(managed, ENTRY)
    lines.append(f"  service[{_label(SERVICE[service[0]['type']], service)}]")
    if entry:
        lines.append(f"  entry[{_label(ENTRY[entry[0]['type']], entry)}]")
        lines += ["  callers -->|requests| entry", "  entry --> service"]
    else:
        lines.append("  callers -->|requests| service")
    schedules = _of(managed, SCHEDULES)
    if schedules:
        lines += [
            f"  schedule([{_label(_kinds(schedules, SCHEDULES), schedules)}])",
            f"  schedule -->|submits| {'entry' if entry else 'service'}",
        ]
    logs = _of(managed, LOGS)
    if logs:
        lines += [f"  logs[({_label(_kinds(logs, LOGS), logs)})]", "  service -->|logs| logs"]
    secret_reads = [r for r in resources if any(a in SECRET_ACTIONS for a in r["actions"])]
    secrets = _of(resources, SECRETS)
    if secrets or secret_reads:
        title = ", ".join(
            dict.fromkeys(
                [SECRETS[r["type"]] for r in secrets]
                + [SECRET_ACTIONS[a] for r in secret_reads for a in r["actions"] if a in SECRET_ACTIONS]
            )
        )
        lines += [f"  secrets[/{_label(title, secrets or secret_reads)}/]", "  service -->|reads| secrets"]
    scaling = _of(managed, SCALING)
    bounds = _scale(managed)
    if scaling or bounds:
        title = _kinds(scaling, SCALING) if scaling else "Scaling"
        lines += [
            f"  scaling{{{{{_label(title + (': ' + bounds if bounds else ''), scaling)}}}}}",
            "  scaling -.->|scales| service",
        ]
    network = _of(managed, NETWORK)
    if network:
        lines += [
            f"  network[{_label('Network: ' + _kinds(network, NETWORK), network)}]",
            "  service ---|runs in| network",
        ]
    identity = _of(managed, IDENTITY)
    if identity:
        lines += [f"  identity[{_label(_kinds(identity, IDENTITY), identity)}]", "  service -.->|runs as| identity"]
    dead_letter = _of(managed, DEAD_LETTER)
    if dead_letter:
        lines += [
            f"  dlq[({_label(_kinds(dead_letter, DEAD_LETTER), dead_letter)})]",
            "  service -->|failed events| dlq",
        ]
    alarms = _of(managed, ALARMS)
    if alarms:
        lines += [f"  alarms[{_label(_kinds(alarms, ALARMS), alarms)}]", "  alarms -.->|watch| service"]
    keys = _of(managed, KEYS)
    if keys:
        lines.append(f"  keys[{_label(_kinds(keys, KEYS), keys)}]")
        lines += [f"  keys -.->|encrypts| {node}" for node, found in (("logs", logs), ("dlq", dead_letter)) if found]
    return "\n".join(lines)
