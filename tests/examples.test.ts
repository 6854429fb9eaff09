// The TypeScript examples are programs users copy, so they are held to two promises: they compile against the
// SDK in this tree (API drift breaks the build), and, run under the mocked engine, they register what they
// say, with every container image field set to the Image's digest-pinned `imageUri`.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { exampleEntry, EXAMPLES_DIR, loadExample, REPO_ROOT, SDK_ENTRY, TYPESCRIPT_EXAMPLES, TypeScriptExample } from "../demo/example-loader";
import { buildPolicy } from "../sdk/lifecycle";
import { FAKE_ACCOUNT, FAKE_REGION, Registration, settle, valueOf } from "../sdk/testing";
import { FAKE_DEFAULT_SUBNETS } from "../demo/example-cloud";
import { installMocks, MockCloud } from "./support/mocks";
import { DOCKER_BUILD_IMAGE, ECR_REPOSITORY, IMAGE_COMPONENT, LIFECYCLE_POLICY, REPOSITORY_COMPONENT, REPOSITORY_POLICY } from "./support/tokens";

const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
const LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

// ---- Type-checking ----------------------------------------------------------------------------

/** The compiler options of an example's own tsconfig.json, as `tsc` in that directory would read them. */
function exampleCompilerOptions(example: TypeScriptExample): ts.CompilerOptions {
    const configPath = path.join(EXAMPLES_DIR, example, "tsconfig.json");
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    assert.equal(error, undefined, `${configPath} does not parse`);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath), undefined, configPath);
    assert.deepEqual(parsed.errors, [], `${configPath} has errors`);
    return parsed.options;
}

describe("TypeScript examples type-check against the SDK in this tree", function () {
    this.timeout(120_000);

    it("compiles every example, with its own compiler options, without a diagnostic", () => {
        const [first, ...others] = TYPESCRIPT_EXAMPLES.map((example) => ({ example, options: exampleCompilerOptions(example) }));
        // One program compiles all the examples (a program per example would triple the time), which is sound
        // only while they share their options.
        for (const { example, options } of others) {
            assert.deepEqual({ ...options, configFilePath: undefined }, { ...first.options, configFilePath: undefined },
                `examples/${example}/tsconfig.json differs from examples/${first.example}/tsconfig.json`);
        }
        const program = ts.createProgram(TYPESCRIPT_EXAMPLES.map((example) => exampleEntry(example)), {
            ...first.options,
            // "ecrx" is the SDK's sources, and @pulumi/* the repository's copies, whatever an example has installed.
            baseUrl: REPO_ROOT,
            paths: { "ecrx": [path.relative(REPO_ROOT, SDK_ENTRY)], "@pulumi/*": ["node_modules/@pulumi/*"] },
            noEmit: true,
        });
        const diagnostics = ts.getPreEmitDiagnostics(program);
        const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => "\n" };
        assert.equal(diagnostics.length, 0, ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
        assert.ok(program.getSourceFile(SDK_ENTRY), "the examples did not compile against sdk/index.ts");
    });
});

// ---- Running under the mocked engine ----------------------------------------------------------

/** The one registration of a type under a parent (or at the top level); fails unless there is exactly one. */
function onlyChild(cloud: MockCloud, type: string, parent: Registration | undefined, name?: string): Registration {
    const found = cloud.ofType(type).filter((r) => r.parent === parent?.urn && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `expected one ${type}${name ? ` "${name}"` : ""} under ${parent?.urn ?? "the stack"}, found ${found.length}`);
    return found[0];
}

interface ExampleRun {
    cloud: MockCloud;
    exports: Record<string, unknown>;
    /** The example's top-level ecrx Repository. */
    repository: Registration;
    /** The ECR repository's URL, as the mocked cloud created it. */
    repositoryUrl: string;
    /** The exported `imageUri`, i.e. the `Image`'s. */
    imageUri: string;
}

/** Runs an example program as `pulumi up` would and collects what every example has: a repository and an image. */
async function runExample(example: TypeScriptExample, resourceName: string): Promise<ExampleRun> {
    const cloud = installMocks();
    cloud.reset();
    const exports = loadExample(example);
    await settle();
    const repository = onlyChild(cloud, REPOSITORY_COMPONENT, undefined, resourceName);
    onlyChild(cloud, ECR_REPOSITORY, repository);
    const image = onlyChild(cloud, IMAGE_COMPONENT, repository, resourceName);
    const build = onlyChild(cloud, DOCKER_BUILD_IMAGE, image);
    // Every example's repository has a lifecycle policy (its own or the default), which names the repository.
    const repositoryName = onlyChild(cloud, LIFECYCLE_POLICY, repository).inputs.repository;
    const repositoryUrl = `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/${repositoryName}`;
    assert.deepEqual(build.inputs.context, { location: path.join(EXAMPLES_DIR, example, "app") }, "the build context is the example's app/, from any cwd");
    assert.equal(build.inputs.push, true);
    assert.ok(pulumi.Output.isInstance(exports.imageUri), "the example exports imageUri");
    return { cloud, exports, repository, repositoryUrl, imageUri: await valueOf(exports.imageUri as pulumi.Output<string>) };
}

/** The image reference is the Image's `imageUri`, which is pinned by digest to the example's repository. */
function assertRunsPinnedImage(run: ExampleRun, imageField: unknown, where: string): void {
    const escapedUrl = run.repositoryUrl.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    assert.match(run.imageUri, new RegExp(`^${escapedUrl}@sha256:[0-9a-f]{64}$`));
    assert.equal(imageField, run.imageUri, `${where} is not the Image's imageUri`);
}

function statementsOf(policy: Registration): any[] {
    return JSON.parse(policy.inputs.policy).Statement;
}

describe("TypeScript examples under the mocked engine", function () {
    this.timeout(30_000);

    describe("ecs-fargate", () => {
        let run: ExampleRun;
        before(async () => {
            run = await runExample("ecs-fargate", "app");
        });

        it("gives the repository the retention policy the issue describes, exactly as buildPolicy builds it", () => {
            // Loaded at run time: only the type-check above compiles the examples, so this file must not import them.
            const { retentionRules } = loadExample("ecs-fargate", "retention");
            const policy = onlyChild(run.cloud, LIFECYCLE_POLICY, run.repository);
            assert.equal(policy.inputs.policy, JSON.stringify(buildPolicy({ rules: retentionRules })));
            const rules = JSON.parse(policy.inputs.policy).rules.map((rule: any) => rule.selection);
            assert.deepEqual(rules, [
                { tagStatus: "tagged", tagPatternList: ["v*"], countType: "imageCountMoreThan", countNumber: 10 },
                { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 90 },
            ]);
        });

        it("runs the image by digest in a Fargate task definition", () => {
            const task = run.cloud.one("aws:ecs/taskDefinition:TaskDefinition");
            assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
            assert.equal(task.inputs.networkMode, "awsvpc");
            const [container] = JSON.parse(task.inputs.containerDefinitions);
            assertRunsPinnedImage(run, container.image, "containerDefinitions[0].image");
            assert.deepEqual(container.portMappings, [{ containerPort: 8080, protocol: "tcp" }]);
        });

        it("lets ECS pull from ECR through a task execution role with the managed policy", () => {
            const role = run.cloud.one("aws:iam/role:Role");
            const attachment = run.cloud.one(ROLE_POLICY_ATTACHMENT);
            assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
            assert.equal(attachment.inputs.role, `${role.name}-abc1234`);
            const task = run.cloud.one("aws:ecs/taskDefinition:TaskDefinition");
            assert.equal(task.inputs.executionRoleArn, `arn:aws:iam::${FAKE_ACCOUNT}:role/${role.name}-abc1234`);
            assert.deepEqual(role.inputs.assumeRolePolicy.Statement[0].Principal, { Service: "ecs-tasks.amazonaws.com" });
        });

        it("serves the task from the default VPC behind an ALB and exports its URL", async () => {
            run.cloud.one("aws:ecs/cluster:Cluster");
            const service = run.cloud.one("aws:ecs/service:Service");
            const targetGroup = run.cloud.one("aws:lb/targetGroup:TargetGroup");
            const alb = run.cloud.one("aws:lb/loadBalancer:LoadBalancer");
            run.cloud.one("aws:lb/listener:Listener");
            assert.equal(service.inputs.launchType, "FARGATE");
            assert.equal(service.inputs.networkConfiguration.assignPublicIp, true);
            assert.deepEqual(service.inputs.networkConfiguration.subnets, FAKE_DEFAULT_SUBNETS);
            assert.deepEqual(alb.inputs.subnets, FAKE_DEFAULT_SUBNETS);
            assert.equal(targetGroup.inputs.targetType, "ip");
            assert.deepEqual(service.inputs.loadBalancers.map((lb: any) => [lb.containerName, lb.containerPort]), [["app", targetGroup.inputs.port]]);
            assert.equal(await valueOf(run.exports.url as pulumi.Output<string>), `http://web-abc1234-1234567890.${FAKE_REGION}.elb.amazonaws.com`);
        });
    });

    describe("eks", () => {
        const nodeRoleArn = "arn:aws:iam::210987654321:role/eks-nodes";
        let run: ExampleRun;
        before(async () => {
            // The mocked program belongs to the project "project", so its config key is "project:nodeRoleArn".
            pulumi.runtime.setConfig("project:nodeRoleArn", nodeRoleArn);
            run = await runExample("eks", "web");
        });

        it("grants the node role from stack config pull access, and only pull access", () => {
            const policy = onlyChild(run.cloud, REPOSITORY_POLICY, run.repository);
            assert.deepEqual(statementsOf(policy), [{ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: [nodeRoleArn] }, Action: PULL_ACTIONS }]);
        });

        it("runs the image by digest in a Deployment exposed by a LoadBalancer Service", () => {
            const deployment = run.cloud.one("kubernetes:apps/v1:Deployment");
            const service = run.cloud.one("kubernetes:core/v1:Service");
            const pod = deployment.inputs.spec.template;
            assertRunsPinnedImage(run, pod.spec.containers[0].image, "spec.template.spec.containers[0].image");
            assert.equal(service.inputs.spec.type, "LoadBalancer");
            assert.deepEqual(service.inputs.spec.selector, pod.metadata.labels);
            assert.deepEqual(deployment.inputs.spec.selector.matchLabels, pod.metadata.labels);
        });
    });

    describe("lambda", () => {
        let run: ExampleRun;
        before(async () => {
            run = await runExample("lambda", "hello");
        });

        it("lets the Lambda service pull only for this account's functions in this region", () => {
            const policy = onlyChild(run.cloud, REPOSITORY_POLICY, run.repository);
            assert.deepEqual(statementsOf(policy), [{
                Sid: "AllowLambdaPull",
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: LAMBDA_PULL_ACTIONS,
                Condition: { StringLike: { "aws:sourceArn": [`arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:*`] } },
            }]);
        });

        it("runs the image by digest as a container-image function with a basic execution role", () => {
            const fn = run.cloud.one("aws:lambda/function:Function");
            assert.equal(fn.inputs.packageType, "Image");
            assertRunsPinnedImage(run, fn.inputs.imageUri, "the function's imageUri");
            const role = run.cloud.one("aws:iam/role:Role");
            assert.equal(fn.inputs.role, `arn:aws:iam::${FAKE_ACCOUNT}:role/${role.name}-abc1234`);
            assert.equal(run.cloud.one(ROLE_POLICY_ATTACHMENT).inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        });

        it("exports a public function URL that the function's policy lets anyone call", async () => {
            const fn = run.cloud.one("aws:lambda/function:Function");
            const url = run.cloud.one("aws:lambda/functionUrl:FunctionUrl");
            const functionName = `${fn.name}-abc1234`;
            assert.deepEqual([url.inputs.functionName, url.inputs.authorizationType], [functionName, "NONE"]);
            const grants = run.cloud.ofType("aws:lambda/permission:Permission").map(({ inputs }) =>
                [inputs.function, inputs.action, inputs.principal, inputs.functionUrlAuthType ?? inputs.invokedViaFunctionUrl]);
            assert.deepEqual(grants.sort(), [
                [functionName, "lambda:InvokeFunction", "*", true],
                [functionName, "lambda:InvokeFunctionUrl", "*", "NONE"],
            ]);
            assert.equal(await valueOf(run.exports.url as pulumi.Output<string>), `https://helloabc1234.lambda-url.${FAKE_REGION}.on.aws/`);
        });
    });
});

describe("example projects", () => {
    for (const example of TYPESCRIPT_EXAMPLES) {
        it(`examples/${example} is a Pulumi TypeScript project that installs ecrx from this repository`, () => {
            const dir = path.join(EXAMPLES_DIR, example);
            assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), /^runtime: nodejs$/m);
            const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            assert.equal(manifest.main, "index.ts");
            assert.equal(manifest.dependencies.ecrx, "file:../..");
            assert.ok(fs.statSync(path.join(dir, "app", "Dockerfile")).isFile());
        });
    }
});
