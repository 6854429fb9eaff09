// `simulate(policy, images, { inUse })`: what runs an image travels with the verdict, and the reason of an
// image in use that a rule would expire or archive names who uses it. And the CLI's matching of workloads'
// image references to one repository's digests: tags, digests, index children, other registries.
import { strict as assert } from "node:assert";
import { ImageUser, LifecycleImage, PolicyDocument, simulate, ValidationError } from "../sdk/lifecycle";
import { matchReferences } from "../cli/in-use/match";
import { parseImageReference } from "../cli/in-use/reference";
import { FoundReference } from "../cli/in-use/source";

const NOW = "2025-06-01T00:00:00Z";
const digest = (character: string) => `sha256:${character.repeat(64)}`;
const image = (character: string, tags: string[], pushedAt: string, extra: Partial<LifecycleImage> = {}): LifecycleImage =>
    ({ imageDigest: digest(character), imageTags: tags, imagePushedAt: pushedAt, ...extra });

const KEEP_ONE_RELEASE: PolicyDocument = {
    rules: [
        { rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["release"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "tagged", tagPrefixList: ["cold"], countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "transition", targetStorageClass: "archive" } },
    ],
};

const API: ImageUser = { kind: "ecs", name: "service api", detail: "in cluster prod (task definition api:42)" };
const BATCH: ImageUser = { kind: "batch-job", name: "nightly", detail: "" };

describe("lifecycle.simulate with inUse", () => {
    const images = [
        image("a", ["release-1"], "2025-05-01T00:00:00Z"),
        image("b", ["release-2"], "2025-05-02T00:00:00Z"),
        image("c", ["release-3"], "2025-05-03T00:00:00Z"),
        image("d", ["cold-1"], "2025-05-03T00:00:00Z"),
        image("e", [], "2025-05-01T00:00:00Z", { subjectManifestDigest: digest("a") }),
    ];

    it("keeps the action ECR would take, and names the users of images in use that it would expire or archive", () => {
        const result = simulate(KEEP_ONE_RELEASE, images, {
            now: NOW,
            inUse: { [digest("a")]: [API, BATCH], [digest("c")]: [API], [digest("d")]: [BATCH] },
        });
        const byDigest = Object.fromEntries(result.images.map((verdict) => [verdict.imageDigest, verdict]));
        assert.equal(byDigest[digest("a")].action, "expire");
        assert.deepEqual(byDigest[digest("a")].inUse, [API, BATCH]);
        assert.equal(byDigest[digest("a")].reason,
            "rule 1 (tag prefix release, keep newest 1): 3rd newest of 3 matching, beyond the newest 1; in use by ECS service api in cluster prod (task definition api:42) and 1 more");
        assert.equal(byDigest[digest("d")].action, "archive");
        assert.match(byDigest[digest("d")].reason, /: pushed 29 days ago, more than 1 day; in use by batch-job nightly$/, "a kind the simulator does not know is shown as given");
        assert.equal(byDigest[digest("c")].inUse, undefined, "c is kept: nothing breaks, so nothing is flagged");
        assert.equal(byDigest[digest("b")].inUse, undefined);
        assert.equal(byDigest[digest("e")].inUse, undefined, "a referrer is flagged only when it is in use itself");
        assert.deepEqual(result.summary, { expire: 3, archive: 1, keep: 1 }, "being in use changes no action");
        assert.deepEqual(Object.keys(byDigest[digest("a")]), ["imageDigest", "imageTags", "imagePushedAt", "action", "rulePriority", "reason", "inUse"]);
    });

    it("gives the same result as without inUse when nothing in use is at risk, and allows digests of other repositories", () => {
        const plain = simulate(KEEP_ONE_RELEASE, images, { now: NOW });
        const withUsers = simulate(KEEP_ONE_RELEASE, images, { now: NOW, inUse: { [digest("c")]: [API], [digest("z")]: [BATCH] } });
        assert.deepEqual(withUsers, plain);
    });

    it("lists every problem of a malformed inUse map", () => {
        assert.throws(() => simulate(KEEP_ONE_RELEASE, images, {
            inUse: { [digest("a")]: [{ kind: "", name: "x", detail: "" }, "api"], [digest("b")]: "api", [digest("c")]: [{ kind: "ecs", name: "api" }] } as never,
        }), (error: unknown) => {
            assert.ok(ValidationError.isInstance(error));
            assert.deepEqual(error.problems.map((problem) => problem.propertyPath), [
                `options.inUse.${digest("a")}[0].kind`,
                `options.inUse.${digest("a")}[1]`,
                `options.inUse.${digest("b")}`,
                `options.inUse.${digest("c")}[0].detail`,
            ]);
            assert.match(error.problems[0].reason, /^must be a non-empty string, such as "ecs", but is ""\.$/);
            return true;
        });
        assert.throws(() => simulate(KEEP_ONE_RELEASE, images, { inUse: [] as never }), /options\.inUse: must map image digests to lists of users/);
    });
});

describe("in-use matching of image references", () => {
    const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    const found = (image: string, name = "service api"): FoundReference => ({ image, kind: "ecs", name, where: "in cluster prod", via: ["container web"] });
    const contents = {
        id: { registryId: "123456789012", region: "eu-west-1", repository: "team/app" },
        images: [
            { imageDigest: digest("1"), imageTags: ["v1", "latest"] },
            { imageDigest: digest("c") },
            { imageDigest: digest("d") },
            { imageDigest: digest("b"), imageTags: ["v2"] },
        ],
        indexChildren: { [digest("1")]: [digest("c"), digest("d")] },
    };

    it("parses the forms workloads and container runtimes write", () => {
        assert.deepEqual(parseImageReference(`${REGISTRY}/team/app:v1`), { registry: REGISTRY, repository: "team/app", tag: "v1" });
        assert.deepEqual(parseImageReference(`docker-pullable://${REGISTRY}/team/app@${digest("1")}`), { registry: REGISTRY, repository: "team/app", digest: digest("1") });
        assert.deepEqual(parseImageReference(`localhost:5000/app:v1@${digest("1")}`), { registry: "localhost:5000", repository: "app", tag: "v1", digest: digest("1") });
        assert.equal(parseImageReference("nginx"), undefined);
        assert.equal(parseImageReference(digest("1")), undefined, "a bare image id names no repository");
    });

    it("matches tags to the digest they point to now, digests to themselves, and index and children to each other's users", () => {
        const matches = matchReferences([
            found(`${REGISTRY}/team/app:v2`),
            found(`${REGISTRY}/team/app@${digest("1")}`, "service worker"),
            found(`${REGISTRY}/team/app`, "service default-tag"),
        ], contents);
        assert.deepEqual(matches.inUse[digest("b")], [{ kind: "ecs", name: "service api", detail: "in cluster prod (container web, tag v2, as it points now)" }]);
        assert.deepEqual(matches.inUse[digest("1")].map((user) => user.name), ["service default-tag", "service worker"]);
        assert.deepEqual(matches.inUse[digest("c")], [
            { kind: "ecs", name: "service default-tag", detail: `in cluster prod (container web, tag latest, as it points now, through index sha256:111111111111)` },
            { kind: "ecs", name: "service worker", detail: "in cluster prod (container web, through index sha256:111111111111)" },
        ]);
        assert.deepEqual(matches.inUse[digest("d")].length, 2);
        const child = matchReferences([found(`${REGISTRY}/team/app@${digest("c")}`, "service arm64-only")], contents);
        assert.deepEqual(child.inUse[digest("1")], [{ kind: "ecs", name: "service arm64-only", detail: "in cluster prod (container web, child sha256:cccccccccccc of this index)" }],
            "expiring the index would take the child it pulls along");
        assert.equal(matches.byTag, 2);
        assert.deepEqual(matches.missing, []);
    });

    it("ignores other accounts, regions and repositories, and reports references to images the repository lacks", () => {
        const matches = matchReferences([
            found(`210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app@${digest("1")}`),
            found(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app@${digest("1")}`),
            found(`${REGISTRY}/team/other:v1`),
            found(`123456789012.dkr-ecr.eu-west-1.on.aws/team/app:v1`, "service dual-stack"),
            found(`${REGISTRY}/team/app:v9`, "service stale"),
            found(`${REGISTRY}/team/app@${digest("9")}`, "service deleted"),
        ], contents);
        assert.deepEqual(Object.keys(matches.inUse).sort(), [digest("1"), digest("c"), digest("d")].sort());
        assert.deepEqual(matches.inUse[digest("1")].map((user) => user.name), ["service dual-stack"]);
        assert.deepEqual(matches.missing, [
            "ECS service deleted in cluster prod (container web) uses team/app@sha256:999999999999",
            "ECS service stale in cluster prod (container web) uses team/app:v9",
        ]);
    });
});
