"""An ECR repository with lifecycle rules and a digest-pinned image, written as a Python user would
after `pulumi package add ../..`. It declares what examples/go and examples/yaml declare."""
import os

import pulumi
import pulumi_ecrx as ecrx

config = pulumi.Config()
build_args = {"BASE_IMAGE": config.get("baseImage") or "public.ecr.aws/docker/library/busybox:1.36"}
app = os.path.join(os.path.dirname(__file__), "app")

repository = ecrx.Repository(
    "repository",
    life_cycle_policy_args={
        "rules": [
            # `selection` takes the plain strings "untagged", "any" and "tagged", or an object: a dict
            # with snake_case keys, as here, or ecrx.LifecycleSelectionArgs(tag_prefix_list=["prod"]).
            {"selection": {"tag_prefix_list": ["prod"]}, "maximum_number_of_images": 1},
            {"selection": "untagged", "maximum_age_limit": 14},
            {"selection": "any", "maximum_number_of_images": 5},
        ],
    },
    access={"pull": ["210987654321"]},
    # A throwaway stack sets forceDelete, so that `pulumi destroy` also deletes the images it pushed.
    force_delete=config.get_bool("forceDelete") or False,
)

image = ecrx.Image("image", repository=repository, context=app, platforms=["linux/amd64"], build_args=build_args)

# The method form builds into the repository it is called on.
worker = repository.build_and_push_image(context=app, image_name="worker", tags=["worker"], build_args=build_args)

pulumi.export("repositoryUrl", repository.repository_url)
pulumi.export("lifecyclePolicy", repository.lifecycle_policy_text)
pulumi.export("imageUri", image.image_uri)
pulumi.export("workerImageUri", worker.image_uri)
