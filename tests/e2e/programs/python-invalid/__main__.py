"""Invalid ecrx arguments from Python: a selection that is no selection and a count of zero."""
import pulumi_ecrx as ecrx

ecrx.Repository("bad-rules", life_cycle_policy_args={"rules": [
    {"selection": "sometimes", "maximum_age_limit": 7},
    {"selection": "untagged", "maximum_number_of_images": 0},
]})
