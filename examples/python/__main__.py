"""An ECR repository with lifecycle rules and a digest-pinned image, written as a Python user would
after `pulumi package add ../..`."""
import os

import pulumi
import pulumi_ecrx as ecrx

repository = ecrx.Repository(
    "repository",
    life_cycle_policy_args={
        "rules": [
            # `selection` takes the plain strings "untagged", "any" and "tagged", or an object.
            {"selection": {"tag_prefix_list": ["prod"]}, "maximum_number_of_images": 1},
            {"selection": "untagged", "maximum_age_limit": 14},
            {"selection": "any", "maximum_number_of_images": 5},
        ],
    },
)

image = ecrx.Image(
    "image",
    repository=repository,
    context=os.path.join(os.path.dirname(__file__), "app"),
    platforms=["linux/amd64"],
)

# The method form builds into the repository it is called on.
worker_uri = repository.build_and_push_image(
    context=os.path.join(os.path.dirname(__file__), "app"),
    image_name="worker",
    tags=["worker"],
)

pulumi.export("repositoryUrl", repository.repository_url)
pulumi.export("imageUri", image.image_uri)
pulumi.export("workerImageUri", worker_uri.image_uri)
