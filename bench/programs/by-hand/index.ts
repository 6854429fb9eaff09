// What tests/e2e/programs/app registers through ecrx, written directly against @pulumi/aws and
// @pulumi/docker-build: the same repositories, policies, token, image and task definition. It is the
// baseline that npm run bench:e2e measures the components' overhead against.
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

const config = new pulumi.Config();
const expire = { type: "expire" };

const repository = new aws.ecr.Repository("app", {
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    forceDelete: config.getBoolean("forceDelete") ?? false,
});
new aws.ecr.LifecyclePolicy("app", {
    repository: repository.name,
    policy: JSON.stringify({
        rules: [
            { rulePriority: 1, description: "keep the 10 newest v* releases", selection: { tagStatus: "tagged", tagPatternList: ["v*"], countType: "imageCountMoreThan", countNumber: 10 }, action: expire },
            { rulePriority: 2, description: "expire untagged images after 7 days", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: expire },
            { rulePriority: 3, description: "keep any other image at most 90 days", selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 90 }, action: expire },
        ],
    }),
}, { deleteBeforeReplace: true });

const cache = new aws.ecr.Repository("app-cache", {
    name: pulumi.interpolate`${repository.name}/build-cache`,
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    forceDelete: true,
});
new aws.ecr.LifecyclePolicy("app-cache", {
    repository: cache.name,
    policy: JSON.stringify({
        rules: [{ rulePriority: 1, description: "expire superseded build caches", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: expire }],
    }),
}, { deleteBeforeReplace: true });

const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId });
const cacheRef = pulumi.interpolate`${cache.repositoryUrl}:buildcache`;
const image = new dockerBuild.Image("app", {
    context: { location: path.join(__dirname, "context") },
    dockerfile: { location: path.join(__dirname, "context", "Dockerfile") },
    platforms: ["linux/amd64"],
    tags: [pulumi.interpolate`${repository.repositoryUrl}:latest`],
    push: true,
    registries: [{ address: repository.repositoryUrl.apply((url) => url.slice(0, url.indexOf("/"))), username: token.userName, password: pulumi.secret(token.password) }],
    cacheFrom: [{ registry: { ref: cacheRef } }],
    cacheTo: [{ registry: { ref: cacheRef, mode: "max", imageManifest: true, ociMediaTypes: true } }],
    buildArgs: { BASE_IMAGE: process.env.ECRX_SANDBOX_BASE_IMAGE ?? "" },
    secrets: pulumi.secret({ token: config.requireSecret("buildToken") }),
}, { retainOnDelete: true });

new aws.ecs.TaskDefinition("app", {
    family: "ecrx-e2e-app",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: pulumi.jsonStringify([{ name: "app", image: pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`, essential: true }]),
});
