// One service's life on the real engine: first deployment, a no-op, a changed context, a replaced
// Image, the secrets in the state, the live lifecycle plan and destroy. Each step asserts on what the
// engine, the registry and moto report. The steps build on each other, so they run in order.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ProgramStack, recordedImages, REPO_ROOT, runInSandbox, sandboxEnv, SandboxRegistry, storedLifecyclePolicy,
} from "./support/sandbox";

const BUILD_TOKEN = "build-token-e2e-7c1f9a";
const IMAGE_TYPE = "docker-build:index:Image";
const TASK_TYPE = "aws:ecs/taskDefinition:TaskDefinition";

describe("a service's life on the real engine", function () {
    let stack: ProgramStack;
    const registry = new SandboxRegistry();
    let first: Record<string, any>;
    let second: Record<string, any>;

    before(() => {
        stack = ProgramStack.create(path.join(__dirname, "programs", "app"), { secrets: { buildToken: BUILD_TOKEN } });
    });

    after(() => stack?.dispose());

    const repositoryName = () => first.repositoryName as string;
    const digestOf = (imageUri: string) => imageUri.slice(imageUri.indexOf("@") + 1);

    it("1. preview shows the tree: the Repository, its ECR children, the Image with its cache repository, and the task definition", () => {
        const preview = stack.previewJson();
        const created = preview.steps.filter((s) => s.op === "create").map((s) => s.urn.slice(s.urn.lastIndexOf("::") + 2));
        const types = preview.steps.map((s) => s.urn.split("::")[2]);
        for (const type of [
            "ecrx:index:Repository", "ecrx:index:Repository$aws:ecr/repository:Repository",
            "ecrx:index:Repository$aws:ecr/lifecyclePolicy:LifecyclePolicy", "ecrx:index:Repository$ecrx:index:Image",
            `ecrx:index:Repository$ecrx:index:Image$${IMAGE_TYPE}`, "ecrx:index:Repository$ecrx:index:Image$ecrx:index:Repository",
            TASK_TYPE,
        ]) {
            assert.ok(types.includes(type), `the preview has a ${type}; it has ${types.join(", ")}`);
        }
        assert.ok(created.includes("app-cache"), "the cache repository is its own Repository");
        assert.deepEqual(preview.steps.filter((s) => s.op !== "create").map((s) => s.op), [], "a first preview only creates");
    });

    it("1. up builds with BuildKit and pushes: the registry holds the manifest of imageUri's digest, and moto the exact policy text", async () => {
        stack.up();
        first = stack.outputs();
        assert.match(first.imageUri, new RegExp(`^${sandboxEnv().ECRX_SANDBOX_REGISTRY.replace(/\./g, "\\.")}/[a-z0-9-]+@sha256:[0-9a-f]{64}$`));
        const manifest = await registry.manifest(repositoryName(), digestOf(first.imageUri));
        assert.ok(manifest, `the registry has ${first.imageUri}`);
        assert.equal(manifest.digest, digestOf(first.imageUri), "the digest ecrx reports is the registry's own");
        const latest = await registry.manifest(repositoryName(), "latest");
        assert.equal(latest?.digest, first.digest, "the tag latest points at the pushed digest");

        assert.equal(await storedLifecyclePolicy(repositoryName()), first.lifecyclePolicyText,
            "moto holds the lifecycle policy byte for byte as ecrx rendered it");

        const task = stack.resource(TASK_TYPE);
        assert.equal(JSON.parse(task.inputs!.containerDefinitions)[0].image, first.imageUri, "the consumer runs the image by digest");
    });

    it("1. the build cache went to the cache repository as an OCI image manifest (imageManifest, ociMediaTypes, mode=max)", async () => {
        const cacheName = SandboxRegistry.nameOf(first.cacheRepositoryUrl);
        assert.equal(cacheName, `${repositoryName()}/build-cache`);
        const cache = await registry.manifest(cacheName, "buildcache");
        assert.ok(cache, "the cache repository has the tag buildcache");
        assert.equal(cache.mediaType, "application/vnd.oci.image.manifest.v1+json", "an image manifest, not an index: ECR refuses cache indexes");
        assert.equal(cache.body.config.mediaType, "application/vnd.buildkit.cacheconfig.v0");
        assert.ok(cache.body.layers.length >= 2, `mode=max exports the layers of every step, not only the result's: ${cache.body.layers.length}`);
        assert.deepEqual(await registry.tags(repositoryName()), ["latest"], "no cache in the application repository");
    });

    it("2. up again changes nothing and builds nothing", async () => {
        const preview = stack.previewJson();
        assert.deepEqual(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`), [], "every step is the same");
        const result = stack.up();
        assert.doesNotMatch(result.output, /\b(updated|created|replaced|deleted)\b/, "the up reports no change");
        assert.equal(stack.outputs().digest, first.digest);
    });

    it("3. a changed file in the context: a new digest, the consumer updated, the previous digest still in the registry", async () => {
        fs.writeFileSync(path.join(stack.dir, "context", "message.txt"), "second build\n");
        stack.up();
        second = stack.outputs();
        assert.notEqual(second.digest, first.digest);
        const task = stack.resource(TASK_TYPE);
        assert.equal(JSON.parse(task.inputs!.containerDefinitions)[0].image, second.imageUri, "the task definition runs the new digest");
        assert.ok(await registry.manifest(repositoryName(), first.digest), "the previous image stays for running tasks and rollbacks");
        assert.equal((await registry.manifest(repositoryName(), "latest"))?.digest, second.digest);
    });

    it("4. a replaced Image (renamed without an alias) leaves every manifest it pushed in the registry", async () => {
        stack.pulumiOk(["config", "set", "imageName", "web"]);
        const result = stack.up();
        assert.match(result.output, /deleted|replaced/, "the engine deleted the old Image");
        const images = stack.resources().filter((r) => r.type === IMAGE_TYPE);
        assert.deepEqual(images.map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2)), ["web"]);
        for (const digest of [first.digest, second.digest]) {
            assert.ok(await registry.manifest(repositoryName(), digest), `${digest} survives the deletion of the Image that pushed it`);
        }
        assert.ok((await registry.tags(repositoryName())).includes("latest"));
    });

    it("6. the state holds neither the registry password nor the build secret in plain text", () => {
        const state = stack.exportText();
        assert.ok(!state.includes(sandboxEnv().ECRX_SANDBOX_REGISTRY_PASSWORD), "no registry password");
        assert.ok(!state.includes(BUILD_TOKEN), "no build secret");
        assert.match(state, /4dabf18193072939515e22adb298388d/, "the secrets are there, encrypted");
    });

    it("8. ecrx lifecycle plan --repository reads the live repository from moto", () => {
        const result = runInSandbox("node", [path.join(REPO_ROOT, "bin", "ecrx.js"), "lifecycle", "plan", "--repository", repositoryName(), "--format", "json"], REPO_ROOT);
        assert.equal(result.code, 0, result.output);
        const plan = JSON.parse(result.stdout);
        const digests = JSON.stringify(plan);
        for (const digest of [first.digest, second.digest]) {
            assert.ok(digests.includes(digest), `the plan covers ${digest}`);
        }
    });

    it("7. destroy with forceDelete false fails with ECR's not-empty error and loses nothing", async () => {
        const before = await recordedImages(repositoryName());
        assert.ok(before.length >= 2, `moto records the pushed images: ${before.length}`);
        const result = stack.pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.notEqual(result.code, 0, "destroy fails");
        assert.match(result.output, /RepositoryNotEmptyException/);
        assert.ok(await registry.manifest(repositoryName(), first.digest), "the images are still in the registry");
        assert.equal((await recordedImages(repositoryName())).length, before.length, "and in ECR");
        assert.ok(stack.resources().some((r) => r.type === "aws:ecr/repository:Repository" && r.urn.endsWith("::app")), "the repository is still in the state");
    });

    it("7. with forceDelete true, destroy succeeds", () => {
        stack.pulumiOk(["config", "set", "forceDelete", "true"]);
        stack.up();
        stack.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        assert.deepEqual(stack.resources(), []);
    });
});
