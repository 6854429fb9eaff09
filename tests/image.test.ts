// The `Image` component and `buildAndPushImage` as a program uses them (issue #3): what they register,
// with exactly which docker-build inputs, which credentials they fetch and how they keep them secret, what
// they expose, and what they refuse before anything reaches the engine. The deployment-over-time proof of
// the cache design is in image-lifecycle-interplay.test.ts; preview behaviour in image-preview.test.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ImageArgs, RepositoryImageArgs } from "../sdk";
import type { RepositoryArgs } from "../sdk/repository";
import {
    FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION, fakeDigest, isSecretWrapper, plainOccurrences, Registration, SECRET_KEY, SECRET_SIGNATURE, settle,
    valueOf,
} from "../sdk/testing";
import { installMocks, MockCloud } from "./support/mocks";
import { quiesce, UnhandledRejections } from "./support/rejections";
import { DOCKER_BUILD_IMAGE, ECR_REPOSITORY, GET_AUTHORIZATION_TOKEN, IMAGE_COMPONENT, LIFECYCLE_POLICY, REPOSITORY_COMPONENT } from "./support/tokens";

type Ecrx = typeof import("../sdk");


/** The name the mock gives an auto-named repository created for resource "app". */
const APP_REPO = "app-abc1234";
const OTHER_ACCOUNT = "210987654321";
const KMS_KEY = `arn:aws:kms:${FAKE_REGION}:${FAKE_ACCOUNT}:key/0f0e0d0c-0b0a-0908-0706-050403020100`;

/** The ECR registry host of an account and region. */
const ecrHost = (region = FAKE_REGION, account = FAKE_ACCOUNT) => `${account}.dkr.ecr.${region}.amazonaws.com`;
const CACHE_POLICY_JSON = `{"rules":[{"rulePriority":1,"description":"expire superseded build caches",` +
    `"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`;
const TAG_REASON = (value: string) =>
    `must be a Docker tag (letters, digits, "_", "." and "-", not starting with "." or "-", at most 128), but is ${JSON.stringify(value)}.`;
const MUTABILITY_REASON = (verb: "default to" | "include", mutability: string, tag = "latest") =>
    `${verb} "${tag}", which moves on every push, but the repository's imageTagMutability ${mutability} makes it immutable, ` +
    "so the second push would fail: give tags that are unique per build (for example the git commit), or " +
    (mutability === "MUTABLE_WITH_EXCLUSION" ? `remove the imageTagMutabilityExclusionFilters entry that matches "${tag}".`
        : `use IMMUTABLE_WITH_EXCLUSION with imageTagMutabilityExclusionFilters: ["${tag}"].`);

type Problem = { propertyPath: string; reason: string };

// ---- Helpers --------------------------------------------------------------------------------------

const madeDirs: string[] = [];

/** A real build context in a fresh temporary directory: a Dockerfile unless other files are given. */
function buildContext(files: Record<string, string> = { Dockerfile: "FROM public.ecr.aws/docker/library/alpine:3.20\nCMD [\"true\"]\n" }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-image-"));
    madeDirs.push(dir);
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

/** The value inside a secret wrapper, after asserting that it is one. */
function unwrapSecret(value: unknown, what: string): any {
    assert.ok(isSecretWrapper(value), `${what} must reach the engine as a secret, but is ${JSON.stringify(value)}`);
    return value.value;
}

/** A value as the engine receives a secret. */
const secretWrapper = (value: unknown) => ({ [SECRET_KEY]: SECRET_SIGNATURE, value });

/** The registered docker-build inputs, with the registries list (which must be secret) unwrapped. */
function dockerInputs(registration: Registration): Record<string, any> {
    return { ...registration.inputs, registries: unwrapSecret(registration.inputs.registries, "docker-build registries") };
}

/** An ECR login for docker-build, as the component builds it from the (mocked) authorization token. */
const ecrLogin = (host = ecrHost()) => ({ address: host, username: "AWS", password: FAKE_PASSWORD });

/** The registry-cache settings the component uses, for a cache reference. */
function registryCache(ref: string) {
    return {
        cacheFrom: [{ registry: { ref } }],
        cacheTo: [{ registry: { ref, mode: "max", imageManifest: true, ociMediaTypes: true } }],
    };
}

/**
 * The whole docker-build input for the default case: `repo.buildAndPushImage(dir)` on `new Repository("app")`.
 * `buildOnPreview: true` and `network: "default"` are docker-build's own defaults, filled in by its SDK.
 */
function defaultInputs(dir: string, url = `${ecrHost()}/${APP_REPO}`, cacheUrl = `${url}/build-cache`): Record<string, unknown> {
    return {
        buildOnPreview: true,
        ...registryCache(`${cacheUrl}:buildcache`),
        context: { location: dir },
        dockerfile: { location: `${dir}/Dockerfile` },
        network: "default",
        platforms: ["linux/amd64"],
        push: true,
        registries: [ecrLogin(url.slice(0, url.indexOf("/")))],
        tags: [`${url}:latest`],
    };
}

/** `base` with `changes` applied; a change to `undefined` removes the input, as the engine never sees it. */
function withChanges(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base, ...changes };
    return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function assertInputPropertiesError(error: unknown, name: string, errors: Problem[]): void {
    assert.ok(pulumi.InputPropertiesError.isInstance(error), `expected an InputPropertiesError, got ${error}`);
    assert.ok(pulumi.RunError.isInstance(error), "a RunError too, so a Node.js program prints the message without a stack");
    assert.deepEqual(error.errors, errors);
    const problems = errors.length === 1 ? "1 problem" : `${errors.length} problems`;
    assert.equal(error.message, `Image "${name}" has ${problems}:\n` + errors.map((e) => `  - ${e.propertyPath}: ${e.reason}`).join("\n"));
}

describe("Image component and buildAndPushImage", function () {
    let ecrx: Ecrx;
    let cloud: MockCloud;

    /** `new Repository("app", args)`, with its registrations cleared so a test sees only what the image adds. */
    async function appRepository(args?: RepositoryArgs) {
        const repository = new ecrx.Repository("app", args);
        await settle();
        cloud.reset();
        return repository;
    }

    /** Runs a program fragment and waits until the engine has seen everything it registered. */
    async function deploy<T>(program: () => T): Promise<T> {
        const result = program();
        await settle();
        return result;
    }

    /** The registration of a type and name; fails when there is not exactly one. */
    function registered(type: string, name: string): Registration {
        const found = cloud.registrations.filter((r) => r.type === type && r.name === name);
        assert.equal(found.length, 1, `expected one ${type} "${name}", found ${found.length}`);
        return found[0];
    }

    /** The getAuthorizationToken calls made, as sorted JSON so that their order does not matter. */
    function tokenRequests(): string[] {
        assert.deepEqual(cloud.invocations.filter((i) => i.token !== GET_AUTHORIZATION_TOKEN), [], "only ECR tokens are requested");
        return cloud.invocations.map((i) => JSON.stringify(i.inputs, Object.keys(i.inputs).sort())).sort();
    }
    const tokenRequest = (inputs: Record<string, string>) => JSON.stringify(inputs, Object.keys(inputs).sort());

    /** The one docker-build image registered, with `registries` unwrapped from its secret. */
    function pushed(): Record<string, any> {
        return dockerInputs(cloud.one(DOCKER_BUILD_IMAGE));
    }

    /**
     * Running `construct` throws an `InputPropertiesError` listing exactly these problems, and nothing at
     * all reaches the engine: no component, no child, no token request.
     */
    async function expectInvalid(name: string, construct: () => unknown, errors: Problem[]): Promise<void> {
        await settle();
        cloud.reset();
        let thrown: unknown;
        try {
            construct();
        } catch (error) {
            thrown = error;
        }
        assertInputPropertiesError(thrown, name, errors);
        await settle();
        assert.deepEqual(cloud.registrations.map((r) => `${r.type} ${r.name}`), []);
        assert.deepEqual(cloud.invocations, []);
    }

    before(async () => {
        cloud = installMocks();
        ecrx = await import("../sdk");
    });
    beforeEach(() => cloud.reset());
    after(() => {
        for (const dir of madeDirs.splice(0)) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("the seed API, exactly as the issue writes it", () => {
        it("repo.buildAndPushImage(path): an Image under the repository, pushing to it, with a cache repository under the image", async () => {
            const appDir = buildContext();
            const { repo, image } = await deploy(() => {
                const repo = new ecrx.Repository("app");
                const image = repo.buildAndPushImage(appDir);
                return { repo, image };
            });
            assert.ok(image instanceof ecrx.Image);
            assert.deepEqual(cloud.registrations.map((r) => [r.type, r.name]), [
                [REPOSITORY_COMPONENT, "app"], [IMAGE_COMPONENT, "app"], [REPOSITORY_COMPONENT, "app-cache"], [ECR_REPOSITORY, "app"], [LIFECYCLE_POLICY, "app"],
                [ECR_REPOSITORY, "app-cache"], [LIFECYCLE_POLICY, "app-cache"], [DOCKER_BUILD_IMAGE, "app"],
            ]);
            const component = registered(IMAGE_COMPONENT, "app");
            assert.equal(component.parent, registered(REPOSITORY_COMPONENT, "app").urn, "the image is the repository's child");
            assert.equal(registered(DOCKER_BUILD_IMAGE, "app").parent, component.urn);
            assert.equal(registered(REPOSITORY_COMPONENT, "app-cache").parent, component.urn);
            assert.deepEqual(pushed(), defaultInputs(appDir));
            assert.equal(await valueOf(image.repositoryUrl), await valueOf(repo.repositoryUrl));
        });

        it("buildAndPushImage(name, {repository, context, platforms}) pushes to the given repository, for arm64", async () => {
            const apiDir = buildContext();
            const repo = await appRepository();
            const img2 = await deploy(() => ecrx.buildAndPushImage("api", { repository: repo, context: apiDir, platforms: ["linux/arm64"] }));
            assert.ok(img2 instanceof ecrx.Image);
            assert.deepEqual(cloud.registrations.map((r) => [r.type, r.name]), [
                [IMAGE_COMPONENT, "api"], [REPOSITORY_COMPONENT, "api-cache"], [ECR_REPOSITORY, "api-cache"], [LIFECYCLE_POLICY, "api-cache"], [DOCKER_BUILD_IMAGE, "api"],
            ]);
            assert.equal(registered(IMAGE_COMPONENT, "api").parent, undefined, "the free function does not nest the image under the repository");
            assert.equal(registered(ECR_REPOSITORY, "api-cache").inputs.name, `${APP_REPO}/build-cache/api`,
                "a second image of a repository gets a cache repository of its own, not a clash with the first image's");
            assert.deepEqual(pushed(), withChanges(defaultInputs(apiDir, undefined, `${ecrHost()}/${APP_REPO}/build-cache/api`), {
                platforms: ["linux/arm64"],
            }));
        });

        it("the method and the free function on one repository give two cache repositories with different ECR names", async () => {
            const repo = await appRepository();
            await deploy(() => {
                repo.buildAndPushImage(buildContext());
                ecrx.buildAndPushImage("api", { repository: repo, context: buildContext() });
                repo.buildAndPushImage({ context: buildContext(), imageName: "worker" });
            });
            assert.deepEqual(cloud.ofType(ECR_REPOSITORY).map((r) => r.inputs.name).sort(),
                [`${APP_REPO}/build-cache`, `${APP_REPO}/build-cache/api`, `${APP_REPO}/build-cache/worker`]);
        });

        it("buildAndPushImage(name, path) creates a Repository of that name with the default settings and pushes to it", async () => {
            const workerDir = buildContext();
            const img3 = await deploy(() => ecrx.buildAndPushImage("worker", workerDir));
            assert.ok(img3 instanceof ecrx.Image);
            assert.deepEqual(cloud.registrations.map((r) => [r.type, r.name]), [
                [REPOSITORY_COMPONENT, "worker"], [IMAGE_COMPONENT, "worker"], [REPOSITORY_COMPONENT, "worker-cache"], [ECR_REPOSITORY, "worker"], [LIFECYCLE_POLICY, "worker"],
                [ECR_REPOSITORY, "worker-cache"], [LIFECYCLE_POLICY, "worker-cache"], [DOCKER_BUILD_IMAGE, "worker"],
            ]);
            assert.equal(registered(REPOSITORY_COMPONENT, "worker").parent, undefined);
            assert.equal(registered(IMAGE_COMPONENT, "worker").parent, undefined);
            assert.deepEqual(registered(ECR_REPOSITORY, "worker").inputs, {
                encryptionConfigurations: [{ encryptionType: "AES256" }],
                forceDelete: false,
                imageScanningConfiguration: { scanOnPush: true },
                imageTagMutability: "MUTABLE",
            }, "the repository has the default settings");
            assert.equal(JSON.parse(registered(LIFECYCLE_POLICY, "worker").inputs.policy).rules[0].description, "remove untagged images");
            const url = `${ecrHost()}/worker-abc1234`;
            assert.deepEqual(pushed(), defaultInputs(workerDir, url));
            assert.equal(await valueOf(img3.repositoryUrl), url);
        });
    });

    describe("the default case", () => {
        it("registers exactly these docker-build inputs", async () => {
            const dir = buildContext();
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage(dir));
            const registration = cloud.one(DOCKER_BUILD_IMAGE);
            assert.deepEqual(registration.inputs.registries, secretWrapper([ecrLogin()]),
                "the registries list reaches the engine as a secret (the mock engine lifts the nested password secret to the whole property)");
            assert.deepEqual(pushed(), {
                buildOnPreview: true,
                cacheFrom: [{ registry: { ref: `${ecrHost()}/${APP_REPO}/build-cache:buildcache` } }],
                cacheTo: [{
                    registry: { ref: `${ecrHost()}/${APP_REPO}/build-cache:buildcache`, mode: "max", imageManifest: true, ociMediaTypes: true },
                }],
                context: { location: dir },
                dockerfile: { location: `${dir}/Dockerfile` },
                network: "default",
                platforms: ["linux/amd64"],
                push: true,
                registries: [{ address: ecrHost(), username: "AWS", password: FAKE_PASSWORD }],
                tags: [`${ecrHost()}/${APP_REPO}:latest`],
            });
        });

        it("keeps what it pushed when the docker-build image is deleted or replaced (retainOnDelete), and only that child", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage(buildContext()));
            assert.equal(cloud.one(DOCKER_BUILD_IMAGE).retainOnDelete, true);
            assert.deepEqual(cloud.registrations.filter((r) => r.retainOnDelete).map((r) => r.type), [DOCKER_BUILD_IMAGE],
                "the repositories and policies are deleted as usual");
        });

        it("fetches one ECR token, for the repository's registry, as a child of the image", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage(buildContext()));
            assert.deepEqual(tokenRequests(), [tokenRequest({ registryId: FAKE_ACCOUNT })],
                "the cache repository is in the same registry, so the target's login serves both");
        });

        it("creates the cache repository: <repository>/build-cache, force-deletable, unscanned, MUTABLE, expiring superseded caches", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage(buildContext()));
            assert.deepEqual(registered(ECR_REPOSITORY, "app-cache").inputs, {
                encryptionConfigurations: [{ encryptionType: "AES256" }],
                forceDelete: true,
                imageScanningConfiguration: { scanOnPush: false },
                imageTagMutability: "MUTABLE",
                name: `${APP_REPO}/build-cache`,
            });
            assert.deepEqual(registered(LIFECYCLE_POLICY, "app-cache").inputs, { policy: CACHE_POLICY_JSON, repository: `${APP_REPO}/build-cache` });
        });

        it("the cache repository inherits encryption, tags and region, but never the tag mutability or scanning", async () => {
            const repo = await appRepository({
                encryption: { type: "KMS", kmsKey: KMS_KEY },
                tags: { team: "payments" },
                region: "eu-central-1",
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: ["latest"],
                scanOnPush: true,
            });
            await deploy(() => repo.buildAndPushImage(buildContext()));
            assert.deepEqual(registered(ECR_REPOSITORY, "app-cache").inputs, {
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KMS_KEY }],
                forceDelete: true,
                imageScanningConfiguration: { scanOnPush: false },
                imageTagMutability: "MUTABLE",
                name: `${APP_REPO}/build-cache`,
                region: "eu-central-1",
                tags: { team: "payments" },
            });
            assert.equal(registered(LIFECYCLE_POLICY, "app-cache").inputs.region, "eu-central-1");
            assert.deepEqual(tokenRequests(), [tokenRequest({ registryId: FAKE_ACCOUNT, region: "eu-central-1" })]);
            assert.equal(pushed().tags[0], `${ecrHost("eu-central-1")}/${APP_REPO}:latest`);
        });

        it("the context defaults to the working directory", async () => {
            const dir = buildContext();
            const repo = await appRepository();
            const cwd = process.cwd();
            process.chdir(dir);
            try {
                ecrx.buildAndPushImage("app", { repository: repo });
            } finally {
                process.chdir(cwd);
            }
            await settle();
            assert.deepEqual(pushed(), withChanges(defaultInputs("."), { dockerfile: { location: "./Dockerfile" } }));
        });
    });

    describe("the effect of each argument on the docker-build inputs", () => {
        /** Each case: method-form arguments besides `context`, and what they change in the default inputs. */
        const cases: Array<{ title: string; args: (dir: string) => RepositoryImageArgs; changes: (dir: string) => Record<string, unknown> }> = [
            {
                title: "context with a trailing slash: the default Dockerfile is inside it",
                args: (dir) => ({ context: `${dir}//` }),
                changes: (dir) => ({ context: { location: `${dir}//` }, dockerfile: { location: `${dir}/Dockerfile` } }),
            },
            {
                title: "dockerfile: a path elsewhere",
                args: (dir) => ({ dockerfile: path.join(dir, "build", "Dockerfile.prod") }),
                changes: (dir) => ({ dockerfile: { location: path.join(dir, "build", "Dockerfile.prod") } }),
            },
            {
                title: "dockerfileInline: the text instead of a path",
                args: () => ({ dockerfileInline: "FROM scratch\n" }),
                changes: () => ({ dockerfile: { inline: "FROM scratch\n" } }),
            },
            { title: "target", args: () => ({ target: "runtime" }), changes: () => ({ target: "runtime" }) },
            { title: "buildArgs", args: () => ({ buildArgs: { NODE_VERSION: "20" } }), changes: () => ({ buildArgs: { NODE_VERSION: "20" } }) },
            {
                title: "labels",
                args: () => ({ labels: { "org.opencontainers.image.source": "https://example.com/app" } }),
                changes: () => ({ labels: { "org.opencontainers.image.source": "https://example.com/app" } }),
            },
            {
                title: "platforms: the list replaces linux/amd64",
                args: () => ({ platforms: ["linux/amd64", "linux/arm64/v8"] }),
                changes: () => ({ platforms: ["linux/amd64", "linux/arm64/v8"] }),
            },
            {
                title: "tags: the list replaces latest, each pushed as a full reference",
                args: () => ({ tags: ["v1.2.3", "stable"] }),
                changes: () => ({ tags: [`${ecrHost()}/${APP_REPO}:v1.2.3`, `${ecrHost()}/${APP_REPO}:stable`] }),
            },
            {
                title: "secrets: always stored as a secret",
                args: () => ({ secrets: { npmrc: "//registry.npmjs.org/:_authToken=npm_s3cr3t" } }),
                changes: () => ({ secrets: secretWrapper({ npmrc: "//registry.npmjs.org/:_authToken=npm_s3cr3t" }) }),
            },
            {
                title: "ssh",
                args: () => ({ ssh: [{ id: "default" }, { id: "deploy", paths: ["/home/ci/.ssh/id_ed25519"] }] }),
                changes: () => ({ ssh: [{ id: "default" }, { id: "deploy", paths: ["/home/ci/.ssh/id_ed25519"] }] }),
            },
            { title: "noCache", args: () => ({ noCache: true }), changes: () => ({ noCache: true }) },
            { title: "pull", args: () => ({ pull: true }), changes: () => ({ pull: true }) },
            { title: "network", args: () => ({ network: "host" }), changes: () => ({ network: "host" }) },
            {
                title: "addHosts",
                args: () => ({ addHosts: ["metadata:169.254.169.254"] }),
                changes: () => ({ addHosts: ["metadata:169.254.169.254"] }),
            },
            {
                title: "builder: a named (remote or cloud) builder",
                args: () => ({ builder: "cloud-acme-builder" }),
                changes: () => ({ builder: { name: "cloud-acme-builder" } }),
            },
            { title: "buildOnPreview: false is passed through", args: () => ({ buildOnPreview: false }), changes: () => ({ buildOnPreview: false }) },
            { title: "cache: false removes cacheFrom and cacheTo", args: () => ({ cache: false }), changes: () => ({ cacheFrom: undefined, cacheTo: undefined }) },
            {
                title: "cacheFrom and cacheTo replace the default cache",
                args: () => ({ cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }], cacheTo: [{ inline: {} }] }),
                changes: () => ({ cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }], cacheTo: [{ inline: {} }] }),
            },
            {
                title: "cacheFrom alone replaces the default cache; nothing is exported",
                args: () => ({ cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }] }),
                changes: () => ({ cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }], cacheTo: undefined }),
            },
        ];

        for (const { title, args, changes } of cases) {
            it(title, async () => {
                const dir = buildContext({ Dockerfile: "FROM scratch\n", "build/Dockerfile.prod": "FROM scratch\n" });
                const repo = await appRepository();
                await deploy(() => repo.buildAndPushImage({ context: dir, ...args(dir) }));
                assert.deepEqual(pushed(), withChanges(defaultInputs(dir), changes(dir)));
            });
        }

        it("the stack setting ecrx:buildOnPreview is the default of buildOnPreview; an argument given wins over it", async () => {
            const dir = buildContext();
            const config = pulumi.runtime.allConfig();
            pulumi.runtime.setConfig("ecrx:buildOnPreview", "false");
            try {
                const repo = await appRepository();
                await deploy(() => repo.buildAndPushImage(dir));
                assert.equal(pushed().buildOnPreview, false);
                cloud.reset();
                const again = await appRepository();
                await deploy(() => again.buildAndPushImage({ context: dir, buildOnPreview: true }));
                assert.equal(pushed().buildOnPreview, true);
            } finally {
                pulumi.runtime.setAllConfig(config);
            }
        });

        it("the build secrets never appear in plain text", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage({ context: buildContext(), secrets: { token: "npm_s3cr3t" } }));
            for (const registration of cloud.registrations) {
                assert.deepEqual(plainOccurrences(registration.inputs, "npm_s3cr3t"), [], `${registration.type} ${registration.name}`);
                assert.deepEqual(plainOccurrences(registration.wireInputs, "npm_s3cr3t"), [], `${registration.type} ${registration.name} (wire)`);
            }
        });

        const noCacheRepository: Array<[string, RepositoryImageArgs]> = [
            ["cache: false", { cache: false }],
            ["explicit cacheFrom/cacheTo", { cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }], cacheTo: [{ inline: {} }] }],
        ];
        for (const [title, args] of noCacheRepository) {
            it(`${title} creates no cache repository and exposes none`, async () => {
                const repo = await appRepository();
                const image = await deploy(() => repo.buildAndPushImage({ context: buildContext(), ...args }));
                assert.deepEqual(cloud.registrations.map((r) => r.type), [IMAGE_COMPONENT, DOCKER_BUILD_IMAGE]);
                assert.equal(image.cacheRepository, undefined);
                assert.deepEqual(pushed().registries, [ecrLogin()]);
            });
        }

        it("region: the token and the cache repository are in that region", async () => {
            const dir = buildContext();
            const repo = await appRepository();
            await deploy(() => new ecrx.Image("app", { repository: repo, context: dir, region: "eu-central-1" }));
            assert.deepEqual(tokenRequests(), [tokenRequest({ registryId: FAKE_ACCOUNT, region: "eu-central-1" })]);
            assert.equal(registered(ECR_REPOSITORY, "app-cache").inputs.region, "eu-central-1");
            assert.equal(registered(LIFECYCLE_POLICY, "app-cache").inputs.region, "eu-central-1");
            assert.deepEqual(pushed(), withChanges(defaultInputs(dir), registryCache(`${ecrHost("eu-central-1")}/${APP_REPO}/build-cache:buildcache`)));
        });

        it("registryId: the token is for that registry", async () => {
            const dir = buildContext();
            const repo = await appRepository();
            await deploy(() => new ecrx.Image("app", { repository: repo, context: dir, registryId: OTHER_ACCOUNT }));
            assert.deepEqual(tokenRequests(), [tokenRequest({ registryId: OTHER_ACCOUNT })]);
            assert.deepEqual(pushed(), defaultInputs(dir));
        });

        it("repositoryUrl of another account: its token is read from the URL; the cache repository is in the deploying account, same region", async () => {
            const dir = buildContext();
            const url = `${ecrHost("eu-west-1", OTHER_ACCOUNT)}/team/app`;
            const image = await deploy(() => new ecrx.Image("app", { repositoryUrl: url, context: dir }));
            assert.deepEqual(cloud.registrations.map((r) => [r.type, r.name]), [
                [IMAGE_COMPONENT, "app"], [REPOSITORY_COMPONENT, "app-cache"], [ECR_REPOSITORY, "app-cache"], [LIFECYCLE_POLICY, "app-cache"], [DOCKER_BUILD_IMAGE, "app"],
            ]);
            assert.deepEqual(registered(ECR_REPOSITORY, "app-cache").inputs, {
                encryptionConfigurations: [{ encryptionType: "AES256" }],
                forceDelete: true,
                imageScanningConfiguration: { scanOnPush: false },
                imageTagMutability: "MUTABLE",
                name: "team/app/build-cache/app",
                region: "eu-west-1",
            });
            assert.deepEqual(tokenRequests(), [
                tokenRequest({ registryId: FAKE_ACCOUNT, region: "eu-west-1" }),
                tokenRequest({ registryId: OTHER_ACCOUNT, region: "eu-west-1" }),
            ].sort());
            const cacheRef = `${ecrHost("eu-west-1")}/team/app/build-cache/app:buildcache`;
            assert.deepEqual(pushed(), {
                buildOnPreview: true,
                ...registryCache(cacheRef),
                context: { location: dir },
                dockerfile: { location: `${dir}/Dockerfile` },
                network: "default",
                platforms: ["linux/amd64"],
                push: true,
                registries: [ecrLogin(ecrHost("eu-west-1", OTHER_ACCOUNT)), ecrLogin(ecrHost("eu-west-1"))],
                tags: [`${url}:latest`],
            });
            assert.equal(await valueOf(image.repositoryUrl), url);
        });

        it("repositoryUrl with a matching region and registryId is accepted and used as given", async () => {
            const url = `${ecrHost("eu-west-1", OTHER_ACCOUNT)}/team/app`;
            await deploy(() => ecrx.buildAndPushImage("app", { repositoryUrl: url, context: buildContext(), region: "eu-west-1", registryId: OTHER_ACCOUNT }));
            assert.deepEqual(cloud.ofType(REPOSITORY_COMPONENT).map((r) => r.name), ["app-cache"], "a repositoryUrl means no repository of its own");
            assert.ok(tokenRequests().includes(tokenRequest({ registryId: OTHER_ACCOUNT, region: "eu-west-1" })));
        });

        it("a registry that is not ECR, with explicit credentials: no ECR token, the cache shares the repository at tag buildcache", async () => {
            const dir = buildContext();
            const image = await deploy(() => new ecrx.Image("app", {
                repositoryUrl: "localhost:5000/app", context: dir, registry: { username: "ci", password: "hunter2" },
            }));
            assert.deepEqual(cloud.registrations.map((r) => r.type), [IMAGE_COMPONENT, DOCKER_BUILD_IMAGE]);
            assert.deepEqual(cloud.invocations, []);
            assert.equal(image.cacheRepository, undefined);
            const registration = cloud.one(DOCKER_BUILD_IMAGE);
            assert.deepEqual(plainOccurrences(registration.inputs, "hunter2"), []);
            assert.deepEqual(registration.wireInputs!.registries,
                [{ address: "localhost:5000", username: "ci", password: secretWrapper("hunter2") }], "the given password is made secret");
            assert.deepEqual(dockerInputs(registration), {
                buildOnPreview: true,
                ...registryCache("localhost:5000/app:buildcache"),
                context: { location: dir },
                dockerfile: { location: `${dir}/Dockerfile` },
                network: "default",
                platforms: ["linux/amd64"],
                push: true,
                registries: [{ address: "localhost:5000", username: "ci", password: "hunter2" }],
                tags: ["localhost:5000/app:latest"],
            });
        });
    });

    describe("the registry password", () => {
        const scenarios: Array<[string, (dir: string) => unknown]> = [
            ["the method form", (dir) => new ecrx.Repository("app").buildAndPushImage(dir)],
            ["the free function creating its repository", (dir) => ecrx.buildAndPushImage("worker", dir)],
            ["a cross-account repositoryUrl (two logins)", (dir) =>
                ecrx.buildAndPushImage("app", { repositoryUrl: `${ecrHost("eu-west-1", OTHER_ACCOUNT)}/team/app`, context: dir })],
        ];
        for (const [title, program] of scenarios) {
            it(`never appears in plain text in any registration: ${title}`, async () => {
                await deploy(() => program(buildContext()));
                assert.ok(cloud.invocations.length > 0, "a token was requested");
                for (const registration of cloud.registrations) {
                    assert.deepEqual(plainOccurrences(registration.inputs, FAKE_PASSWORD), [], `${registration.type} ${registration.name}`);
                    assert.deepEqual(plainOccurrences(registration.wireInputs, FAKE_PASSWORD), [], `${registration.type} ${registration.name} (wire)`);
                }
                const docker = cloud.one(DOCKER_BUILD_IMAGE);
                const registries = unwrapSecret(docker.inputs.registries, "registries");
                assert.ok(registries.length > 0 && registries.every((r: { password: string }) => r.password === FAKE_PASSWORD),
                    "the secret holds the real password for docker-build");
                // As the program serializes it, only the password is secret: the plan still shows where it pushes, as whom.
                assert.deepEqual(docker.wireInputs!.registries, registries.map((r: { address: string; username: string }) =>
                    ({ address: r.address, username: r.username, password: secretWrapper(FAKE_PASSWORD) })));
            });
        }
    });

    describe("outputs", () => {
        it("imageUri is <repositoryUrl>@sha256:<digest> from docker-build, never tag@digest; image() is the same", async () => {
            const dir = buildContext();
            const repo = await appRepository();
            const image = await deploy(() => repo.buildAndPushImage(dir));
            const url = `${ecrHost()}/${APP_REPO}`;
            const imageUri = await valueOf(image.imageUri);
            const escaped = url.replace(/[.]/g, "\\.");
            assert.match(imageUri, new RegExp(`^${escaped}@sha256:[0-9a-f]{64}$`));
            const digest = await valueOf(image.digest);
            assert.equal(digest, fakeDigest(cloud.one(DOCKER_BUILD_IMAGE).inputs), "the digest docker-build reported");
            assert.equal(imageUri, `${await valueOf(image.repositoryUrl)}@${digest}`);
            assert.equal(await valueOf(image.image()), imageUri);
            assert.equal(await valueOf(image.repositoryUrl), url);
            assert.deepEqual(await valueOf(image.tags), [`${url}:latest`]);
        });

        it("tags are the full references pushed, in the order given", async () => {
            const repo = await appRepository();
            const image = await deploy(() => repo.buildAndPushImage({ context: buildContext(), tags: ["git-4f2a9c1", "stable"] }));
            const url = `${ecrHost()}/${APP_REPO}`;
            assert.deepEqual(await valueOf(image.tags), [`${url}:git-4f2a9c1`, `${url}:stable`]);
            assert.match(await valueOf(image.imageUri), new RegExp(`^${url.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}$`));
        });
    });

    describe("validation, before anything is registered", () => {
        const ecrUrl = `${ecrHost()}/app`;
        /** `new Image(name, {repositoryUrl: ECR, context, ...args})`, so that a failed check leaves nothing behind. */
        const imageAt = (args: Partial<ImageArgs>, name = "app") => () => new ecrx.Image(name, { repositoryUrl: ecrUrl, context: buildContext(), ...args });

        it("a context directory that does not exist", async () => {
            const missing = path.join(buildContext(), "missing");
            await expectInvalid("app", imageAt({ context: missing }), [{
                propertyPath: "context",
                reason: `must be a directory with the files to build, but ${JSON.stringify(missing)} does not exist (resolved from ${process.cwd()}).`,
            }]);
        });

        it("a context that is a file", async () => {
            const file = path.join(buildContext(), "Dockerfile");
            await expectInvalid("app", imageAt({ context: file }), [{
                propertyPath: "context",
                reason: `must be a directory with the files to build, but ${JSON.stringify(file)} is not a directory.`,
            }]);
        });

        it("a context without a Dockerfile", async () => {
            const dir = buildContext({ "app.js": "" });
            await expectInvalid("app", imageAt({ context: dir }), [{
                propertyPath: "context",
                reason: `has no Dockerfile (looked for ${JSON.stringify(path.join(dir, "Dockerfile"))}): give dockerfile with its path, or dockerfileInline with its text.`,
            }]);
        });

        it("a dockerfile path that is not a file", async () => {
            const dir = buildContext({ "docker/.keep": "" });
            const dockerfile = path.join(dir, "docker");
            await expectInvalid("app", imageAt({ context: dir, dockerfile }), [{
                propertyPath: "dockerfile",
                reason: `${JSON.stringify(dockerfile)} is not a file: give dockerfile with its path, or dockerfileInline with its text.`,
            }]);
        });

        it("dockerfile together with dockerfileInline", async () => {
            const dir = buildContext();
            await expectInvalid("app", imageAt({ context: dir, dockerfile: path.join(dir, "Dockerfile"), dockerfileInline: "FROM scratch" }), [{
                propertyPath: "dockerfileInline",
                reason: "is given together with dockerfile: use one, either a Dockerfile path or its inline text.",
            }]);
        });

        it("an empty dockerfileInline", async () => {
            await expectInvalid("app", imageAt({ context: buildContext({ "app.js": "" }), dockerfileInline: "  \n" }), [{
                propertyPath: "dockerfileInline", reason: "must be the non-empty text of a Dockerfile.",
            }]);
        });

        it("a platform that is not os/arch[/variant]", async () => {
            await expectInvalid("app", imageAt({ platforms: ["linux/amd64", "amd64", "Linux/ARM64"] }), [
                { propertyPath: "platforms[1]", reason: "must be an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\", but is \"amd64\"." },
                { propertyPath: "platforms[2]", reason: "must be an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\", but is \"Linux/ARM64\"." },
            ]);
        });

        it("an empty platform list", async () => {
            await expectInvalid("app", imageAt({ platforms: [] }), [{
                propertyPath: "platforms",
                reason: "must be a non-empty list of an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\"; leave it out for the default.",
            }]);
        });

        it("invalid tags: a leading dash, a colon, 129 characters", async () => {
            const long = `v${"1".repeat(128)}`;
            await expectInvalid("app", imageAt({ tags: ["-bad", "v1:2", long, "x".repeat(128)] }), [
                { propertyPath: "tags[0]", reason: TAG_REASON("-bad") },
                { propertyPath: "tags[1]", reason: TAG_REASON("v1:2") },
                { propertyPath: "tags[2]", reason: TAG_REASON(long) },
            ]);
        });

        it("duplicate tags", async () => {
            await expectInvalid("app", imageAt({ tags: ["v1", "stable", "v1"] }), [
                { propertyPath: "tags[2]", reason: "repeats \"v1\" from tags[0]: list each once." },
            ]);
        });

        const badUrls: Array<[string, string, string]> = [
            ["with a tag", `${ecrUrl}:v1`, "carries a tag; give the repository URL alone and put the tag in `tags`."],
            ["with a digest", `${ecrUrl}@sha256:${"a".repeat(64)}`, "carries a digest; give the repository URL alone (the digest is what this component produces)."],
            ["with a scheme", `https://${ecrUrl}`, "must not have a scheme: write it as <account>.dkr.ecr.<region>.amazonaws.com/<name>."],
            ["without a repository name", ecrHost(), "must be <account>.dkr.ecr.<region>.amazonaws.com/<name> (or host[:port]/name for another registry), but has no repository name."],
            ["on an amazonaws.com host that is not ECR", "12345678901.dkr.ecr.us-west-2.amazonaws.com/app",
                "has the host \"12345678901.dkr.ecr.us-west-2.amazonaws.com\", which is not an ECR registry host (<12-digit account>.dkr.ecr.<region>.amazonaws.com)."],
            ["with an invalid repository name", `${ecrHost()}/App`,
                "names the repository \"App\", which is not a valid repository name (lowercase letters and digits separated by \".\", \"_\", \"-\" or \"/\")."],
        ];
        for (const [title, url, reason] of badUrls) {
            it(`a repositoryUrl ${title}`, async () => {
                await expectInvalid("app", imageAt({ repositoryUrl: url }), [{ propertyPath: "repositoryUrl", reason: `${JSON.stringify(url)} ${reason}` }]);
            });
        }

        it("a registry that is not ECR, without credentials", async () => {
            await expectInvalid("app", imageAt({ repositoryUrl: "localhost:5000/app" }), [{
                propertyPath: "registry",
                reason: "is required for \"localhost:5000\", which is not an ECR registry: give registry with username and password " +
                    "(ECR credentials are fetched automatically only for ECR).",
            }]);
        });

        it("a region and registryId that contradict the repositoryUrl", async () => {
            await expectInvalid("app", imageAt({ region: "eu-west-1", registryId: OTHER_ACCOUNT }), [
                { propertyPath: "region", reason: "is \"eu-west-1\", but the repository URL is in region \"us-west-2\": leave it out, it is read from the URL." },
                { propertyPath: "registryId", reason: `is "${OTHER_ACCOUNT}", but the repository URL is in account "${FAKE_ACCOUNT}": leave it out, it is read from the URL.` },
            ]);
        });

        it("repository together with repositoryUrl", async () => {
            const repo = await appRepository();
            await expectInvalid("app", () => repo.buildAndPushImage({ context: buildContext(), repositoryUrl: ecrUrl } as RepositoryImageArgs), [{
                propertyPath: "repositoryUrl", reason: "is given together with repository: give one of them.",
            }]);
        });

        it("neither repository nor repositoryUrl, with new Image", async () => {
            await expectInvalid("app", () => new ecrx.Image("app", { context: buildContext() }), [{
                propertyPath: "repository", reason: "is required: pass an ecrx Repository, or its URL as repositoryUrl.",
            }]);
        });

        it("an argument that is not an Image argument", async () => {
            await expectInvalid("app", imageAt({ dockerFile: "Dockerfile" } as Partial<ImageArgs>), [{
                propertyPath: "dockerFile",
                reason: "is not an argument of Image; use one of repository, repositoryUrl, context, dockerfile, dockerfileInline, target, buildArgs, " +
                    "labels, platforms, tags, secrets, ssh, noCache, pull, network, addHosts, builder, buildOnPreview, cache, cacheFrom, cacheTo, " +
                    "region, registryId, registry, scanGate (did you mean dockerfile?).",
            }]);
        });

        it("cache: false together with cacheFrom", async () => {
            await expectInvalid("app", imageAt({ cache: false, cacheFrom: [{ registry: { ref: "ghcr.io/acme/cache:main" } }] }), [{
                propertyPath: "cache",
                reason: "is false, but cacheFrom/cacheTo are given: remove cache (explicit cacheFrom/cacheTo already replace the default cache).",
            }]);
        });

        it("reports every problem at once", async () => {
            await expectInvalid("app", imageAt({ platforms: ["amd64"], tags: ["ok", "ok"], region: "eu-west-1" }), [
                { propertyPath: "platforms[0]", reason: "must be an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\", but is \"amd64\"." },
                { propertyPath: "tags[1]", reason: "repeats \"ok\" from tags[0]: list each once." },
                { propertyPath: "region", reason: "is \"eu-west-1\", but the repository URL is in region \"us-west-2\": leave it out, it is read from the URL." },
            ]);
        });

        it("buildAndPushImage(name, path) with a bad path creates no repository either", async () => {
            const missing = path.join(buildContext(), "missing");
            await expectInvalid("worker", () => ecrx.buildAndPushImage("worker", missing), [{
                propertyPath: "context",
                reason: `must be a directory with the files to build, but ${JSON.stringify(missing)} does not exist (resolved from ${process.cwd()}).`,
            }]);
        });

        it("the method form checks too, registering no image", async () => {
            const repo = await appRepository();
            await expectInvalid("app", () => repo.buildAndPushImage({ context: buildContext(), platforms: ["arm64"] }), [{
                propertyPath: "platforms[0]", reason: "must be an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\", but is \"arm64\".",
            }]);
        });
    });

    describe("tag mutability of the target repository", () => {
        /** Mutability settings of the repository, and the tags given (undefined: the default). */
        const refused: Array<[string, RepositoryArgs, string[] | undefined, Problem]> = [
            ["IMMUTABLE with the default latest", { imageTagMutability: "IMMUTABLE" }, undefined,
                { propertyPath: "tags", reason: MUTABILITY_REASON("default to", "IMMUTABLE") }],
            ["IMMUTABLE with an explicit latest", { imageTagMutability: "IMMUTABLE" }, ["git-4f2a9c1", "latest"],
                { propertyPath: "tags", reason: MUTABILITY_REASON("include", "IMMUTABLE") }],
            ["IMMUTABLE_WITH_EXCLUSION whose filters do not cover latest",
                { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["release-*"] }, undefined,
                { propertyPath: "tags", reason: MUTABILITY_REASON("default to", "IMMUTABLE_WITH_EXCLUSION") }],
            ["MUTABLE_WITH_EXCLUSION with a filter matching latest",
                { imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["lat*"] }, undefined,
                { propertyPath: "tags", reason: MUTABILITY_REASON("default to", "MUTABLE_WITH_EXCLUSION") }],
        ];
        for (const [title, repositoryArgs, tags, problem] of refused) {
            it(`refuses ${title}, at construction, naming the fix`, async () => {
                const repo = await appRepository(repositoryArgs);
                await expectInvalid("app", () => repo.buildAndPushImage({ context: buildContext(), tags }), [problem]);
            });
        }

        const accepted: Array<[string, RepositoryArgs, string[] | undefined, string[]]> = [
            ["IMMUTABLE with tags unique per build", { imageTagMutability: "IMMUTABLE" }, ["git-4f2a9c1"], ["git-4f2a9c1"]],
            ["IMMUTABLE_WITH_EXCLUSION with the filter latest",
                { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["latest"] }, undefined, ["latest"]],
            ["IMMUTABLE_WITH_EXCLUSION with a wildcard covering latest",
                { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["lat*"] }, ["latest", "git-4f2a9c1"], ["latest", "git-4f2a9c1"]],
            ["MUTABLE_WITH_EXCLUSION whose filters leave latest mutable",
                { imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: ["v*"] }, undefined, ["latest"]],
        ];
        for (const [title, repositoryArgs, tags, pushedTags] of accepted) {
            it(`accepts ${title}; the cache repository stays MUTABLE so its tag can move`, async () => {
                const repo = await appRepository(repositoryArgs);
                await deploy(() => repo.buildAndPushImage({ context: buildContext(), tags }));
                assert.deepEqual(pushed().tags, pushedTags.map((tag) => `${ecrHost()}/${APP_REPO}:${tag}`));
                const cacheRepository = registered(ECR_REPOSITORY, "app-cache").inputs;
                assert.equal(cacheRepository.imageTagMutability, "MUTABLE");
                assert.equal(cacheRepository.imageTagMutabilityExclusionFilters, undefined);
            });
        }
    });
    describe("several images in one repository", () => {
        let warnings: string[];
        let originalWarn: typeof pulumi.log.warn;
        const unhandled = new UnhandledRejections();
        before(() => {
            originalWarn = pulumi.log.warn;
            // The warning is what a user sees in `pulumi up`; capture it rather than print it.
            (pulumi.log as any).warn = (message: string) => void warnings.push(message);
            unhandled.install();
        });
        after(() => {
            (pulumi.log as any).warn = originalWarn;
            unhandled.uninstall();
        });
        beforeEach(() => {
            warnings = [];
        });

        it("the seed's two images of one Repository push their own tags: latest, then <name>-latest", async () => {
            const repo = await appRepository();
            const [app, api] = await deploy(() => [
                repo.buildAndPushImage(buildContext()),
                ecrx.buildAndPushImage("api", { repository: repo, context: buildContext(), platforms: ["linux/arm64"] }),
            ]);
            assert.deepEqual(await valueOf(app.tags), [`${ecrHost()}/${APP_REPO}:latest`]);
            assert.deepEqual(await valueOf(api.tags), [`${ecrHost()}/${APP_REPO}:api-latest`]);
            assert.deepEqual(dockerInputs(registered(DOCKER_BUILD_IMAGE, "api")).tags, [`${ecrHost()}/${APP_REPO}:api-latest`]);
        });

        it("warns when images share a repository whose default policy keeps only one untagged image, naming the rule that fixes it", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage(buildContext()));
            assert.deepEqual(warnings, [], "one image per repository is what the default policy is made for");
            await deploy(() => ecrx.buildAndPushImage("api", { repository: repo, context: buildContext() }));
            assert.equal(warnings.length, 1);
            assert.match(warnings[0], /^Repository "app" keeps one untagged image \(its default lifecycle policy\), but 2 images push to it \(app, api\)\./);
            assert.match(warnings[0], /\{ selection: "untagged", maximumNumberOfImages: 2 \}/);
        });

        it("does not warn when the repository has its own rules", async () => {
            const repo = await appRepository({ lifeCyclePolicyArgs: { rules: [{ selection: "untagged", maximumNumberOfImages: 2 }] } });
            await deploy(() => {
                repo.buildAndPushImage(buildContext());
                ecrx.buildAndPushImage("api", { repository: repo, context: buildContext() });
            });
            assert.deepEqual(warnings, []);
        });

        it("refuses a tag that another image already pushes to the same repository, naming that image", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage({ context: buildContext(), tags: ["v1", "stable"] }));
            await expectInvalid("api", () => ecrx.buildAndPushImage("api", { repository: repo, context: buildContext(), tags: ["v2", "stable"] }), [{
                propertyPath: "tags[1]",
                reason: "\"stable\" is also pushed to this repository by image \"app\", so each deployment would move it between the two images: " +
                    "give each image its own tags.",
            }]);
        });

        it("an image's own tags do not count as another's when its context, an Output, is checked once it resolves", async () => {
            const repo = await appRepository();
            await deploy(() => repo.buildAndPushImage({ context: buildContext(), tags: ["v1"] }));
            await deploy(() => ecrx.buildAndPushImage("api", { repository: repo, context: pulumi.output(buildContext()), tags: ["v2"] }));
            await quiesce();
            assert.deepEqual(unhandled.takeAll(), []);
            assert.deepEqual(dockerInputs(registered(DOCKER_BUILD_IMAGE, "api")).tags, [`${ecrHost()}/${APP_REPO}:v2`]);
        });

        it("images given the same repository URL get cache repositories named after each image, so they never collide", async () => {
            const url = `${ecrHost("eu-west-1", "210987654321")}/shared/images`;
            await deploy(() => {
                new ecrx.Image("first", { repositoryUrl: url, context: buildContext(), tags: ["first"] });
                new ecrx.Image("second", { repositoryUrl: url, context: buildContext(), tags: ["second"] });
            });
            assert.deepEqual(cloud.ofType(ECR_REPOSITORY).map((r) => r.inputs.name).sort(),
                ["shared/images/build-cache/first", "shared/images/build-cache/second"]);
        });

        it("checks a mutability known only at deployment once it resolves, with the same reason", async () => {
            const repo = await appRepository({ imageTagMutability: pulumi.output("IMMUTABLE" as const) });
            const image = repo.buildAndPushImage(buildContext());
            const expected = [{ propertyPath: "tags", reason: MUTABILITY_REASON("default to", "IMMUTABLE") }];
            await assert.rejects(valueOf(image.tags), (error) => {
                assertInputPropertiesError(error, "app", expected);
                return true;
            });
            await quiesce();
            assert.deepEqual(cloud.ofType(DOCKER_BUILD_IMAGE), [], "nothing is built for an image that could not be pushed twice");
            // The engine sees the same problems; Pulumi prefixes the message with where it was serializing.
            unhandled.expectOnly((reason) => {
                assert.ok(pulumi.InputPropertiesError.isInstance(reason), `expected an InputPropertiesError, got ${reason}`);
                assert.deepEqual(reason.errors, expected);
            });
        });
    });
});
