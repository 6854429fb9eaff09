// ecrx/testing, the mocks users unit-test their programs with: what they answer (formats a real account
// would give, the token as a secret, digests that follow the build), what they record, and that each
// installation starts a clean record. The runtime is global: afterwards this file hands it back to the
// shared mocks the other test files use.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "../sdk";
import {
    DOCKER_BUILD_IMAGE, EcrMocks, ECR_REPOSITORY, FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION, fakeDigest, installEcrMocks, isKnownOutput,
    isSecretOutput, isSecretWrapper, LIFECYCLE_POLICY, plainOccurrences, REPOSITORY_COMPONENT, SECRET_KEY, SECRET_SIGNATURE, settle, valueOf,
} from "../sdk/testing";
import { installMocks } from "./support/mocks";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

describe("ecrx/testing", () => {
    let context: string;

    before(() => {
        context = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-testing-"));
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
    });
    after(async () => {
        await settle();
        installMocks();
        fs.rmSync(context, { recursive: true, force: true });
    });

    describe("ECR repositories and policies", () => {
        let cloud: EcrMocks;
        beforeEach(async () => {
            cloud = await installEcrMocks({ account: ACCOUNT, region: REGION });
        });

        it("answers a repository's ARN, registry ID and URL for the account and region configured", async () => {
            const repository = new aws.ecr.Repository("app", { name: "team/app" });
            assert.equal(await valueOf(repository.name), "team/app");
            assert.equal(await valueOf(repository.arn), `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`);
            assert.equal(await valueOf(repository.registryId), ACCOUNT);
            assert.equal(await valueOf(repository.repositoryUrl), `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/app`);
        });

        it("auto-names a repository with a fixed suffix, and places it in the region it names", async () => {
            const repository = new aws.ecr.Repository("app", { region: "ap-south-1" });
            assert.equal(await valueOf(repository.name), "app-abc1234");
            assert.equal(await valueOf(repository.repositoryUrl), `${ACCOUNT}.dkr.ecr.ap-south-1.amazonaws.com/app-abc1234`);
            assert.equal(await valueOf(repository.arn), `arn:aws:ecr:ap-south-1:${ACCOUNT}:repository/app-abc1234`);
        });

        it("defaults to account 123456789012 in us-west-2", async () => {
            cloud = await installEcrMocks();
            const repository = new aws.ecr.Repository("app", { name: "app" });
            assert.equal(await valueOf(repository.repositoryUrl), "123456789012.dkr.ecr.us-west-2.amazonaws.com/app");
            assert.deepEqual([cloud.account, cloud.region], [FAKE_ACCOUNT, FAKE_REGION]);
        });

        it("echoes lifecycle and repository policies with the registry ID", async () => {
            const lifecyclePolicy = new aws.ecr.LifecyclePolicy("app", { repository: "app", policy: '{"rules":[]}' });
            const repositoryPolicy = new aws.ecr.RepositoryPolicy("app", { repository: "app", policy: '{"Statement":[]}' });
            assert.equal(await valueOf(lifecyclePolicy.policy), '{"rules":[]}');
            assert.equal(await valueOf(lifecyclePolicy.registryId), ACCOUNT);
            assert.equal(await valueOf(repositoryPolicy.policy), '{"Statement":[]}');
            assert.equal(await valueOf(repositoryPolicy.registryId), ACCOUNT);
        });

        it("answers the account and region a program looks up", async () => {
            assert.equal(await valueOf(aws.getCallerIdentityOutput().accountId), ACCOUNT);
            assert.equal(await valueOf(aws.getRegionOutput().region), REGION);
        });
    });

    describe("the ECR token", () => {
        beforeEach(async () => {
            await installEcrMocks({ account: ACCOUNT, region: REGION });
        });

        it("comes back as a secret, with the password and the registry's endpoint", async () => {
            const token = aws.ecr.getAuthorizationTokenOutput({});
            assert.equal(await isSecretOutput(token.password), true);
            assert.equal(await valueOf(token.password), FAKE_PASSWORD);
            assert.equal(Buffer.from(await valueOf(token.authorizationToken), "base64").toString(), `AWS:${FAKE_PASSWORD}`);
            assert.equal(await valueOf(token.userName), "AWS");
            assert.equal(await valueOf(token.proxyEndpoint), `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`);
        });

        it("is for the registry and region asked for", async () => {
            const token = aws.ecr.getAuthorizationTokenOutput({ registryId: "444455556666", region: "us-east-2" });
            assert.equal(await valueOf(token.proxyEndpoint), "https://444455556666.dkr.ecr.us-east-2.amazonaws.com");
        });

        it("reaches docker-build through an Image with only the password secret", async () => {
            const cloud = await installEcrMocks({ account: ACCOUNT, region: REGION });
            new ecrx.Repository("app").buildAndPushImage(context);
            await settle();
            const [registry] = cloud.one(DOCKER_BUILD_IMAGE).wireInputs!.registries;
            assert.ok(isSecretWrapper(registry.password));
            assert.deepEqual({ ...registry, password: registry.password.value },
                { address: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, username: "AWS", password: FAKE_PASSWORD });
        });
    });

    describe("docker-build images", () => {
        const URL = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app`;
        beforeEach(async () => {
            await installEcrMocks({ account: ACCOUNT, region: REGION });
        });

        function build(name: string, args: Partial<dockerBuild.ImageArgs> = {}): dockerBuild.Image {
            return new dockerBuild.Image(name, { push: true, tags: [`${URL}:v1`], context: { location: context }, ...args });
        }

        it("answers a sha256 digest and a ref of the repository pinned by it", async () => {
            const image = build("app");
            const digest = await valueOf(image.digest);
            assert.match(digest, /^sha256:[0-9a-f]{64}$/);
            assert.equal(await valueOf(image.ref), `${URL}@${digest}`);
        });

        it("answers the same digest for the same build, and another for a changed one", async () => {
            const digest = await valueOf(build("first").digest);
            assert.equal(await valueOf(build("again").digest), digest, "another resource, same inputs");
            await installEcrMocks({ account: ACCOUNT, region: REGION });
            assert.equal(await valueOf(build("app").digest), digest, "another run of the program");
            const changed = [
                build("other-tag", { tags: [`${URL}:v2`] }),
                build("other-platform", { platforms: ["linux/arm64"] }),
                build("other-arg", { buildArgs: { VERSION: "2" } }),
                build("other-context", { context: { location: path.join(context, "..") } }),
            ];
            const digests = await Promise.all(changed.map((image) => valueOf(image.digest)));
            assert.equal(new Set([digest, ...digests]).size, changed.length + 1, digests.join("\n"));
        });

        it("derives it from the inputs whatever the order of their keys", () => {
            assert.equal(fakeDigest({ tags: ["a"], push: true }), fakeDigest({ push: true, tags: ["a"] }));
            assert.notEqual(fakeDigest({ tags: ["a"] }), fakeDigest({ tags: ["b"] }));
        });

        it("leaves the digest unknown in a preview", async () => {
            await installEcrMocks({ preview: true });
            const image = build("app");
            assert.equal(await isKnownOutput(image.digest), false);
            assert.equal(await isKnownOutput(image.ref), false);
            assert.equal(await isKnownOutput(image.tags), true);
        });
    });

    describe("the record", () => {
        it("holds each registration with its inputs, URN, parent and options", async () => {
            const cloud = await installEcrMocks();
            const repository = new ecrx.Repository("app", { forceDelete: true });
            await settle();
            const component = cloud.one(REPOSITORY_COMPONENT);
            const ecr = cloud.one(ECR_REPOSITORY);
            assert.equal(component.urn, await valueOf(repository.urn));
            assert.equal(component.parent, undefined);
            assert.equal(ecr.parent, component.urn);
            assert.equal(ecr.inputs.forceDelete, true);
            assert.equal(cloud.one(LIFECYCLE_POLICY, "app").parent, component.urn);
        });

        it("holds the resource options deleteBeforeReplace and retainOnDelete", async () => {
            const cloud = await installEcrMocks();
            new aws.ecr.Repository("kept", { name: "kept" }, { retainOnDelete: true });
            new aws.ecr.Repository("replaced", { name: "replaced" }, { deleteBeforeReplace: true });
            await settle();
            const options = cloud.ofType(ECR_REPOSITORY).map(({ name, retainOnDelete, deleteBeforeReplace }) => ({ name, retainOnDelete, deleteBeforeReplace }));
            assert.deepEqual(options, [
                { name: "kept", retainOnDelete: true, deleteBeforeReplace: false },
                { name: "replaced", retainOnDelete: false, deleteBeforeReplace: true },
            ]);
        });

        it("keeps secrets wrapped in the inputs, and finds where a secret would leak", async () => {
            const cloud = await installEcrMocks();
            new aws.ecr.Repository("app", { name: "app", tags: { leaked: "hunter2", kept: pulumi.secret("s3cr3t") } });
            await settle();
            const { inputs, wireInputs } = cloud.one(ECR_REPOSITORY);
            assert.ok(isSecretWrapper(inputs.tags), "Pulumi moves a nested secret up to the whole property");
            assert.deepEqual(wireInputs!.tags.kept, { [SECRET_KEY]: SECRET_SIGNATURE, value: "s3cr3t" }, "the wire keeps it where it was");
            assert.deepEqual(plainOccurrences(wireInputs, "s3cr3t"), []);
            assert.deepEqual(plainOccurrences(wireInputs, "hunter2"), ["tags.leaked"]);
        });

        it("names what was registered when `one` finds none or several", async () => {
            const cloud = await installEcrMocks();
            new aws.ecr.Repository("a", { name: "a" });
            new aws.ecr.Repository("b", { name: "b" });
            await settle();
            assert.throws(() => cloud.one(ECR_REPOSITORY), /expected exactly one aws:ecr\/repository:Repository, found 2; registered: aws:ecr\/repository:Repository a, aws:ecr\/repository:Repository b$/);
            assert.throws(() => cloud.one(LIFECYCLE_POLICY), /found 0/);
            assert.equal(cloud.one(ECR_REPOSITORY, "b").name, "b");
        });

        it("starts empty at each installation: what the previous test left under way lands in its own record", async () => {
            const previous = await installEcrMocks();
            new ecrx.Repository("left-under-way");
            const next = await installEcrMocks();
            new aws.ecr.Repository("mine", { name: "mine" });
            await settle();
            assert.deepEqual(next.registrations.map((r) => r.name), ["mine"]);
            assert.ok(previous.ofType(ECR_REPOSITORY).some((r) => r.name === "left-under-way"), previous.registrations.map((r) => r.name).join(", "));
        });
    });

    it('is not loaded by require("ecrx")', () => {
        const program = `
            require(${JSON.stringify(path.join(__dirname, "..", "sdk"))});
            const loaded = Object.keys(require.cache).filter((file) => file.includes(${JSON.stringify(`${path.sep}sdk${path.sep}testing${path.sep}`)}));
            process.stdout.write(JSON.stringify(loaded));`;
        const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", program], { encoding: "utf8", timeout: 60_000 });
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(JSON.parse(child.stdout), []);
    });
});
