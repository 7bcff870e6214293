"""Runners: the external tools tfgen starts, and what it does with their answers.

tfprocess.py           the only place that starts terraform: binary, environment policy
                       (TF_CLI_ARGS* dropped, CLI config), timeouts, Ctrl-C, output decoding
tfconfig.py            the CLI configuration terraform reads (the user's, plus a mirror)
tfevents.py            terraform's `-json` event stream -> progress lines and diagnostics
terraform.py           the commands plan/apply/destroy/output run, for one module
static_checks.py       `tfgen check`'s `terraform fmt -check` and `validate`
plans.py, workflow.py  run artefacts and the plan/apply/destroy/output steps
checkov.py             the Checkov process (its report is read by report/checkov_results.py)
emulator.py            the moto server (moto_serial.py: one request at a time);
                       emulator_overrides.py what emulator mode changes
kubectl.py             kubectl, for the Kubernetes target
"""
