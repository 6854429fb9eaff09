// The `Repository` component as a program uses it: what it registers with the engine, with which inputs
// and options, what it exposes, and what it refuses. Pure lifecycle translation is covered in
// lifecycle-policy.test.ts; here only its wiring into the component is checked.
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RepositoryArgs, RepositoryEncryption } from "../sdk/repository";
import { FAKE_ACCOUNT, FAKE_REGION, isKnownOutput, Registration, settle, valueOf } from "../sdk/testing";
import { installMocks } from "./support/mocks";
import { quiesce, UnhandledRejections } from "./support/rejections";
import { ECR_REPOSITORY, LIFECYCLE_POLICY, REPOSITORY_COMPONENT, REPOSITORY_POLICY } from "./support/tokens";

// The runtime must be mocked before the component (and @pulumi/aws) is loaded by the code under test.
const cloud = installMocks();
let Repository: typeof import("../sdk/repository").Repository;


const DEFAULT_POLICY_JSON =
    `{"rules":[{"rulePriority":1,"description":"remove untagged images","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`;

/** The seed API from issue #2, which must keep working exactly as written. */
const SEED_RULES = [
    { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
    { selection: "untagged" as const, maximumAgeLimit: 14 },
    { selection: "any" as const, maximumNumberOfImages: 5 },
];
const SEED_POLICY_JSON = `{"rules":[` +
    `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},` +
    `{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
    `{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`;

// Least-privilege action lists, as issue #2 and the AWS Lambda guide spell them.
const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
const PUSH_ACTIONS = [...PULL_ACTIONS, "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];
const LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

const OTHER_ACCOUNT = "111122223333";
const ROLE_ARN = "arn:aws:iam::444455556666:role/deployer";
const FUNCTION_PATTERN = `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:api-*`;
const KMS_KEY = `arn:aws:kms:${FAKE_REGION}:${FAKE_ACCOUNT}:key/0f0e0d0c-0b0a-0908-0706-050403020100`;

const NAME_REASON = (value: string) => "must be 2 to 256 characters of lowercase letters and digits, separated by single " +
    `".", "_", "-" or "/" (for example "team/app"), but is ${JSON.stringify(value)}.`;
const PRINCIPAL_REASON = (value: string) =>
    `must be a 12-digit AWS account ID or an IAM principal ARN (arn:aws:iam::123456789012:role/name), but is ${JSON.stringify(value)}`;

// ---- Helpers --------------------------------------------------------------------------------------

const unhandled = new UnhandledRejections();

/** Registers a repository the way a program does and waits until the engine has seen everything. */
async function deploy(name: string, args?: RepositoryArgs) {
    const component = new Repository(name, args);
    await settle();
    const self = cloud.one(REPOSITORY_COMPONENT);
    return { component, self, children: childrenOf(self.urn!) };
}

function childrenOf(urn: string): Registration[] {
    return cloud.registrations.filter((r) => r.parent === urn);
}

/** The one child of a type; fails when there is none or more than one. */
function only(children: Registration[], type: string): Registration {
    const found = children.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type} among ${children.map((r) => r.type).join(", ")}`);
    return found[0];
}

/** The inputs of the `aws.ecr.Repository` child for the given arguments. */
async function repositoryInputs(args: RepositoryArgs, name = "app"): Promise<Record<string, any>> {
    return only((await deploy(name, args)).children, ECR_REPOSITORY).inputs;
}

/** The repository policy document registered for the given access, parsed. */
async function repositoryPolicyFor(access: RepositoryArgs["access"]): Promise<unknown> {
    const { self, children } = await deploy("app", { access });
    const policy = only(children, REPOSITORY_POLICY);
    assert.equal(policy.parent, self.urn);
    assert.equal(policy.inputs.repository, "app-abc1234", "the policy is attached to the repository child");
    return JSON.parse(policy.inputs.policy);
}

/**
 * The error every refusal is, at construction or once an Output resolves: one message shape (which the SDK's
 * serialization may prefix with the property it was serializing), one entry per property.
 */
function assertInputPropertiesError(error: unknown, errors: Array<{ propertyPath: string; reason: string }>, name = "app"): void {
    assert.ok(pulumi.InputPropertiesError.isInstance(error), `expected an InputPropertiesError, got ${error}`);
    assert.ok(pulumi.RunError.isInstance(error), "a RunError too, so a Node.js program prints the message without a stack");
    assert.deepEqual(error.errors, errors);
    const problems = errors.length === 1 ? "1 problem" : `${errors.length} problems`;
    const expected = `Repository "${name}" has ${problems}:\n` + errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n");
    assert.ok(error.message.endsWith(expected), `expected the message to end with ${JSON.stringify(expected)}, but it is ${JSON.stringify(error.message)}`);
}

/**
 * Construction with these arguments throws an `InputPropertiesError` listing exactly these problems, and
 * nothing at all (not even the component) reaches the engine.
 */
async function expectInvalid(args: Record<string, unknown>, errors: Array<{ propertyPath: string; reason: string }>, name = "app"): Promise<void> {
    let thrown: unknown;
    try {
        new Repository(name, args as RepositoryArgs);
    } catch (error) {
        thrown = error;
    }
    assertInputPropertiesError(thrown, errors, name);
    assert.ok((thrown as Error).message.startsWith(`Repository "${name}" has `), "nothing serialized yet, so nothing precedes the message");
    await quiesce();
    assert.deepEqual(cloud.registrations, []);
}

/** Every unhandled rejection since the last call is the given validation error; clears them. */
function expectOnlyRejections(errors: Array<{ propertyPath: string; reason: string }>): void {
    unhandled.expectOnly((reason) => assertInputPropertiesError(reason, errors));
}

// ---- Tests -----------------------------------------------------------------------------------------

describe("Repository component", function () {
    before(async () => {
        ({ Repository } = await import("../sdk/repository"));
        unhandled.install();
    });
    after(() => unhandled.uninstall());
    beforeEach(() => {
        cloud.reset();
        unhandled.takeAll();
    });
    afterEach(async () => {
        await quiesce();
        assert.deepEqual(unhandled.takeAll(), [], "no test may leave a rejection unhandled");
    });

    describe("as a program writes it", () => {
        it("registers the component, then the repository and its lifecycle policy as children, and no repository policy", async () => {
            const { self, children } = await deploy("app");
            assert.deepEqual(cloud.registrations.map((r) => [r.type, r.name]),
                [[REPOSITORY_COMPONENT, "app"], [ECR_REPOSITORY, "app"], [LIFECYCLE_POLICY, "app"]]);
            assert.equal(self.urn, `urn:pulumi:stack::project::${REPOSITORY_COMPONENT}::app`);
            assert.equal(self.parent, undefined);
            assert.deepEqual(children.map((r) => r.type), [ECR_REPOSITORY, LIFECYCLE_POLICY]);
            assert.deepEqual(cloud.ofType(REPOSITORY_POLICY), []);
        });

        it("attaches the lifecycle policy to the repository it created", async () => {
            const { children } = await deploy("app");
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.repository, "app-abc1234");
        });

        it("registers the lifecycle policy with deleteBeforeReplace, and only the policy", async () => {
            const { self, children } = await deploy("app");
            assert.equal(only(children, LIFECYCLE_POLICY).deleteBeforeReplace, true);
            assert.equal(only(children, ECR_REPOSITORY).deleteBeforeReplace, false);
            assert.equal(self.deleteBeforeReplace, false);
        });

        it("registers its outputs with the engine", async () => {
            const { self } = await deploy("app");
            const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
            const state = monitor.getRegisteredResources().get(self.urn).state.toJavaScript();
            assert.deepEqual(Object.keys(state).sort(),
                ["arn", "lifecyclePolicy", "lifecyclePolicyText", "registryId", "repository", "repositoryName", "repositoryUrl"]);
            assert.equal(state.lifecyclePolicyText, DEFAULT_POLICY_JSON);
            assert.equal(state.repositoryUrl, `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/app-abc1234`);
        });
    });

    describe("defaults", () => {
        it("keeps images on delete, scans on push, keeps tags mutable and encrypts with AES256", async () => {
            const inputs = await repositoryInputs({});
            assert.deepEqual(inputs, {
                forceDelete: false,
                imageScanningConfiguration: { scanOnPush: true },
                imageTagMutability: "MUTABLE",
                encryptionConfigurations: [{ encryptionType: "AES256" }],
            });
        });

        it("leaves the name to auto-naming, from the lower-cased resource name", async () => {
            const inputs = await repositoryInputs({}, "MyApp");
            assert.equal("name" in inputs, false);
            assert.deepEqual(cloud.ofType(ECR_REPOSITORY).map((r) => r.name), ["myapp"]);
        });

        it("applies the default lifecycle policy, byte for byte", async () => {
            const { component, children } = await deploy("app");
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.policy, DEFAULT_POLICY_JSON);
            assert.equal(await valueOf(component.lifecyclePolicyText), DEFAULT_POLICY_JSON);
        });
    });

    describe("arguments", () => {
        it("name: an explicit repository name", async () => {
            const { children } = await deploy("app", { name: "team/app" });
            assert.equal(only(children, ECR_REPOSITORY).inputs.name, "team/app");
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.repository, "team/app");
        });

        it("name: lets a resource name that cannot be auto-named be used", async () => {
            const inputs = await repositoryInputs({ name: "my-app" }, "my app");
            assert.equal(inputs.name, "my-app");
        });

        it("forceDelete: true is passed on", async () => {
            assert.equal((await repositoryInputs({ forceDelete: true })).forceDelete, true);
        });

        for (const mode of ["MUTABLE", "IMMUTABLE"] as const) {
            it(`imageTagMutability: ${mode} without filters`, async () => {
                const inputs = await repositoryInputs({ imageTagMutability: mode });
                assert.equal(inputs.imageTagMutability, mode);
                assert.equal("imageTagMutabilityExclusionFilters" in inputs, false);
            });
        }

        for (const mode of ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"] as const) {
            it(`imageTagMutability: ${mode} with wildcard filters`, async () => {
                const inputs = await repositoryInputs({ imageTagMutability: mode, imageTagMutabilityExclusionFilters: ["latest", "dev-*"] });
                assert.equal(inputs.imageTagMutability, mode);
                assert.deepEqual(inputs.imageTagMutabilityExclusionFilters,
                    [{ filter: "latest", filterType: "WILDCARD" }, { filter: "dev-*", filterType: "WILDCARD" }]);
            });
        }

        it("scanOnPush: false turns scanning off", async () => {
            assert.deepEqual((await repositoryInputs({ scanOnPush: false })).imageScanningConfiguration, { scanOnPush: false });
        });

        it("encryption: KMS with a key", async () => {
            assert.deepEqual((await repositoryInputs({ encryption: { type: "KMS", kmsKey: KMS_KEY } })).encryptionConfigurations,
                [{ encryptionType: "KMS", kmsKey: KMS_KEY }]);
        });

        it("encryption: KMS with the AWS-managed key", async () => {
            assert.deepEqual((await repositoryInputs({ encryption: { type: "KMS" } })).encryptionConfigurations, [{ encryptionType: "KMS" }]);
        });

        it("tags: on the repository", async () => {
            const { children } = await deploy("app", { tags: { team: "core", env: "prod" } });
            assert.deepEqual(only(children, ECR_REPOSITORY).inputs.tags, { team: "core", env: "prod" });
        });

        it("region: on every child", async () => {
            const { component, children } = await deploy("app", { region: "eu-central-1", access: { pull: [OTHER_ACCOUNT] } });
            assert.deepEqual(children.map((r) => [r.type, r.inputs.region]),
                [[ECR_REPOSITORY, "eu-central-1"], [LIFECYCLE_POLICY, "eu-central-1"], [REPOSITORY_POLICY, "eu-central-1"]]);
            assert.equal(await valueOf(component.repositoryUrl), `${FAKE_ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/app-abc1234`);
        });

        it("region: left to the provider when not given", async () => {
            const { children } = await deploy("app", { access: { pull: [OTHER_ACCOUNT] } });
            assert.deepEqual(children.filter((r) => "region" in r.inputs).map((r) => r.type), []);
        });

        it("lifeCyclePolicyArgs: the seed rules become the exact policy JSON", async () => {
            const { component, children } = await deploy("app", { lifeCyclePolicyArgs: { rules: SEED_RULES } });
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.policy, SEED_POLICY_JSON);
            assert.equal(await valueOf(component.lifecyclePolicyText), SEED_POLICY_JSON);
        });

        it("lifeCyclePolicyArgs: skip creates no lifecycle policy", async () => {
            const { component, children } = await deploy("app", { lifeCyclePolicyArgs: { skip: true } });
            assert.deepEqual(children.map((r) => r.type), [ECR_REPOSITORY]);
            assert.equal(component.lifecyclePolicy, undefined);
            assert.equal(await valueOf(component.lifecyclePolicyText), undefined);
        });
    });

    describe("outputs", () => {
        it("expose the repository's URL, ARN, registry, name and the policy text", async () => {
            const { component } = await deploy("app", { name: "team/app", lifeCyclePolicyArgs: { rules: SEED_RULES } });
            assert.equal(await valueOf(component.repositoryUrl), `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/team/app`);
            assert.equal(await valueOf(component.arn), `arn:aws:ecr:${FAKE_REGION}:${FAKE_ACCOUNT}:repository/team/app`);
            assert.equal(await valueOf(component.registryId), FAKE_ACCOUNT);
            assert.equal(await valueOf(component.repositoryName), "team/app");
            assert.equal(await valueOf(component.lifecyclePolicyText), SEED_POLICY_JSON);
        });

        it("expose the child resources themselves", async () => {
            const { component, children } = await deploy("app");
            assert.ok(component.repository instanceof aws.ecr.Repository);
            assert.ok(component.lifecyclePolicy instanceof aws.ecr.LifecyclePolicy);
            assert.equal(await valueOf(component.repository.urn), only(children, ECR_REPOSITORY).urn);
            assert.equal(await valueOf(component.lifecyclePolicy!.urn), only(children, LIFECYCLE_POLICY).urn);
            assert.equal(await valueOf(component.lifecyclePolicy!.policy), DEFAULT_POLICY_JSON);
            assert.equal(component.repositoryPolicy, undefined);
        });
    });

    describe("access", () => {
        it("pull: account IDs become root ARNs, role ARNs stay, with the pull actions only", async () => {
            assert.deepEqual(await repositoryPolicyFor({ pull: [OTHER_ACCOUNT, ROLE_ARN] }), {
                Version: "2012-10-17",
                Statement: [{
                    Sid: "AllowPull", Effect: "Allow",
                    Principal: { AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:root`, ROLE_ARN] },
                    Action: PULL_ACTIONS,
                }],
            });
        });

        it("push: pull plus the upload actions", async () => {
            assert.deepEqual(await repositoryPolicyFor({ push: [ROLE_ARN] }), {
                Version: "2012-10-17",
                Statement: [{ Sid: "AllowPush", Effect: "Allow", Principal: { AWS: [ROLE_ARN] }, Action: PUSH_ACTIONS }],
            });
        });

        it("lambdaPull: the Lambda service, limited to the functions by aws:sourceArn", async () => {
            assert.deepEqual(await repositoryPolicyFor({ lambdaPull: [FUNCTION_PATTERN] }), {
                Version: "2012-10-17",
                Statement: [{
                    Sid: "AllowLambdaPull", Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: LAMBDA_PULL_ACTIONS,
                    Condition: { StringLike: { "aws:sourceArn": [FUNCTION_PATTERN] } },
                }],
            });
        });

        it("all three grants: one repository policy with one statement each", async () => {
            const policy = await repositoryPolicyFor({ pull: [OTHER_ACCOUNT], push: [ROLE_ARN], lambdaPull: [FUNCTION_PATTERN] }) as any;
            assert.equal(cloud.ofType(REPOSITORY_POLICY).length, 1);
            assert.deepEqual(policy.Statement.map((s: any) => [s.Sid, s.Action]),
                [["AllowPull", PULL_ACTIONS], ["AllowPush", PUSH_ACTIONS], ["AllowLambdaPull", LAMBDA_PULL_ACTIONS]]);
        });

        it("a role ARN given as an Output", async () => {
            const { component } = await deploy("app", { access: { pull: [pulumi.output(ROLE_ARN)] } });
            assert.ok(component.repositoryPolicy instanceof aws.ecr.RepositoryPolicy);
            assert.deepEqual(JSON.parse(cloud.one(REPOSITORY_POLICY).inputs.policy), {
                Version: "2012-10-17",
                Statement: [{ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: [ROLE_ARN] }, Action: PULL_ACTIONS }],
            });
        });

        it("an access that grants nothing creates no repository policy", async () => {
            const { component, children } = await deploy("app", { access: {} });
            assert.deepEqual(children.map((r) => r.type), [ECR_REPOSITORY, LIFECYCLE_POLICY]);
            assert.equal(component.repositoryPolicy, undefined);
        });
    });

    describe("validation, before anything is registered", () => {
        const cases: Array<[string, Record<string, unknown>, Array<{ propertyPath: string; reason: string }>, string?]> = [
            ["a name with uppercase letters", { name: "MyApp" }, [{ propertyPath: "name", reason: NAME_REASON("MyApp") }]],
            ["a name that is too short", { name: "a" }, [{ propertyPath: "name", reason: NAME_REASON("a") }]],
            ["a name that is too long", { name: "a".repeat(257) }, [{ propertyPath: "name", reason: NAME_REASON("a".repeat(257)) }]],
            ["a name with double separators", { name: "team//app" }, [{ propertyPath: "name", reason: NAME_REASON("team//app") }]],
            ["a name with adjacent separators", { name: "my-.app" }, [{ propertyPath: "name", reason: NAME_REASON("my-.app") }]],
            ["a resource name that cannot be auto-named", {}, [{
                propertyPath: "name",
                reason: "is not given, and the resource name \"my app\" cannot be made into an ECR repository name " +
                    "(lowercase letters, digits, and \".\", \"_\", \"-\" or \"/\" between them): pass name explicitly.",
            }], "my app"],
            ["an unknown imageTagMutability", { imageTagMutability: "mutable" }, [{
                propertyPath: "imageTagMutability",
                reason: "must be one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION, but is \"mutable\".",
            }]],
            ["a *_WITH_EXCLUSION mode without filters", { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }, [{
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "IMMUTABLE_WITH_EXCLUSION needs 1 to 5 wildcard filters naming the tags that are the exception (for example [\"latest\"]), but got nothing.",
            }]],
            ["filters without an exclusion mode (default)", { imageTagMutabilityExclusionFilters: ["latest"] }, [{
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "only apply with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, but imageTagMutability is MUTABLE (the default): " +
                    "remove the filters, or choose a *_WITH_EXCLUSION mode.",
            }]],
            ["filters without an exclusion mode (IMMUTABLE)", { imageTagMutability: "IMMUTABLE", imageTagMutabilityExclusionFilters: ["latest"] }, [{
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "only apply with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, but imageTagMutability is IMMUTABLE: " +
                    "remove the filters, or choose a *_WITH_EXCLUSION mode.",
            }]],
            ["six exclusion filters", { imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["a", "b", "c", "d", "e", "f"] }, [{
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "MUTABLE_WITH_EXCLUSION needs 1 to 5 wildcard filters naming the tags that are the exception (for example [\"latest\"]), " +
                    "but got [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"].",
            }]],
            ["an exclusion filter with bad characters", { imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["latest", "v1 beta"] }, [{
                propertyPath: "imageTagMutabilityExclusionFilters[1]",
                reason: "must be 1 to 128 characters of letters, digits, \".\", \"_\", \"-\" and \"*\", but is \"v1 beta\".",
            }]],
            ["an exclusion filter with three wildcards", { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["*a*b*"] }, [{
                propertyPath: "imageTagMutabilityExclusionFilters[0]",
                reason: "has 3 wildcards, but ECR allows at most 2 \"*\" per filter.",
            }]],
            ["a kmsKey with AES256 encryption", { encryption: { type: "AES256", kmsKey: KMS_KEY } }, [{
                propertyPath: "encryption.kmsKey",
                reason: "is only used with KMS encryption: set encryption.type to \"KMS\", or remove kmsKey.",
            }]],
            ["a kmsKey with the default (AES256) encryption", { encryption: { kmsKey: KMS_KEY } }, [{
                propertyPath: "encryption.kmsKey",
                reason: "is only used with KMS encryption: set encryption.type to \"KMS\", or remove kmsKey.",
            }]],
            ["an unknown encryption type", { encryption: { type: "DES" } }, [{
                propertyPath: "encryption.type",
                reason: "must be \"AES256\" or \"KMS\", but is \"DES\".",
            }]],
            ["a forceDelete that is not a boolean", { forceDelete: "yes" }, [{
                propertyPath: "forceDelete",
                reason: "must be true or false, but is \"yes\".",
            }]],
            ["a scanOnPush that is not a boolean", { scanOnPush: 1 }, [{
                propertyPath: "scanOnPush",
                reason: "must be true or false, but is 1.",
            }]],
            ["a tag value that is not a string", { tags: { team: "core", cost: 42 } }, [{
                propertyPath: "tags.cost",
                reason: "must be a string, but is 42.",
            }]],
            ["a region that is not a region code", { region: "Oregon" }, [{
                propertyPath: "region",
                reason: "must be an AWS region code such as \"us-east-1\", but is \"Oregon\".",
            }]],
            ["\"*\" as an access principal", { access: { pull: ["*"] } }, [{
                propertyPath: "access.pull[0]",
                reason: PRINCIPAL_REASON("*") + ": \"*\" would open the repository to every AWS account; name the accounts or roles.",
            }]],
            ["a malformed principal ARN", { access: { push: [ROLE_ARN, "arn:aws:iam::4444:role/deployer"] } }, [{
                propertyPath: "access.push[1]",
                reason: PRINCIPAL_REASON("arn:aws:iam::4444:role/deployer") + ".",
            }]],
            ["an empty principal list", { access: { pull: [] } }, [{
                propertyPath: "access.pull",
                reason: "must be a non-empty list of a 12-digit AWS account ID or an IAM principal ARN (arn:aws:iam::123456789012:role/name); " +
                    "leave it out to grant nothing.",
            }]],
            ["a Lambda pattern that is not a function ARN", { access: { lambdaPull: ["api-*"] } }, [{
                propertyPath: "access.lambdaPull[0]",
                reason: "must be a Lambda function ARN pattern such as arn:aws:lambda:us-east-1:123456789012:function:my-fn*, but is \"api-*\".",
            }]],
            ["an unknown access field", { access: { pul: [OTHER_ACCOUNT] } }, [{
                propertyPath: "access.pul",
                reason: "is not a field of access; use one of pull, push, lambdaPull (did you mean pull?).",
            }]],
            ["access that is a list, which would grant nothing without a word", { access: [OTHER_ACCOUNT] }, [{
                propertyPath: "access",
                reason: `must be an object such as { pull: ["123456789012"] }, but is ["${OTHER_ACCOUNT}"].`,
            }]],
            ["an unknown argument (a typo)", { scanOnpush: false }, [{
                propertyPath: "scanOnpush",
                reason: "is not an argument of Repository; use one of name, forceDelete, imageTagMutability, imageTagMutabilityExclusionFilters, " +
                    "scanOnPush, encryption, tags, region, lifeCyclePolicyArgs, access (did you mean scanOnPush?).",
            }]],
            ["an unknown argument whose value is an Output: reported now, not at deployment", { scanonpush: pulumi.output(false) }, [{
                propertyPath: "scanonpush",
                reason: "is not an argument of Repository; use one of name, forceDelete, imageTagMutability, imageTagMutabilityExclusionFilters, " +
                    "scanOnPush, encryption, tags, region, lifeCyclePolicyArgs, access (did you mean scanOnPush?).",
            }]],
            ["an invalid lifecycle rule, reported under lifeCyclePolicyArgs", {
                lifeCyclePolicyArgs: { rules: [{ selection: "untagged", maximumAgeLimit: 14 }, { selection: { tagPatternList: ["a*b*c*d*e*f"] }, maximumNumberOfImages: 3 }] },
            }, [{
                propertyPath: "lifeCyclePolicyArgs.rules[1].selection.tagPatternList[0]",
                reason: "has 5 wildcards, but ECR allows at most 4 \"*\" per pattern: simplify the pattern.",
            }]],
        ];
        for (const [title, args, errors, name] of cases) {
            it(`rejects ${title}`, () => expectInvalid(args, errors, name));
        }

        it("reports several mistakes at once, each against its path", () => expectInvalid({
            name: "Team/App",
            forceDelete: "no",
            region: "us-west",
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            access: { pull: ["*"] },
            lifeCyclePolicyArgs: { rules: [{ selection: "untagged", maximumAgeLimit: 14, maximumNumberOfImages: 1 }] },
        }, [
            { propertyPath: "name", reason: NAME_REASON("Team/App") },
            {
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "IMMUTABLE_WITH_EXCLUSION needs 1 to 5 wildcard filters naming the tags that are the exception (for example [\"latest\"]), but got nothing.",
            },
            { propertyPath: "forceDelete", reason: "must be true or false, but is \"no\"." },
            { propertyPath: "region", reason: "must be an AWS region code such as \"us-east-1\", but is \"us-west\"." },
            {
                propertyPath: "access.pull[0]",
                reason: PRINCIPAL_REASON("*") + ": \"*\" would open the repository to every AWS account; name the accounts or roles.",
            },
            {
                propertyPath: "lifeCyclePolicyArgs.rules[0]",
                reason: "has maximumNumberOfImages and maximumAgeLimit, but a rule takes exactly one condition: split it into one rule per condition.",
            },
        ]));
    });

    describe("Output-valued arguments, checked when they resolve", () => {
        const refusedOnceResolved: Array<[string, () => RepositoryArgs, Array<{ propertyPath: string; reason: string }>]> = [
            ["a bad name from an Output: construction succeeds, the repository is refused",
                () => ({ name: pulumi.output("Bad_Name") }), [{ propertyPath: "name", reason: NAME_REASON("Bad_Name") }]],
            ["encryption from an Output that resolves to a list is refused, not taken for the default",
                () => ({ encryption: pulumi.output([] as RepositoryEncryption) }),
                [{ propertyPath: "encryption", reason: 'must be an object such as { type: "KMS", kmsKey: "arn:aws:kms:..." }, but is [].' }]],
        ];
        for (const [title, args, expected] of refusedOnceResolved) {
            it(title, async () => {
                const component = new Repository("app", args());
                await assert.rejects(valueOf(component.repositoryName), (error) => {
                    assertInputPropertiesError(error, expected);
                    return true;
                });
                await quiesce();
                assert.deepEqual(cloud.registrations.map((r) => r.type), [REPOSITORY_COMPONENT], "neither the repository nor its policy reaches the engine");
                expectOnlyRejections(expected);
            });
        }

        it("a mutability mode and filters that are both Outputs are checked together", async () => {
            const expected = [{
                propertyPath: "imageTagMutabilityExclusionFilters",
                reason: "IMMUTABLE_WITH_EXCLUSION needs 1 to 5 wildcard filters naming the tags that are the exception (for example [\"latest\"]), but got [].",
            }];
            const component = new Repository("app", {
                imageTagMutability: pulumi.output("IMMUTABLE_WITH_EXCLUSION" as const),
                imageTagMutabilityExclusionFilters: pulumi.output([] as string[]),
            });
            await assert.rejects(valueOf(component.repository.imageTagMutability), (error) => {
                assertInputPropertiesError(error, expected);
                return true;
            });
            await quiesce();
            assert.deepEqual(cloud.registrations.map((r) => r.type), [REPOSITORY_COMPONENT]);
            expectOnlyRejections(expected);
        });

        it("a mutability mode and filters that are both Outputs, and valid, are used", async () => {
            const inputs = await repositoryInputs({
                imageTagMutability: pulumi.output("MUTABLE_WITH_EXCLUSION" as const),
                imageTagMutabilityExclusionFilters: pulumi.output(["latest"]),
            });
            assert.equal(inputs.imageTagMutability, "MUTABLE_WITH_EXCLUSION");
            assert.deepEqual(inputs.imageTagMutabilityExclusionFilters, [{ filter: "latest", filterType: "WILDCARD" }]);
        });

        it("a good name and region from Outputs are used", async () => {
            const { children } = await deploy("app", { name: pulumi.output("team/app"), region: pulumi.output("eu-west-1") });
            assert.equal(only(children, ECR_REPOSITORY).inputs.name, "team/app");
            assert.deepEqual(children.map((r) => r.inputs.region), ["eu-west-1", "eu-west-1"]);
        });

        it("lifecycle rules from an Output are translated when they resolve", async () => {
            const { component, children } = await deploy("app", { lifeCyclePolicyArgs: pulumi.output({ rules: SEED_RULES }) });
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.policy, SEED_POLICY_JSON);
            assert.equal(await valueOf(component.lifecyclePolicyText), SEED_POLICY_JSON);
        });

        it("skip from an Output is refused: whether a policy exists must be known when the program runs", async () => {
            const expected = [{
                propertyPath: "lifeCyclePolicyArgs.skip",
                reason: "must be known when the program runs (not an Output), because it decides whether a lifecycle policy exists.",
            }];
            const component = new Repository("app", { lifeCyclePolicyArgs: pulumi.output({ skip: true }) });
            await assert.rejects(valueOf(component.lifecyclePolicy!.policy), (error) => {
                assertInputPropertiesError(error, expected);
                return true;
            });
            await quiesce();
            assert.deepEqual(cloud.registrations.map((r) => r.type), [REPOSITORY_COMPONENT, ECR_REPOSITORY]);
            expectOnlyRejections(expected);
        });
    });

    describe("the AND trap of multi-entry tag lists", () => {
        let warnings: string[];
        let originalWarn: typeof pulumi.log.warn;
        before(() => {
            originalWarn = pulumi.log.warn;
            // What a user sees in `pulumi up`: capture it rather than print it.
            (pulumi.log as any).warn = (message: string) => void warnings.push(message);
        });
        after(() => {
            (pulumi.log as any).warn = originalWarn;
        });
        beforeEach(() => {
            warnings = [];
        });

        const AND_WARNING = 'Repository "app": lifeCyclePolicyArgs.rules[0].selection.tagPrefixList has 2 entries: it selects only images ' +
            'that have a tag starting with each of "prod", "staging" (AND, not OR). If you meant images with any of them, write one rule per entry.';

        it("warns once, at the rule's path, and still applies the policy as written", async () => {
            const { children } = await deploy("app", { lifeCyclePolicyArgs: { rules: [{ selection: { tagPrefixList: ["prod", "staging"] }, maximumNumberOfImages: 3 }] } });
            assert.deepEqual(warnings, [AND_WARNING]);
            assert.match(only(children, LIFECYCLE_POLICY).inputs.policy, /"tagPrefixList":\["prod","staging"\]/);
        });

        it("warns when the rules arrive through an Output too", async () => {
            await deploy("app", { lifeCyclePolicyArgs: pulumi.output({ rules: [{ selection: { tagPrefixList: ["prod", "staging"] }, maximumNumberOfImages: 3 }] }) });
            assert.deepEqual(warnings, [AND_WARNING]);
        });

        it("does not warn about single-entry lists", async () => {
            await deploy("app", { lifeCyclePolicyArgs: { rules: SEED_RULES } });
            assert.deepEqual(warnings, []);
        });
    });

    // The runtime is global: these run as a `pulumi preview`, then the update mode is restored for the rest.
    describe("in a preview", () => {
        before(() => {
            installMocks({ preview: true });
        });
        after(() => {
            installMocks();
        });

        it("registers the same children, with the default lifecycle policy JSON known", async () => {
            assert.ok(pulumi.runtime.isDryRun());
            const { component, self, children } = await deploy("app");
            assert.deepEqual(cloud.registrations.map((r) => r.type), [REPOSITORY_COMPONENT, ECR_REPOSITORY, LIFECYCLE_POLICY]);
            assert.deepEqual(children.map((r) => r.parent), [self.urn, self.urn]);
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.policy, DEFAULT_POLICY_JSON);
            assert.equal(only(children, LIFECYCLE_POLICY).deleteBeforeReplace, true);
            assert.equal(await isKnownOutput(component.lifecyclePolicyText), true);
            assert.equal(await valueOf(component.lifecyclePolicyText), DEFAULT_POLICY_JSON);
        });

        it("knows the policies even when the repository name is not known yet", async () => {
            const unknownName = pulumi.output(pulumi.unknown) as unknown as pulumi.Output<string>;
            const { component, children } = await deploy("app", {
                name: unknownName,
                lifeCyclePolicyArgs: { rules: SEED_RULES },
                access: { pull: [OTHER_ACCOUNT] },
            });
            assert.deepEqual(children.map((r) => r.type), [ECR_REPOSITORY, LIFECYCLE_POLICY, REPOSITORY_POLICY]);
            assert.equal(await isKnownOutput(component.repositoryName), false);
            assert.equal(only(children, LIFECYCLE_POLICY).inputs.policy, SEED_POLICY_JSON);
            assert.equal(await isKnownOutput(component.lifecyclePolicyText), true);
            assert.deepEqual(JSON.parse(only(children, REPOSITORY_POLICY).inputs.policy).Statement[0].Principal,
                { AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:root`] });
        });
    });
});
