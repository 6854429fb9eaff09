// An ECR repository with lifecycle rules and a digest-pinned image, written as a Java user would after
// `pulumi package add ../..`. It declares what examples/python, examples/go and examples/yaml declare,
// except the method form: Pulumi's Java code generator emits no component methods.
package example;

import com.ecrx.ecrx.Image;
import com.ecrx.ecrx.ImageArgs;
import com.ecrx.ecrx.Repository;
import com.ecrx.ecrx.RepositoryArgs;
import com.ecrx.ecrx.inputs.LifecyclePolicyArgsArgs;
import com.ecrx.ecrx.inputs.LifecycleRuleArgs;
import com.ecrx.ecrx.inputs.LifecycleSelectionArgs;
import com.ecrx.ecrx.inputs.RepositoryAccessArgs;
import com.pulumi.Pulumi;
import java.util.Map;

public class App {
    public static void main(String[] args) {
        Pulumi.run(ctx -> {
            var baseImage = ctx.config().get("baseImage").orElse("public.ecr.aws/docker/library/busybox:1.36");
            var repository = new Repository("repository", RepositoryArgs.builder()
                .lifeCyclePolicyArgs(LifecyclePolicyArgsArgs.builder()
                    .rules(
                        // `selection` takes "untagged", "any" or "tagged", or a LifecycleSelectionArgs.
                        LifecycleRuleArgs.builder()
                            .selection(LifecycleSelectionArgs.builder().tagPrefixList("prod").build())
                            .maximumNumberOfImages(1)
                            .build(),
                        LifecycleRuleArgs.builder().selection("untagged").maximumAgeLimit(14).build(),
                        LifecycleRuleArgs.builder().selection("any").maximumNumberOfImages(5).build())
                    .build())
                .access(RepositoryAccessArgs.builder().pull("210987654321").build())
                // A throwaway stack sets forceDelete, so that `pulumi destroy` also deletes the images it pushed.
                .forceDelete(ctx.config().getBoolean("forceDelete").orElse(false))
                .build());
            var image = new Image("image", ImageArgs.builder()
                .repository(repository)
                .context("./app")
                .platforms("linux/amd64")
                .buildArgs(Map.of("BASE_IMAGE", baseImage))
                .build());
            ctx.export("repositoryUrl", repository.repositoryUrl());
            ctx.export("lifecyclePolicy", repository.lifecyclePolicyText());
            ctx.export("imageUri", image.imageUri());
        });
    }
}
