"""The rules of examples/python in the generated SDK's other two forms: args classes and TypedDicts."""
import pulumi
import pulumi_ecrx as ecrx

with_args_classes = ecrx.Repository("args-classes", life_cycle_policy_args=ecrx.LifecyclePolicyArgsArgs(rules=[
    ecrx.LifecycleRuleArgs(selection=ecrx.LifecycleSelectionArgs(tag_prefix_list=["prod"]), maximum_number_of_images=1),
    ecrx.LifecycleRuleArgs(selection="untagged", maximum_age_limit=14),
    ecrx.LifecycleRuleArgs(selection="any", maximum_number_of_images=5),
]))

typed_dict_rule: ecrx.LifecycleRuleArgsDict = {"selection": {"tag_prefix_list": ["prod"]}, "maximum_number_of_images": 1}
with_typed_dicts = ecrx.Repository("typed-dicts", life_cycle_policy_args={"rules": [
    typed_dict_rule,
    {"selection": "untagged", "maximum_age_limit": 14},
    {"selection": "any", "maximum_number_of_images": 5},
]})

pulumi.export("argsClassesPolicy", with_args_classes.lifecycle_policy_text)
pulumi.export("typedDictsPolicy", with_typed_dicts.lifecycle_policy_text)
