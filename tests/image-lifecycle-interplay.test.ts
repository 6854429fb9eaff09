// The proof issue #3 asks for: with the default Repository and the default buildAndPushImage, three
// successive deployments leave the image of deployment N-1 (which the previous ECS task definition or Lambda
// version is pinned to by digest) in place, and let older ones go.
//
// Nothing here restates the design. Each deployment runs the program against the mocked engine; what it pushes
// is read from the *registered* docker-build inputs (every ref in `tags`, every registry ref in `cacheTo`), and
// which images go is decided by the lifecycle simulator running the *registered* LifecyclePolicy JSON of each
// repository against a model of that repository's images (describe-images shaped).
//
// The registry model follows ECR: a push stores one new manifest (one platform, and docker-build's embedded
// builder adds no provenance attestation) with the deployment's push time; pushing a tag moves it, so the
// manifest that held it becomes untagged. BuildKit runs the image exporter before the cache exporters, so a
// registry cache export is pushed just after the image.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Image, Repository } from "../sdk";
import { LifecycleImage, simulate, SimulationResult } from "../sdk/lifecycle";
import { fakeDigest, isSecretWrapper, settle, valueOf } from "../sdk/testing";
import { installMocks, MockCloud } from "./support/mocks";
import { DOCKER_BUILD_IMAGE, LIFECYCLE_POLICY } from "./support/tokens";

type Ecrx = typeof import("../sdk");

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const FIRST_DEPLOYMENT = Date.parse("2025-03-03T09:00:00Z");

/** One manifest in the model registry. */
interface StoredManifest {
    digest: string;
    tags: string[];
    pushedAt: number;
    /** What it is, for messages: "image of deployment 2", "cache of deployment 1". */
    label: string;
}

/** Repository name and tag of a pushed reference `<host>/<name>:<tag>`. */
function parseRef(ref: string): { repository: string; tag: string } {
    const slash = ref.indexOf("/");
    const colon = ref.lastIndexOf(":");
    assert.ok(slash > 0 && colon > slash, `a pushed reference is <host>/<name>:<tag>, but got ${ref}`);
    return { repository: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
}

/** ECR as far as lifecycle policies see it: per repository, manifests with their tags and push times. */
class ModelRegistry {
    private readonly repositories = new Map<string, StoredManifest[]>();

    /** Pushes a new manifest to `ref`, moving the tag from whichever manifest held it. */
    push(ref: string, digest: string, at: number, label: string): void {
        const { repository, tag } = parseRef(ref);
        const manifests = this.repositories.get(repository) ?? [];
        this.repositories.set(repository, manifests);
        for (const manifest of manifests) {
            manifest.tags = manifest.tags.filter((t) => t !== tag);
        }
        const existing = manifests.find((m) => m.digest === digest);
        if (existing !== undefined) {
            existing.tags.push(tag);
        } else {
            manifests.push({ digest, tags: [tag], pushedAt: at, label });
        }
    }

    repositoryNames(): string[] {
        return [...this.repositories.keys()].sort();
    }

    manifests(repository: string): StoredManifest[] {
        return this.repositories.get(repository) ?? [];
    }

    /** The repository's images as `aws ecr describe-images` lists them. */
    describeImages(repository: string): LifecycleImage[] {
        return this.manifests(repository).map((m) => ({
            imageDigest: m.digest,
            ...(m.tags.length > 0 ? { imageTags: [...m.tags] } : {}),
            imagePushedAt: new Date(m.pushedAt).toISOString(),
        }));
    }

    remove(repository: string, digests: Set<string>): void {
        this.repositories.set(repository, this.manifests(repository).filter((m) => !digests.has(m.digest)));
    }
}

/** One deployment's outcome. */
interface Deployment {
    number: number;
    /** What the deployment hands to ECS, EKS or Lambda. */
    imageUri: string;
    digest: string;
    /** The digest of the cache manifest it exported. */
    cacheDigest: string;
    /** Per repository name: what its registered lifecycle policy decided, evaluated 12 hours after the deployment. */
    lifecycle: Map<string, SimulationResult>;
}

describe("Image and the default lifecycle policy over successive deployments", function () {
    let ecrx: Ecrx;
    let cloud: MockCloud;
    const madeDirs: string[] = [];

    before(async () => {
        cloud = installMocks();
        ecrx = await import("../sdk");
    });
    after(() => {
        for (const dir of madeDirs.splice(0)) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    /** A new version of the application's source: its own context, so docker-build reports a new digest. */
    function newSource(number: number): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ecrx-deployment-${number}-`));
        madeDirs.push(dir);
        fs.writeFileSync(path.join(dir, "Dockerfile"), `FROM public.ecr.aws/docker/library/alpine:3.20\nRUN echo "release ${number}" > /release\n`);
        return dir;
    }

    /**
     * Runs `program` as deployment `number` (one a day), pushes what it registered into `registry`, then lets each
     * registered lifecycle policy act on its repository 12 hours later. `cacheOffset`: when the cache export is
     * pushed relative to the image.
     */
    async function deploy(number: number, registry: ModelRegistry, program: (context: string) => Image, cacheOffset = 60_000): Promise<Deployment> {
        cloud.reset();
        const image = program(newSource(number));
        await settle();
        const inputs = cloud.one(DOCKER_BUILD_IMAGE).inputs;
        assert.ok(isSecretWrapper(inputs.registries));
        assert.equal(inputs.push, true);
        const at = FIRST_DEPLOYMENT + (number - 1) * DAY;
        const digest = await valueOf(image.digest);
        const cacheDigest = fakeDigest(`build cache exported by deployment ${number}`);
        for (const ref of inputs.tags as string[]) {
            registry.push(ref, digest, at, `image of deployment ${number}`);
        }
        for (const cacheTo of (inputs.cacheTo ?? []) as Array<{ registry?: { ref: string } }>) {
            assert.ok(cacheTo.registry !== undefined, "the model covers registry caches");
            registry.push(cacheTo.registry.ref, cacheDigest, at + cacheOffset, `cache of deployment ${number}`);
        }

        const policies = new Map<string, string>(cloud.ofType(LIFECYCLE_POLICY).map((r) => [r.inputs.repository, r.inputs.policy]));
        const lifecycle = new Map<string, SimulationResult>();
        for (const repository of registry.repositoryNames()) {
            const policy = policies.get(repository);
            assert.ok(policy !== undefined, `every repository pushed to has a registered lifecycle policy, but ${repository} has none`);
            const result = simulate(JSON.parse(policy), registry.describeImages(repository), { now: new Date(at + 12 * HOUR).toISOString() });
            lifecycle.set(repository, result);
            registry.remove(repository, new Set(result.images.filter((i) => i.action === "expire").map((i) => i.imageDigest)));
        }
        return { number, imageUri: await valueOf(image.imageUri), digest, cacheDigest, lifecycle };
    }

    /** Three deployments of `program`, each starting from the registry the previous one left. */
    async function threeDeployments(program: (context: string) => Image, cacheOffset?: number) {
        const registry = new ModelRegistry();
        const deployments: Deployment[] = [];
        for (const number of [1, 2, 3]) {
            deployments.push(await deploy(number, registry, program, cacheOffset));
        }
        assert.equal(new Set(deployments.map((d) => d.digest)).size, 3, "each deployment pushed new content");
        return { registry, deployments };
    }

    /** The labels of the manifests a repository holds, oldest first, with their tags. */
    function holdings(registry: ModelRegistry, repository: string): string[] {
        return registry.manifests(repository).map((m) => `${m.label} [${m.tags.join(",")}]`);
    }

    /** digest → action, for one repository's simulation. */
    function actions(result: SimulationResult | undefined): Map<string, string> {
        assert.ok(result !== undefined, "the repository's policy was evaluated");
        return new Map(result.images.map((i) => [i.imageDigest, i.action]));
    }

    const defaultProgram = (context: string): Image => new ecrx.Repository("app").buildAndPushImage(context);
    const APP = "app-abc1234";
    const CACHE = `${APP}/build-cache`;

    for (const [order, cacheOffset] of [["the cache exported just after the image (BuildKit's order)", 60_000], ["the cache pushed first", -60_000]] as const) {
        it(`default Repository + default buildAndPushImage keeps deployment N-1's image and lets older ones go (${order})`, async () => {
            const { registry, deployments } = await threeDeployments(defaultProgram, cacheOffset);
            const [first, second, third] = deployments;
            assert.deepEqual(registry.repositoryNames(), [APP, CACHE], "images and caches go to two repositories");

            // After each deployment: its own image (tagged latest) and the previous one (untagged) are there, nothing older.
            assert.deepEqual([...actions(first.lifecycle.get(APP)).values()], ["keep"]);
            assert.deepEqual([...actions(second.lifecycle.get(APP))], [[first.digest, "keep"], [second.digest, "keep"]]);
            assert.deepEqual([...actions(third.lifecycle.get(APP))], [[first.digest, "expire"], [second.digest, "keep"], [third.digest, "keep"]]);

            const expired = third.lifecycle.get(APP)!.images.find((i) => i.imageDigest === first.digest)!;
            assert.equal(expired.rulePriority, 1, "the default rule (keep at most one untagged image) expired it");
            assert.deepEqual(holdings(registry, APP), ["image of deployment 2 []", "image of deployment 3 [latest]"]);

            // The running service and its rollback target both still resolve.
            assert.equal(third.imageUri, `123456789012.dkr.ecr.us-west-2.amazonaws.com/${APP}@${third.digest}`);
            const present = new Set(registry.manifests(APP).map((m) => m.digest));
            for (const pinned of [second.imageUri, third.imageUri]) {
                assert.ok(present.has(pinned.slice(pinned.indexOf("@") + 1)), `${pinned} is still in the repository`);
            }
            assert.ok(!present.has(first.digest));
        });
    }

    it("the cache repository's policy only expires superseded caches, never the current one", async () => {
        const { registry, deployments } = await threeDeployments(defaultProgram);
        const cacheDigests = new Set(deployments.map((d) => d.cacheDigest));
        for (const deployment of deployments) {
            const result = deployment.lifecycle.get(CACHE);
            assert.ok(result !== undefined);
            for (const image of result.images) {
                assert.ok(cacheDigests.has(image.imageDigest), "only caches are stored there");
                if (image.action === "expire") {
                    assert.deepEqual(image.imageTags, [], `${image.imageDigest} was superseded (untagged) when it expired`);
                    assert.notEqual(image.imageDigest, deployment.cacheDigest);
                }
            }
            assert.equal(actions(result).get(deployment.cacheDigest), "keep", `deployment ${deployment.number}'s cache is kept`);
        }
        // The superseded caches did go: each a day after it was superseded.
        assert.deepEqual(deployments.map((d) => d.lifecycle.get(CACHE)!.summary.expire), [0, 1, 1]);
        assert.deepEqual(holdings(registry, CACHE), ["cache of deployment 3 [buildcache]"]);
    });

    it("contrast: the same cache kept in the application repository expires the image deployment N-1 is pinned to", async () => {
        // The registry cache the component would use, pointed into the application repository instead.
        const sameRepositoryCache = (context: string): Image => {
            const repo: Repository = new ecrx.Repository("app");
            const ref = pulumi.interpolate`${repo.repositoryUrl}:buildcache`;
            return repo.buildAndPushImage({
                context,
                cacheFrom: [{ registry: { ref } }],
                cacheTo: [{ registry: { ref, mode: "max", imageManifest: true, ociMediaTypes: true } }],
            });
        };
        const { registry, deployments } = await threeDeployments(sameRepositoryCache);
        const [first, second, third] = deployments;
        assert.deepEqual(registry.repositoryNames(), [APP]);
        // The superseded cache is newer than the superseded image, so it takes the one untagged slot.
        assert.equal(actions(second.lifecycle.get(APP)).get(first.digest), "expire", "deployment 1 goes as soon as deployment 2 lands");
        assert.equal(actions(third.lifecycle.get(APP)).get(second.digest), "expire", "deployment 2, which the previous task definition runs, goes");
        assert.deepEqual(holdings(registry, APP),
            ["cache of deployment 2 []", "image of deployment 3 [latest]", "cache of deployment 3 [buildcache]"]);
        assert.ok(!registry.manifests(APP).some((m) => m.digest === second.digest), `${second.imageUri} no longer resolves: a rollback would fail`);
    });
});
