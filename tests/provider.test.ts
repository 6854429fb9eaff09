// The ecrx provider plugin as the Pulumi CLI runs it for Python, Go, .NET, Java and YAML programs: spawned
// through run-plugin from the package root, talked to over gRPC, its SDK calls answered by a mock engine.
// One plugin process serves the whole file, as one serves a whole deployment.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import {
    FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION, MockEngine, outputValue, RegisteredResource, RESOURCE_SIGNATURE, resourceReference, secret,
    SECRET_KEY, UNKNOWN, WireValue,
} from "./support/mock-engine";
import { plainOccurrences } from "../sdk/testing";
import { ensureBuilt, PluginProcess, ROOT, withPluginFixture } from "./support/plugin";
import { BUILD_AND_PUSH_IMAGE, DOCKER_BUILD_IMAGE, ECR_REPOSITORY, IMAGE_COMPONENT, LIFECYCLE_POLICY, REPOSITORY_COMPONENT } from "./support/tokens";


const METASCHEMA = path.resolve(ROOT, "..", "shared", "pulumi", "package-metaschema.json");
const COMMITTED_SCHEMA = path.join(ROOT, "provider", "schema.json");

const DEFAULT_POLICY_JSON =
    `{"rules":[{"rulePriority":1,"description":"remove untagged images","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`;
/** The seed's rules, as a Python or YAML program writes them (the selection union in both forms). */
const SEED_RULES = [
    { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
    { selection: "untagged", maximumAgeLimit: 14 },
    { selection: "any", maximumNumberOfImages: 5 },
];
const SEED_POLICY_JSON = `{"rules":[` +
    `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},` +
    `{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
    `{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`;

const ECR_HOST = `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com`;
const MODES = [{ label: "preview", dryRun: true }, { label: "update", dryRun: false }];

let engine: MockEngine;
let plugin: PluginProcess;
let buildContext: string;

/** Runs one Construct in a fresh deployment of the mock engine. */
async function construct(type: string, name: string, inputs: Record<string, WireValue>, dryRun: boolean) {
    engine.beginDeployment({ dryRun });
    return plugin.construct(type, name, inputs, { dryRun });
}

/** The registrations as `type::name` under their parent, for comparing whole trees. */
function tree(registrations: RegisteredResource[] = engine.registrations): string[] {
    return registrations.map((r) => `${r.type}::${r.name} <- ${r.parent}`).sort();
}

/** Where the fake password appears outside a secret in anything the plugin registered or returned. */
function passwordLeaks(extra: Record<string, WireValue> = {}): string[] {
    return [
        ...engine.registrations.flatMap((r) => [
            ...plainOccurrences(r.object, FAKE_PASSWORD).map((p) => `${r.urn} input ${p}`),
            ...plainOccurrences(r.outputs, FAKE_PASSWORD).map((p) => `${r.urn} output ${p}`),
        ]),
        ...plainOccurrences(extra, FAKE_PASSWORD).map((p) => `response ${p}`),
    ];
}

function assertCleanDeployment(): void {
    assert.deepEqual(engine.refusals, [], "the engine refused requests");
    assert.deepEqual(engine.logs.filter((l) => l.severity === "error"), [], "the plugin logged errors");
}

describe("provider plugin over gRPC (run-plugin, mock engine)", function () {
    withPluginFixture((fixture) => ({ engine, plugin, buildContext } = fixture));

    afterEach(function () {
        if (this.currentTest?.state === "failed" && engine !== undefined) {
            console.error(`--- mock engine ---\n${engine.problems().join("\n")}\n--- plugin output ---\n${plugin?.output ?? "(not started)"}`);
        }
    });

    describe("GetPluginInfo and GetSchema", () => {
        it("reports the version in package.json", async () => {
            const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
            assert.deepEqual(await plugin.getPluginInfo(), { version });
        });

        it("serves exactly the committed schema, valid against the Pulumi package metaschema", async () => {
            const served = JSON.parse(await plugin.getSchema());
            const committed = JSON.parse(fs.readFileSync(COMMITTED_SCHEMA, "utf8"));
            assert.deepEqual(Object.keys(served), Object.keys(committed), "GetSchema has other top-level keys than provider/schema.json");
            assert.deepEqual(served, committed, "GetSchema differs from provider/schema.json");

            assert.ok(fs.existsSync(METASCHEMA), `the Pulumi package metaschema is missing: ${METASCHEMA}`);
            // eslint-disable-next-line @typescript-eslint/no-var-requires
            const Ajv2020 = require("ajv/dist/2020").default;
            const ajv = new Ajv2020({ allErrors: true, strict: false });
            ajv.addFormat("regex", (pattern: string) => { try { new RegExp(pattern, "u"); return true; } catch { return false; } });
            ajv.addFormat("uri-reference", (reference: string) => !/\s/.test(reference));
            const validate = ajv.compile(JSON.parse(fs.readFileSync(METASCHEMA, "utf8")));
            assert.ok(validate(served), `schema.json violates the metaschema:\n${JSON.stringify(validate.errors, null, 2)}`);
        });

        it("offers exactly the tag mutability modes the SDK checks against", async () => {
            const schema = JSON.parse(await plugin.getSchema());
            const { IMAGE_TAG_MUTABILITIES } = await import("../sdk/validation/tag-mutability");
            const offered = schema.types["ecrx:index:ImageTagMutability"].enum.map((mode: { value: string }) => mode.value);
            assert.deepEqual(offered, [...IMAGE_TAG_MUTABILITIES]);
        });

        it("describes both components, the method, and a selection every language can write", async () => {
            const schema = JSON.parse(await plugin.getSchema());
            assert.equal(schema.name, "ecrx");
            assert.equal(schema.resources[REPOSITORY_COMPONENT].isComponent, true);
            assert.equal(schema.resources[IMAGE_COMPONENT].isComponent, true);
            assert.equal(schema.resources[REPOSITORY_COMPONENT].methods.buildAndPushImage, BUILD_AND_PUSH_IMAGE);
            assert.deepEqual(schema.functions[BUILD_AND_PUSH_IMAGE].inputs.properties.__self__, { $ref: `#/resources/${REPOSITORY_COMPONENT}` });
            assert.equal(schema.functions[BUILD_AND_PUSH_IMAGE].outputs.properties.imageUri.type, "string");
            // `selection="untagged"` or `selection={"tag_prefix_list": [...]}`: a plain string or an object type.
            // Not the TagStatus enum: Go's code generator turns a union with an enum into the enum's string
            // type, so Go programs could not pass the object form at all.
            const selection = schema.types["ecrx:index:LifecycleRule"].properties.selection;
            assert.deepEqual(selection.oneOf, [{ type: "string" }, { $ref: "#/types/ecrx:index:LifecycleSelection" }]);
            const objectForm = schema.types["ecrx:index:LifecycleSelection"];
            assert.equal(objectForm.type, "object");
            assert.deepEqual(schema.types[objectForm.properties.tagStatus.$ref.replace("#/types/", "")].enum.map((e: { value: string }) => e.value).sort(), ["any", "tagged", "untagged"]);
            assert.equal(schema.language.python.packageName, "pulumi_ecrx");
        });
    });

    describe("Construct of Repository", () => {
        const cases = [
            { label: "default arguments", name: "app", inputs: {}, policy: DEFAULT_POLICY_JSON },
            { label: "the seed's lifecycle rules", name: "web", inputs: { lifeCyclePolicyArgs: { rules: SEED_RULES } }, policy: SEED_POLICY_JSON },
        ];
        for (const { label: mode, dryRun } of MODES) {
            for (const { label, name, inputs, policy } of cases) {
                it(`${mode}, ${label}: registers the repository and the exact lifecycle policy under the component`, async () => {
                    const result = await construct(REPOSITORY_COMPONENT, name, inputs, dryRun);
                    assertCleanDeployment();

                    const componentUrn = `urn:pulumi:${engine.stack}::${engine.project}::${REPOSITORY_COMPONENT}::${name}`;
                    assert.equal(result.urn, componentUrn);
                    assert.deepEqual(tree(), [
                        `${ECR_REPOSITORY}::${name} <- ${componentUrn}`,
                        `${LIFECYCLE_POLICY}::${name} <- ${componentUrn}`,
                        `${REPOSITORY_COMPONENT}::${name} <- ${engine.stackUrn}`,
                    ].sort());
                    const component = engine.one(REPOSITORY_COMPONENT);
                    assert.equal(component.custom, false);
                    assert.equal(component.outputsRegistered, true, "the component never registered its outputs");

                    const repository = engine.one(ECR_REPOSITORY);
                    assert.deepEqual(repository.object, {
                        encryptionConfigurations: [{ encryptionType: "AES256" }],
                        forceDelete: false,
                        imageScanningConfiguration: { scanOnPush: true },
                        imageTagMutability: "MUTABLE",
                    });
                    const lifecycle = engine.one(LIFECYCLE_POLICY);
                    assert.equal(lifecycle.object.policy, policy);
                    assert.equal(lifecycle.object.repository, repository.outputs.name);
                    assert.equal(lifecycle.deleteBeforeReplace, true);

                    const repositoryName = repository.outputs.name as string;
                    assert.match(repositoryName, new RegExp(`^${name}-[0-9a-f]{7}$`));
                    assert.deepEqual(result.state, {
                        repository: { [SECRET_KEY]: RESOURCE_SIGNATURE, urn: repository.urn, id: dryRun ? UNKNOWN : repositoryName },
                        lifecyclePolicy: { [SECRET_KEY]: RESOURCE_SIGNATURE, urn: lifecycle.urn, id: dryRun ? UNKNOWN : repositoryName },
                        repositoryUrl: dryRun ? UNKNOWN : `${ECR_HOST}/${repositoryName}`,
                        arn: dryRun ? UNKNOWN : `arn:aws:ecr:${FAKE_REGION}:${FAKE_ACCOUNT}:repository/${repositoryName}`,
                        registryId: dryRun ? UNKNOWN : FAKE_ACCOUNT,
                        repositoryName,
                        lifecyclePolicyText: policy,
                    });
                    assert.deepEqual(result.stateDependencies.repositoryUrl, [repository.urn]);
                });
            }
        }

        it("preview, inputs not known yet (output values): stay unknown in the children, with their dependencies", async () => {
            const parameter = `urn:pulumi:${engine.stack}::${engine.project}::aws:ssm/parameter:Parameter::config`;
            const later = outputValue({ dependencies: [parameter] });
            engine.beginDeployment({ dryRun: true });
            const result = await plugin.construct(REPOSITORY_COMPONENT, "dynamic", { name: later, lifeCyclePolicyArgs: { rules: [{ selection: "untagged", maximumAgeLimit: later }] } },
                { dryRun: true, inputDependencies: { name: [parameter], lifeCyclePolicyArgs: [parameter] } });
            assertCleanDeployment();
            const repository = engine.one(ECR_REPOSITORY);
            assert.equal(repository.object.name, UNKNOWN);
            assert.deepEqual(repository.propertyDependencies.name, [parameter]);
            const lifecycle = engine.one(LIFECYCLE_POLICY);
            assert.equal(lifecycle.object.policy, UNKNOWN);
            assert.deepEqual(lifecycle.propertyDependencies.policy, [parameter]);
            assert.equal(result.state.lifecyclePolicyText, UNKNOWN);
        });

        it("update, a secret input stays secret in the children", async () => {
            const result = await construct(REPOSITORY_COMPONENT, "private", { tags: outputValue({ value: { costCenter: "cc-4711" }, secret: true }) }, false);
            assertCleanDeployment();
            assert.deepEqual(engine.one(ECR_REPOSITORY).object.tags, secret({ costCenter: "cc-4711" }));
            assert.deepEqual(engine.registrations.flatMap((r) => plainOccurrences(r.object, "cc-4711")), []);
            assert.deepEqual(plainOccurrences(result.state, "cc-4711"), []);
        });

        it("update, with access grants: adds the repository policy and exposes it", async () => {
            const result = await construct(REPOSITORY_COMPONENT, "shared", { access: { pull: ["111122223333"] } }, false);
            assertCleanDeployment();
            const policy = engine.one("aws:ecr/repositoryPolicy:RepositoryPolicy");
            assert.equal(policy.parent, result.urn);
            assert.deepEqual(JSON.parse(policy.object.policy).Statement[0].Principal, { AWS: ["arn:aws:iam::111122223333:root"] });
            assert.deepEqual(result.state.repositoryPolicy, { [SECRET_KEY]: RESOURCE_SIGNATURE, urn: policy.urn, id: policy.id });
        });
    });

    describe("Construct of Image", () => {
        for (const { label: mode, dryRun } of MODES) {
            it(`${mode}: builds the context with docker-build, logs in with a secret ECR password, caches in <repo>/build-cache`, async () => {
                // One plugin process serves both deployments here, as the CLI's does for a preview and an update:
                // the same URL in both shows that nothing about one deployment leaks into the next.
                const repositoryUrl = `${ECR_HOST}/web`;
                const result = await construct(IMAGE_COMPONENT, "web", { repositoryUrl, context: buildContext }, dryRun);
                assertCleanDeployment();

                const componentUrn = `urn:pulumi:${engine.stack}::${engine.project}::${IMAGE_COMPONENT}::web`;
                const cacheUrn = `urn:pulumi:${engine.stack}::${engine.project}::${IMAGE_COMPONENT}$${REPOSITORY_COMPONENT}::web-cache`;
                assert.equal(result.urn, componentUrn);
                assert.deepEqual(tree(), [
                    `${ECR_REPOSITORY}::web-cache <- ${cacheUrn}`,
                    `${LIFECYCLE_POLICY}::web-cache <- ${cacheUrn}`,
                    `${DOCKER_BUILD_IMAGE}::web <- ${componentUrn}`,
                    `${IMAGE_COMPONENT}::web <- ${engine.stackUrn}`,
                    `${REPOSITORY_COMPONENT}::web-cache <- ${componentUrn}`,
                ].sort());

                const tokenInvokes = engine.invokes.filter((i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken");
                assert.ok(tokenInvokes.length >= 1, "no ECR authorization token was requested");
                assert.deepEqual(tokenInvokes[0].args, { registryId: FAKE_ACCOUNT, region: FAKE_REGION });

                const docker = engine.one(DOCKER_BUILD_IMAGE);
                // An image given only a URL names its cache repository after itself.
                const cacheRef = `${repositoryUrl}/build-cache/web:buildcache`;
                // The cache repository's URL, and so its login, is known only once it exists.
                const ecrLogin = { address: ECR_HOST, username: "AWS", password: secret(FAKE_PASSWORD) };
                const cacheLogin = dryRun ? { address: UNKNOWN, username: UNKNOWN, password: secret(UNKNOWN) } : ecrLogin;
                assert.deepEqual(docker.object, {
                    context: { location: buildContext },
                    dockerfile: { location: `${buildContext}/Dockerfile` },
                    platforms: ["linux/amd64"],
                    tags: [`${repositoryUrl}:latest`],
                    push: true,
                    registries: [ecrLogin, cacheLogin],
                    cacheFrom: [{ registry: { ref: dryRun ? UNKNOWN : cacheRef } }],
                    cacheTo: [{ registry: { ref: dryRun ? UNKNOWN : cacheRef, mode: "max", imageManifest: true, ociMediaTypes: true } }],
                    // docker-build's own defaults, filled in by its SDK.
                    buildOnPreview: true,
                    network: "default",
                });
                assert.deepEqual(passwordLeaks(result.state), []);

                const digest = docker.outputs.digest;
                assert.deepEqual(
                    { imageUri: result.state.imageUri, digest: result.state.digest, tags: result.state.tags, repositoryUrl: result.state.repositoryUrl },
                    {
                        imageUri: dryRun ? UNKNOWN : `${repositoryUrl}@${digest}`,
                        digest: dryRun ? UNKNOWN : digest,
                        tags: [`${repositoryUrl}:latest`],
                        repositoryUrl,
                    });
                if (!dryRun) {
                    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
                }
            });
        }

        it("update, with a Repository of the same deployment as `repository` (a resource reference)", async () => {
            const repository = await construct(REPOSITORY_COMPONENT, "api", {}, false);
            const result = await plugin.construct(IMAGE_COMPONENT, "api", { repository: resourceReference(repository.urn), context: buildContext },
                { dryRun: false, inputDependencies: { repository: [repository.urn] } });
            assertCleanDeployment();
            const image = engine.one(IMAGE_COMPONENT);
            assert.equal(image.parent, engine.stackUrn);
            const url = `${ECR_HOST}/${engine.one(ECR_REPOSITORY, (r) => r.parent === repository.urn).outputs.name}`;
            const docker = engine.one(DOCKER_BUILD_IMAGE);
            assert.deepEqual(docker.object.tags, [`${url}:latest`]);
            // One login: the cache repository is in the same registry.
            assert.deepEqual(docker.object.registries, [{ address: ECR_HOST, username: "AWS", password: secret(FAKE_PASSWORD) }]);
            assert.deepEqual(docker.object.cacheFrom, [{ registry: { ref: `${url}/build-cache:buildcache` } }]);
            assert.equal(result.state.imageUri, `${url}@${docker.outputs.digest}`);
            assert.deepEqual(passwordLeaks(result.state), []);
        });

        it("update, another registry: the given password is stored as a secret even when sent in plain text", async () => {
            const password = "registry-password-from-a-yaml-program";
            await construct(IMAGE_COMPONENT, "mirror", {
                repositoryUrl: "registry.example.com/team/app",
                context: buildContext,
                registry: { username: "robot", password },
            }, false);
            assertCleanDeployment();
            const docker = engine.one(DOCKER_BUILD_IMAGE);
            assert.deepEqual(docker.object.registries, [{ address: "registry.example.com", username: "robot", password: secret(password) }]);
            assert.deepEqual(engine.registrations.flatMap((r) => plainOccurrences(r.object, password).map((p) => `${r.urn} ${p}`)), []);
            assert.deepEqual(engine.invokes, [], "no ECR token is needed for another registry");
        });
    });

    describe("Call of Repository.buildAndPushImage", () => {
        for (const { label: mode, dryRun } of MODES) {
            it(`${mode}: builds an Image under the repository and returns its digest-pinned URI`, async () => {
                const repository = await construct(REPOSITORY_COMPONENT, "svc", {}, dryRun);
                const self = resourceReference(repository.urn);
                const { outputs, failures } = await plugin.call(BUILD_AND_PUSH_IMAGE, { __self__: self, context: buildContext, tags: ["v1"] },
                    { dryRun, argDependencies: { __self__: [repository.urn] } });
                assertCleanDeployment();
                assert.deepEqual(failures, []);

                const image = engine.one(IMAGE_COMPONENT);
                assert.equal(image.name, "svc");
                assert.equal(image.parent, repository.urn);
                const docker = engine.one(DOCKER_BUILD_IMAGE);
                assert.equal(docker.parent, image.urn);
                const awsRepository = engine.one(ECR_REPOSITORY, (r) => r.parent === repository.urn);
                const url = dryRun ? UNKNOWN : `${ECR_HOST}/${awsRepository.outputs.name}`;
                // One unknown per tag in a preview: docker-build refuses a push whose whole tag list is unknown.
                assert.deepEqual(docker.object.tags, [dryRun ? UNKNOWN : `${url}:v1`]);
                assert.deepEqual(docker.object.context, { location: buildContext });
                // The repository's own login serves its build cache too; in a preview its URL is not known yet.
                assert.deepEqual(docker.object.registries, [dryRun
                    ? { address: UNKNOWN, username: UNKNOWN, password: secret(UNKNOWN) }
                    : { address: ECR_HOST, username: "AWS", password: secret(FAKE_PASSWORD) }]);
                assert.deepEqual(passwordLeaks(outputs), []);
                assert.deepEqual(outputs, { imageUri: dryRun ? UNKNOWN : `${url}@${docker.outputs.digest}` });
            });
        }
    });

    describe("invalid input", () => {
        it("fails Construct of Repository with INVALID_ARGUMENT and the TypeScript property paths and reasons, registering nothing", async () => {
            const inputs = {
                name: "Bad_Name",
                imageTagMutability: "SOMETIMES",
                lifeCyclePolicyArgs: { rules: [{ selection: "tagged-ish", maximumNumberOfImages: 0 }, { selection: { tagPrefixList: [] }, maximumAgeLimit: 3, maximumNumberOfImages: 2 }] },
            };
            const { Repository } = await import("../sdk/repository");
            const expected = inputErrorOf(() => new Repository("bad", inputs as any));
            assert.ok(expected.errors.length >= 4, "the example should break several properties");

            engine.beginDeployment({ dryRun: false });
            const failure = await PluginProcess.failure(plugin.construct(REPOSITORY_COMPONENT, "bad", inputs, { dryRun: false }));
            assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
            assert.deepEqual(failure.propertyErrors, expected.errors);
            // The headline only: the CLI lists each property's reason under it.
            assert.equal(failure.details, expected.message.split("\n")[0].replace(/:$/, ""));
            assert.equal(failure.details, 'Repository "bad" has 4 problems');
            assert.deepEqual(engine.registrations, []);
        });

        it("refuses encryption: [] (a list where an object belongs, as YAML or Python can send it) before anything registers", async () => {
            engine.beginDeployment({ dryRun: false });
            const failure = await PluginProcess.failure(plugin.construct(REPOSITORY_COMPONENT, "listed", { encryption: [] }, { dryRun: false }));
            assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
            assert.equal(failure.details, 'Repository "listed" has 1 problem');
            assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath), ["encryption"]);
            assert.match(failure.propertyErrors![0].reason, /^must be an object such as \{ type: "KMS", kmsKey: "arn:aws:kms:\.\.\." \}, but is \[\]\.$/);
            assert.deepEqual(engine.registrations, []);
        });

        it("fails Construct of Image with the TypeScript property paths and reasons", async () => {
            const inputs = { repositoryUrl: `${ECR_HOST}/web:v1`, context: path.join(buildContext, "missing"), platforms: ["amd64"] };
            const { Image } = await import("../sdk/image");
            const expected = inputErrorOf(() => new Image("broken", inputs as any));

            engine.beginDeployment({ dryRun: true });
            const failure = await PluginProcess.failure(plugin.construct(IMAGE_COMPONENT, "broken", inputs, { dryRun: true }));
            assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
            assert.deepEqual(failure.propertyErrors, expected.errors);
            assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath), ["context", "platforms[0]", "repositoryUrl"]);
            assert.equal(failure.details, 'Image "broken" has 3 problems');
            assert.deepEqual(engine.registrations, []);
        });
    });
});

/**
 * What the TypeScript component throws for the same input. The components check their arguments before they
 * register anything, so this needs no Pulumi engine (nor mocks).
 */
function inputErrorOf(construct: () => unknown): { message: string; errors: Array<{ propertyPath: string; reason: string }> } {
    try {
        construct();
    } catch (error) {
        if (pulumi.InputPropertiesError.isInstance(error)) {
            return { message: error.message, errors: error.errors.map(({ propertyPath, reason }) => ({ propertyPath, reason })) };
        }
        throw error;
    }
    throw new Error("expected the TypeScript component to reject the input");
}

describe('import "ecrx" from a program', () => {
    let programDir: string;

    before(function () {
        this.timeout(300_000);
        ensureBuilt();
        programDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-program-"));
        fs.mkdirSync(path.join(programDir, "node_modules"));
        // How `npm install ../ecrx` (a file: dependency) installs it: a symlink to the package root.
        fs.symlinkSync(ROOT, path.join(programDir, "node_modules", "ecrx"), "dir");
    });

    after(() => {
        if (programDir !== undefined) {
            fs.rmSync(programDir, { recursive: true, force: true });
        }
    });

    // `import "ecrx"` resolves through package.json's `exports`; a require of the package folder by path
    // through `main`, which run-plugin also loads to start the provider.
    const IMPORTS = [
        { label: 'require("ecrx")', specifier: "ecrx", resolved: path.join(ROOT, "dist", "sdk", "index.js") },
        { label: "require(<path to ecrx>)", specifier: ROOT, resolved: path.join(ROOT, "dist", "provider", "package-entry.js") },
    ];
    for (const { label, specifier, resolved } of IMPORTS) {
        it(`${label} loads the compiled SDK, starts nothing, prints nothing and exits on its own`, function () {
            this.timeout(60_000);
            const resultFile = path.join(programDir, "result.json");
            const program = `
                const fs = require("fs");
                const ecrx = require(${JSON.stringify(specifier)});
                fs.writeFileSync(process.env.RESULT_FILE, JSON.stringify({
                    resolved: require.resolve(${JSON.stringify(specifier)}),
                    exports: Object.keys(ecrx).sort(),
                    types: { Repository: typeof ecrx.Repository, Image: typeof ecrx.Image, buildAndPushImage: typeof ecrx.buildAndPushImage, lifecycle: typeof ecrx.lifecycle },
                    providerModules: Object.keys(require.cache).filter((file) => file.includes("/dist/provider/") && !file.endsWith("/package-entry.js")),
                    activeResources: process.getActiveResourcesInfo(),
                }));`;
            const started = Date.now();
            const child = spawnSync(process.execPath, ["-e", program], {
                cwd: programDir,
                env: { ...process.env, RESULT_FILE: resultFile },
                encoding: "utf8",
                timeout: 45_000,
            });
            const elapsed = Date.now() - started;
            assert.equal(child.signal, null, `the program did not exit by itself within 45 s (killed after ${elapsed} ms)`);
            assert.equal(child.status, 0, child.stderr);
            assert.equal(child.stdout, "", "importing ecrx printed to stdout");
            assert.equal(child.stderr, "", "importing ecrx printed to stderr");

            const result = JSON.parse(fs.readFileSync(resultFile, "utf8"));
            assert.equal(result.resolved, resolved);
            assert.deepEqual(result.types, { Repository: "function", Image: "function", buildAndPushImage: "function", lifecycle: "object" });
            assert.deepEqual(result.providerModules, [], "the provider was loaded");
            // Only the stdio pipes, which @pulumi/pulumi itself opens by looking at process.stdout and stderr.
            const leftBehind = result.activeResources.filter((r: string) => r !== "PipeWrap" && r !== "TTYWrap");
            assert.deepEqual(leftBehind, [], "importing ecrx left sockets, servers or timers behind");
        });
    }
});
