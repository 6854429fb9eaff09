// Every argument is checked before anything registers (issue #14): unknown fields at every depth, null as
// "left out", the type of every Image argument, numbers ECR would refuse, names a real engine would refuse,
// and cloud answers that are missing. Run against Pulumi's mocked runtime, as a TypeScript program runs.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { settle } from "../sdk/testing";
import { installMocks, MockCloud } from "./support/mocks";
import { quiesce, UnhandledRejections } from "./support/rejections";
import { DOCKER_BUILD_IMAGE, ECR_REPOSITORY, GET_AUTHORIZATION_TOKEN, LIFECYCLE_POLICY, REPOSITORY_POLICY } from "./support/tokens";

type Ecrx = typeof import("../sdk");
type Problem = { propertyPath: string; reason: string };

const URL = "123456789012.dkr.ecr.us-west-2.amazonaws.com/app";

describe("argument checks before anything registers", () => {
    let ecrx: Ecrx;
    let cloud: MockCloud;
    let context: string;

    before(async () => {
        cloud = installMocks();
        ecrx = await import("../sdk");
        context = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-arguments-"));
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
    });
    beforeEach(async () => {
        await settle();
        cloud.reset();
    });
    after(() => fs.rmSync(context, { recursive: true, force: true }));

    /** `construct` throws an InputPropertiesError with exactly these property paths (and reasons matching), registering nothing. */
    async function expectRefused(construct: () => unknown, expected: Array<[string, RegExp]>, subject?: string): Promise<Problem[]> {
        let thrown: unknown;
        try {
            construct();
        } catch (error) {
            thrown = error;
        }
        assert.ok(pulumi.InputPropertiesError.isInstance(thrown), `expected an InputPropertiesError, got ${thrown instanceof Error ? thrown.stack : thrown}`);
        assert.deepEqual(thrown.errors.map((e) => e.propertyPath), expected.map(([p]) => p), thrown.message);
        thrown.errors.forEach((e, i) => assert.match(e.reason, expected[i][1]));
        if (subject !== undefined) {
            assert.equal(thrown.message, `${subject} has ${thrown.errors.length === 1 ? "1 problem" : `${thrown.errors.length} problems`}:\n` +
                thrown.errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n"));
        }
        await settle();
        assert.deepEqual(cloud.registrations.map((r) => `${r.type} ${r.name}`), [], "registered something");
        return thrown.errors.map(({ propertyPath, reason }) => ({ propertyPath, reason }));
    }

    describe("unknown fields at every depth (encryption cannot change after creation)", () => {
        it("encryption.kmsKeyId: not a field, and the fix named", async () => {
            await expectRefused(() => new ecrx.Repository("enc", { encryption: { type: "KMS", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/k" } as any }),
                [["encryption.kmsKeyId", /^is not a field of encryption; use one of type, kmsKey \(did you mean kmsKey\?\)\.$/]]);
        });

        it("the same typo while the key is an Output: reported now, not at deployment", async () => {
            await expectRefused(() => new ecrx.Repository("enc", { encryption: { type: "KMS", kmsKeyId: pulumi.output("arn:aws:kms:us-west-2:123456789012:key/k") } as any }),
                [["encryption.kmsKeyId", /did you mean kmsKey/]]);
        });

        it("encryption: [] and kmsKey: 5", async () => {
            await expectRefused(() => new ecrx.Repository("enc", { encryption: [] as any }), [["encryption", /^must be an object such as \{ type: "KMS"/]]);
            await expectRefused(() => new ecrx.Repository("enc", { encryption: { type: "KMS", kmsKey: 5 as any } }), [["encryption.kmsKey", /^must be a string, but is 5\.$/]]);
        });

        it("a typo inside an Image's registry credentials or ssh entry", async () => {
            await expectRefused(() => new ecrx.Image("img", { repositoryUrl: "registry.example.com/app", context, registry: { username: "u", password: "p", pasword: "p" } as any }),
                [["registry.pasword", /is not a field of registry; use one of username, password \(did you mean password\?\)/]]);
            await expectRefused(() => new ecrx.Image("img", { repositoryUrl: URL, context, ssh: [{ id: "default", path: ["~/.ssh/id"] }] as any }),
                [["ssh[0].path", /is not a field of an SSH forward; use one of id, paths \(did you mean paths\?\)/]]);
        });
    });

    describe("null means left out where a user means that, otherwise a property error", () => {
        it("lifeCyclePolicyArgs: null and access: null: the default policy, no repository policy, no TypeError", async () => {
            new ecrx.Repository("nulls", { lifeCyclePolicyArgs: null, access: null } as any);
            await settle();
            assert.equal(cloud.ofType(ECR_REPOSITORY).length, 1);
            assert.match(cloud.one(LIFECYCLE_POLICY).inputs.policy, /"countNumber":1/);
            assert.deepEqual(cloud.ofType(REPOSITORY_POLICY), []);
        });

        it("new Repository(name, null) is a Repository with the defaults", async () => {
            new ecrx.Repository("null-args", null as any);
            await settle();
            assert.equal(cloud.one(ECR_REPOSITORY).inputs.imageTagMutability, "MUTABLE");
        });

        it("imageName: 5 is refused before the Image registers", async () => {
            const repo = new ecrx.Repository("named");
            await settle();
            cloud.reset();
            await expectRefused(() => repo.buildAndPushImage({ context, imageName: 5 as any }),
                [["imageName", /^must be a non-empty string naming the Image resource, but is 5\.$/]]);
        });

        it("a null inside a list is reported where it is", async () => {
            await expectRefused(() => new ecrx.Image("img", { repositoryUrl: URL, context, addHosts: [null] as any }),
                [["addHosts[0]", /^must be a string, but is null\.$/]]);
        });

        it("a hole in a list of tags or principals is reported where it is, not skipped", async () => {
            await expectRefused(() => new ecrx.Image("img", { repositoryUrl: URL, context, tags: ["v1", , "v2"] as string[] }),
                [["tags[1]", /^must be a Docker tag .*, but is nothing\.$/]]);
            await expectRefused(() => new ecrx.Repository("holes", { access: { pull: ["111122223333", ,] as string[] } }),
                [["access.pull[1]", /^must be a 12-digit AWS account ID .*, but is nothing\.$/]]);
        });
    });

    describe("every Image argument is type-checked", () => {
        const cases: Array<[string, Record<string, unknown>, Array<[string, RegExp]>]> = [
            ["buildArgs values", { buildArgs: { A: 1 } }, [["buildArgs.A", /^must be a string, but is 1\.$/]]],
            ["string labels", { labels: "a=b" }, [["labels", /^must be a map of names to values/]]],
            ["string secrets", { secrets: "token" }, [["secrets", /^must be a map of names to values/]]],
            ["an object ssh", { ssh: { id: "default" } }, [["ssh", /^must be a list, such as \[\{ id: "default" \}\]/]]],
            ["network: bogus", { network: "bogus" }, [["network", /^must be one of "default", "host", "none", but is "bogus"\.$/]]],
            ["noCache: yes", { noCache: "yes" }, [["noCache", /^must be true or false, but is "yes"\.$/]]],
            ["a string addHosts", { addHosts: "db:10.0.0.1" }, [["addHosts", /^must be a list/]]],
            ["an object builder", { builder: { name: "cloud" } }, [["builder", /^must be a string/]]],
            ["a string cacheFrom", { cacheFrom: "type=registry" }, [["cacheFrom", /^must be a list, such as \[\{ registry/]]],
            ["cache: no (truthy, so the cache stayed on)", { cache: "no" }, [["cache", /^must be true or false, but is "no"\.$/]]],
        ];
        for (const [label, args, expected] of cases) {
            it(label, async () => {
                await expectRefused(() => new ecrx.Image("typed", { repositoryUrl: URL, context, ...args } as any), expected);
            });
        }

        it("a wrong type nested in an Output-free part of an argument is found although another part is an Output", async () => {
            await expectRefused(() => new ecrx.Image("typed", { repositoryUrl: URL, context, buildArgs: { A: pulumi.output("x"), B: 2 } } as any),
                [["buildArgs.B", /^must be a string, but is 2\.$/]]);
        });
    });

    describe("numbers ECR would refuse at deploy", () => {
        it("a count and a priority beyond ECR's 32-bit integers", async () => {
            await expectRefused(() => new ecrx.Repository("big", { lifeCyclePolicyArgs: { rules: [
                { selection: "untagged", maximumNumberOfImages: 3_000_000_000, rulePriority: 1 },
                { selection: { tagPrefixList: ["v"] }, maximumAgeLimit: 30, rulePriority: 1e12 },
            ] } }), [
                ["lifeCyclePolicyArgs.rules[0].maximumNumberOfImages", /^must be a whole number from 1 to 2147483647, but is 3000000000\./],
                ["lifeCyclePolicyArgs.rules[1].rulePriority", /^must be a whole number from 1 to 2147483647, but is 1000000000000\./],
            ]);
        });
    });

    describe("names a real engine would refuse", () => {
        it("two repo.buildAndPushImage calls without imageName: the second is refused, naming imageName", async () => {
            const repo = new ecrx.Repository("svc");
            repo.buildAndPushImage(context);
            await settle();
            cloud.reset();
            await expectRefused(() => repo.buildAndPushImage({ context, tags: ["v2"] }),
                [["imageName", /^is not given, so this image would be named "svc", like an image an earlier buildAndPushImage .* give each call its own imageName/]]);
            repo.buildAndPushImage({ context, tags: ["v2"], imageName: "svc-worker" });
            await settle();
            assert.equal(cloud.ofType(DOCKER_BUILD_IMAGE).length, 1, "a second image with its own name is built");
        });

        it("a URL string as repository names the field and suggests repositoryUrl", async () => {
            await expectRefused(() => new ecrx.Image("img", { repository: URL as any, context }),
                [["repository", /^is the string "123456789012.*", but takes an ecrx Repository object; .*give the URL as repositoryUrl instead\.$/]]);
        });

        it("an aws.ecr.Repository as repository says what it is, briefly", async () => {
            const aws = await import("@pulumi/aws/ecr");
            const foreign = new aws.Repository("legacy");
            await settle();
            cloud.reset();
            const [problem] = await expectRefused(() => new ecrx.Image("img", { repository: foreign as any, context }),
                [["repository", /^is a aws:ecr\/repository:Repository \("legacy"\), but takes an ecrx Repository of this program; .*repositoryUrl: repo\.repositoryUrl/]]);
            assert.ok(problem.reason.length < 400, problem.reason);
        });

        it('buildAndPushImage("My Worker", path) suggests a name that works, and the form that takes a repository name', async () => {
            await expectRefused(() => ecrx.buildAndPushImage("My Worker", context),
                [["name", /^"My Worker" names the repository this call creates, .* use a name such as "my-worker", or create the repository yourself and name it: new Repository\("My Worker", \{ name: "my-worker" \}\)\.buildAndPushImage\(\.\.\.\)\.$/]],
                'buildAndPushImage("My Worker")');
        });
    });

    describe("cloud answers that are missing", () => {
        const unhandled = new UnhandledRejections();
        before(() => unhandled.install());
        after(() => {
            unhandled.uninstall();
            cloud.answerInstead = undefined;
        });
        afterEach(() => {
            cloud.answerInstead = undefined;
        });

        it("a repository the cloud answered without a repositoryUrl: a clear error, no undefined/build-cache", async () => {
            cloud.answerInstead = { state: (type) => (type === ECR_REPOSITORY ? { name: "svc" } : undefined) };
            const repo = new ecrx.Repository("no-url");
            repo.buildAndPushImage(context);
            await quiesce();
            const names = cloud.registrations.map((r) => JSON.stringify(r.inputs));
            assert.ok(!names.some((text) => text.includes("undefined")), names.join("\n"));
            assert.deepEqual(cloud.ofType(DOCKER_BUILD_IMAGE), [], "docker-build registered without a repository URL");
            const reasons = unhandled.takeAll();
            assert.ok(reasons.some((r) => /The repositoryUrl of Repository "no-url" is missing from the cloud's answer/.test(r)), reasons.join("\n"));
        });

        it("an empty ECR token: a clear error, no push without a password", async () => {
            cloud.answerInstead = { invoke: (token) => (token === GET_AUTHORIZATION_TOKEN ? { userName: "AWS", password: "" } : undefined) };
            const repo = new ecrx.Repository("no-token");
            repo.buildAndPushImage(context);
            await quiesce();
            assert.deepEqual(cloud.ofType(DOCKER_BUILD_IMAGE), [], "docker-build registered without a password");
            const reasons = unhandled.takeAll();
            assert.ok(reasons.some((r) => /ECR answered GetAuthorizationToken for registry 123456789012 .*without a password/.test(r)), reasons.join("\n"));
        });
    });
});
