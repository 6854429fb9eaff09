// An ECR repository with lifecycle rules and a digest-pinned image, written as a Go user would after
// `pulumi package add ../..`. It declares what examples/python and examples/yaml declare.
package main

import (
	"github.com/ecrx/ecrx/sdk/go/ecrx"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		baseImage := config.Get(ctx, "baseImage")
		if baseImage == "" {
			baseImage = "public.ecr.aws/docker/library/busybox:1.36"
		}
		repository, err := ecrx.NewRepository(ctx, "repository", &ecrx.RepositoryArgs{
			LifeCyclePolicyArgs: ecrx.LifecyclePolicyArgsArgs{
				Rules: ecrx.LifecycleRuleArray{
					// `Selection` takes pulumi.String("untagged"), "any" or "tagged", or a LifecycleSelectionArgs.
					ecrx.LifecycleRuleArgs{
						Selection:             ecrx.LifecycleSelectionArgs{TagPrefixList: pulumi.StringArray{pulumi.String("prod")}},
						MaximumNumberOfImages: pulumi.Int(1),
					},
					ecrx.LifecycleRuleArgs{Selection: pulumi.String("untagged"), MaximumAgeLimit: pulumi.Int(14)},
					ecrx.LifecycleRuleArgs{Selection: pulumi.String("any"), MaximumNumberOfImages: pulumi.Int(5)},
				},
			},
			Access: ecrx.RepositoryAccessArgs{Pull: pulumi.StringArray{pulumi.String("210987654321")}},
			// A throwaway stack sets forceDelete, so that `pulumi destroy` also deletes the images it pushed.
			ForceDelete: pulumi.Bool(config.GetBool(ctx, "forceDelete")),
		})
		if err != nil {
			return err
		}
		buildArgs := pulumi.StringMap{"BASE_IMAGE": pulumi.String(baseImage)}
		image, err := ecrx.NewImage(ctx, "image", &ecrx.ImageArgs{
			Repository: repository,
			Context:    pulumi.String("./app"),
			Platforms:  pulumi.StringArray{pulumi.String("linux/amd64")},
			BuildArgs:  buildArgs,
		})
		if err != nil {
			return err
		}
		// The method form builds into the repository it is called on.
		worker, err := repository.BuildAndPushImage(ctx, &ecrx.RepositoryBuildAndPushImageArgs{
			Context:   pulumi.String("./app"),
			ImageName: pulumi.String("worker"),
			Tags:      pulumi.StringArray{pulumi.String("worker")},
			BuildArgs: buildArgs,
		})
		if err != nil {
			return err
		}
		ctx.Export("repositoryUrl", repository.RepositoryUrl)
		ctx.Export("lifecyclePolicy", repository.LifecyclePolicyText)
		ctx.Export("imageUri", image.ImageUri)
		ctx.Export("workerImageUri", worker.ImageUri())
		return nil
	})
}
