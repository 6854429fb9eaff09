// A container-image Lambda function: ecrx builds ./app, pushes it to ECR, and the function runs it by
// digest (Lambda rejects `tag@digest` references, and a digest never moves under a deployed version).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";
import * as path from "node:path";

const region = aws.getRegionOutput().region;
const accountId = aws.getCallerIdentityOutput().accountId;

// Lambda fetches the image with its own service principal; the grant is limited to this account's functions.
const repo = new ecrx.Repository("hello", {
    access: { lambdaPull: [pulumi.interpolate`arn:aws:lambda:${region}:${accountId}:function:*`] },
});
// Resolved against this file rather than the working directory, so `pulumi up` works from anywhere.
const image = repo.buildAndPushImage(path.join(__dirname, "app"));

const role = new aws.iam.Role("hello", {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("hello-logs", {
    role: role.name,
    policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole,
});

const fn = new aws.lambda.Function("hello", {
    packageType: "Image",
    imageUri: image.imageUri,
    role: role.arn,
    // The image is built for linux/amd64 (ecrx's default).
    architectures: ["x86_64"],
    memorySize: 256,
    timeout: 10,
    // Lambda checks at creation that it may pull the image, so the repository policy must exist first.
}, { dependsOn: [repo] });

const functionUrl = new aws.lambda.FunctionUrl("hello", {
    functionName: fn.name,
    authorizationType: "NONE",
});

// A public URL still needs the function's resource policy to allow the calls; since October 2025 Lambda
// requires both actions for new function URLs.
new aws.lambda.Permission("hello-url", {
    function: fn.name,
    action: "lambda:InvokeFunctionUrl",
    principal: "*",
    functionUrlAuthType: "NONE",
});
new aws.lambda.Permission("hello-invoke", {
    function: fn.name,
    action: "lambda:InvokeFunction",
    principal: "*",
    invokedViaFunctionUrl: true,
});

export const url = functionUrl.functionUrl;
export const imageUri = image.imageUri;
