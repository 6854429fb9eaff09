// The program the end-to-end suite deploys: what a user of ecrx writes for one service. Stack config
// varies it between scenarios: `imageName` renames the Image (a replacement, since there is no alias),
// `forceDelete` decides whether destroying a repository that holds images may delete them.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";
import * as path from "node:path";

const config = new pulumi.Config();

const repo = new ecrx.Repository("app", {
    forceDelete: config.getBoolean("forceDelete") ?? false,
    lifeCyclePolicyArgs: {
        rules: [
            { selection: { tagPatternList: ["v*"] }, maximumNumberOfImages: 10, description: "keep the 10 newest v* releases" },
            { selection: "untagged", maximumAgeLimit: 7, description: "expire untagged images after 7 days" },
            { selection: "any", maximumAgeLimit: 90, description: "keep any other image at most 90 days" },
        ],
    },
});

const image = repo.buildAndPushImage({
    imageName: config.get("imageName") ?? "app",
    context: path.join(__dirname, "context"),
    buildArgs: { BASE_IMAGE: process.env.ECRX_SANDBOX_BASE_IMAGE ?? "" },
    secrets: { token: config.requireSecret("buildToken") },
});

const taskDefinition = new aws.ecs.TaskDefinition("app", {
    family: "ecrx-e2e-app",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: pulumi.jsonStringify([{ name: "app", image: image.imageUri, essential: true }]),
});

export const repositoryName = repo.repositoryName;
export const repositoryUrl = repo.repositoryUrl;
export const lifecyclePolicyText = repo.lifecyclePolicyText;
export const imageUri = image.imageUri;
export const digest = image.digest;
export const cacheRepositoryUrl = image.cacheRepository!.repositoryUrl;
export const taskDefinitionArn = taskDefinition.arn;
