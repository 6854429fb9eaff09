// An image behind a scan gate, and the task definition that would run it: the suite checks that the
// task definition is never created while the gate fails. Stack config sets the gate's failOn.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";
import * as path from "node:path";

const config = new pulumi.Config();

const repo = new ecrx.Repository("gated", { forceDelete: true });
const image = repo.buildAndPushImage({
    context: path.join(__dirname, "context"),
    buildArgs: { BASE_IMAGE: process.env.ECRX_SANDBOX_BASE_IMAGE ?? "" },
    scanGate: { failOn: config.require("failOn") as ecrx.ScanGateArgs["failOn"], timeout: "2m" },
});

const taskDefinition = new aws.ecs.TaskDefinition("gated", {
    family: "ecrx-e2e-gated",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: pulumi.jsonStringify([{ name: "app", image: image.imageUri, essential: true }]),
});

export const repositoryUrl = repo.repositoryUrl;
export const imageUri = image.imageUri;
export const scanFindings = image.scanFindings;
export const taskDefinitionArn = taskDefinition.arn;
