"""Proves the sandbox's Python host: the SDK runs, reads stack config, and keeps a secret secret."""
import pulumi

config = pulumi.Config()
pulumi.export("greeting", f"hello from {pulumi.get_project()}/{pulumi.get_stack()}")
pulumi.export("token", config.require_secret("token"))
