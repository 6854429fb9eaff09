// What examples/python, examples/go, examples/yaml and examples/java declare, written in TypeScript:
// the suite compares the ECR resources each of them registers with this program's.
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";

const config = new pulumi.Config();
const buildArgs = { BASE_IMAGE: config.get("baseImage") ?? "public.ecr.aws/docker/library/busybox:1.36" };
// The examples' build context (the suite runs a copy of this program elsewhere).
const app = config.require("context");

const repository = new ecrx.Repository("repository", {
    lifeCyclePolicyArgs: {
        rules: [
            { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
            { selection: "untagged", maximumAgeLimit: 14 },
            { selection: "any", maximumNumberOfImages: 5 },
        ],
    },
    access: { pull: ["210987654321"] },
    forceDelete: config.getBoolean("forceDelete") ?? false,
});

const image = new ecrx.Image("image", { repository, context: app, platforms: ["linux/amd64"], buildArgs });
const worker = repository.buildAndPushImage({ context: app, imageName: "worker", tags: ["worker"], buildArgs });

export const repositoryUrl = repository.repositoryUrl;
export const lifecyclePolicy = repository.lifecyclePolicyText;
export const imageUri = image.imageUri;
export const workerImageUri = worker.imageUri;
