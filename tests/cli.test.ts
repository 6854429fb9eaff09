// `ecrx lifecycle plan`, run as a user runs it: on files in a temporary folder, and live against a fake
// ECR endpoint on 127.0.0.1 that the real AWS SDK signs its requests for. Most runs call `main` in-process
// for speed; two spawn a real `node` to prove the exit codes and streams of the actual process.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parsePolicyDocument, PolicyDocument, simulate, ValidationError } from "../sdk/lifecycle";
import { assertFailsWith, DUMMY_CREDENTIALS, isolatedAwsEnv, runCli, spawnCli, withEnv } from "./support/cli";
import { FakeEcr, FakeImage, FakePreview, FakeRepository, startFakeEcr } from "./support/fake-ecr";

const NOW = "2025-06-01T12:00:00Z";
const NOW_SECONDS = Date.parse(NOW) / 1000;
const DAY_SECONDS = 24 * 60 * 60;
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

function digest(character: string): string {
    return `sha256:${character.repeat(64)}`;
}

const PROD_THEN_BETA: PolicyDocument = {
    rules: [
        { rulePriority: 1, description: "one prod", selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "tagged", tagPrefixList: ["beta"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
    ],
};

/** describe-images output as the AWS CLI prints it: v2 ISO times, one v1-style epoch time, extra fields. */
const DESCRIBE_IMAGES = {
    imageDetails: [
        { registryId: "123456789012", repositoryName: "app", imageDigest: digest("a"), imageTags: ["beta-1", "prod-1"], imageSizeInBytes: 1000, imagePushedAt: "2025-05-22T12:00:00+00:00" },
        { registryId: "123456789012", repositoryName: "app", imageDigest: digest("b"), imageTags: ["beta-2", "prod-2"], imageSizeInBytes: 1000, imagePushedAt: NOW_SECONDS - 9 * DAY_SECONDS },
        { registryId: "123456789012", repositoryName: "app", imageDigest: digest("c"), imageTags: ["beta-3"], imageSizeInBytes: 1000, imagePushedAt: "2025-05-24T12:00:00.000000+00:00" },
    ],
};

describe("ecrx lifecycle plan, offline", () => {
    let folder: string;
    const file = (name: string, content: unknown) => {
        const target = path.join(folder, name);
        writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content, null, 2));
        return target;
    };
    let policyFile: string;
    let imagesFile: string;
    const plan = (...extra: string[]) => ["lifecycle", "plan", "--policy", policyFile, "--images", imagesFile, "--now", NOW, ...extra];

    before(() => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-cli-"));
        policyFile = file("policy.json", PROD_THEN_BETA);
        imagesFile = file("images.json", DESCRIBE_IMAGES);
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    it("prints a table of every image, oldest first, with a summary, and no colour off a terminal", async () => {
        const run = await runCli(plan());
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, "");
        const lines = run.stdout.split("\n");
        assert.match(lines[0], /^DIGEST\s+TAGS\s+PUSHED\s+ACTION\s+RULE\s+REASON$/);
        assert.match(lines[1], /^sha256:aaaaaaaaaaaa {2}beta-1, prod-1 {2}2025-05-22 12:00:00Z {2}expire {2}1 {5}rule 1 \(tag prefix prod, keep newest 1\): 2nd newest of 2 matching, beyond the newest 1$/);
        assert.match(lines[2], /^sha256:bbbbbbbbbbbb .* 2025-05-23 12:00:00Z {2}keep {4}1 .*rule 2 would expire it, but rule 1 selected it first$/);
        assert.match(lines[3], /^sha256:cccccccccccc {2}beta-3 .* keep {4}2 {5}rule 2 \(tag prefix beta, keep newest 1\): newest of 3 matching, within the newest 1$/);
        assert.equal(lines[5], "3 images: 1 to expire, 0 to archive, 2 to keep (evaluated at 2025-06-01T12:00:00.000Z)");
        assert.doesNotMatch(run.stdout, /\x1b\[/);
    });

    it("colours the action column on a terminal, unless NO_COLOR is set", async () => {
        const coloured = await runCli(plan(), { tty: true });
        assert.ok(coloured.stdout.includes("\x1b[31mexpire\x1b[0m"), coloured.stdout);
        assert.ok(coloured.stdout.includes("\x1b[32mkeep  \x1b[0m"));
        const plain = await runCli(plan(), { tty: true, env: { NO_COLOR: "1" } });
        assert.doesNotMatch(plain.stdout, /\x1b\[/);
    });

    it("prints the simulation result as JSON, the same for a get-lifecycle-policy file and a bare image list", async () => {
        const expected = JSON.parse(JSON.stringify(simulate(PROD_THEN_BETA, DESCRIBE_IMAGES.imageDetails, { now: NOW })));
        const json = await runCli(plan("--format", "json"));
        assert.equal(json.code, 0, json.stderr);
        const parsed = JSON.parse(json.stdout);
        assert.deepEqual(parsed, expected);
        assert.deepEqual(parsed.images.filter((image: { action: string }) => image.action === "expire").map((image: { imageDigest: string }) => image.imageDigest), [digest("a")]);
        assert.equal(parsed.images[1].imagePushedAt, NOW_SECONDS - 9 * DAY_SECONDS, "push times come back as the file gave them");

        const storedPolicy = file("stored.json", { registryId: "123456789012", repositoryName: "app", lifecyclePolicyText: JSON.stringify(PROD_THEN_BETA) });
        const bareList = file("list.json", DESCRIBE_IMAGES.imageDetails);
        const other = await runCli(["lifecycle", "plan", "--policy", storedPolicy, "--images", bareList, "--now", String(NOW_SECONDS), "--format", "json"]);
        assert.deepEqual(JSON.parse(other.stdout), expected);
    });

    it("--fail-on-expire exits with 2 and names the guarded images when one would expire", async () => {
        const tripped = await runCli(plan("--fail-on-expire", "release-*", "--fail-on-expire", "prod*"));
        assert.equal(tripped.code, 2);
        assert.match(tripped.stdout, /^DIGEST/, "the plan is still printed");
        assert.equal(tripped.stderr, "ecrx: --fail-on-expire: 1 image tagged like release-* or prod* would expire: sha256:aaaaaaaaaaaa (beta-1, prod-1)\n");
        const kept = await runCli(plan("--fail-on-expire", "beta-3"));
        assert.equal(kept.code, 0, "beta-3 is kept, so the guard holds");
        assert.equal(kept.stderr, "");
    });

    it("protects index children given by --index-children, and warns when indexes have none", async () => {
        const images = file("indexed.json", {
            imageDetails: [
                { imageDigest: digest("1"), imageTags: ["v1"], imagePushedAt: "2025-05-20T00:00:00Z", imageManifestMediaType: OCI_INDEX },
                { imageDigest: digest("2"), imagePushedAt: "2025-05-20T00:00:00Z" },
                { imageDigest: digest("3"), imagePushedAt: "2025-05-30T00:00:00Z" },
            ],
        });
        const untagged = file("untagged.json", { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }] });
        const args = ["lifecycle", "plan", "--policy", untagged, "--images", images, "--now", NOW, "--format", "json"];
        const unaware = await runCli(args);
        assert.match(unaware.stderr, /^ecrx: warning: 1 image is an image index \(multi-architecture\) whose children describe-images does not list/);
        assert.equal(JSON.parse(unaware.stdout).summary.expire, 1);

        const children = file("children.json", { [digest("1")]: [digest("2")] });
        const aware = await runCli([...args, "--index-children", children]);
        assert.equal(aware.stderr, "");
        const child = JSON.parse(aware.stdout).images.find((image: { imageDigest: string }) => image.imageDigest === digest("2"));
        assert.equal(child.action, "keep");
        assert.match(child.reason, /index sha256:111111111111 references it/);
    });

    it("notes a multi-entry tag list, which selects by AND, and suggests one rule per entry", async () => {
        const both = file("both.json", { rules: [{ ...PROD_THEN_BETA.rules[0], selection: { ...PROD_THEN_BETA.rules[0].selection, tagPrefixList: ["prod", "beta"] } }] });
        const run = await runCli(["lifecycle", "plan", "--policy", both, "--images", imagesFile, "--now", NOW]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, 'ecrx: note: rules[0].selection.tagPrefixList has 2 entries: it selects only images that have a tag starting with each of ' +
            '"prod", "beta" (AND, not OR). If you meant images with any of them, write one rule per entry.\n');
    });

    it("prints --help", async () => {
        const run = await runCli(["lifecycle", "plan", "--help"]);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /^Usage: ecrx lifecycle plan \[options\]/);
        assert.match(run.stdout, /--fail-on-expire GLOB/);
    });

    it("explains an invalid policy with the same problems buildPolicy's checks give, and nothing else", async () => {
        const invalid = { rules: [{ rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["prod*"], countType: "imageCountMoreThan", countNumber: 0 }, action: { type: "expire" } }] };
        const invalidFile = file("invalid.json", invalid);
        const run = await runCli(["lifecycle", "plan", "--policy", invalidFile, "--images", imagesFile]);
        let expected: ValidationError | undefined;
        try {
            parsePolicyDocument(invalid);
        } catch (error) {
            expected = error as ValidationError;
        }
        assertFailsWith(run, `ecrx: ${invalidFile}: ${expected!.message}\n`);
        assert.equal(run.stderr, `ecrx: ${invalidFile}: ${expected!.message}\n`);
    });

    it("reports user mistakes in one clear message, without a stack trace", async () => {
        const brokenJson = file("broken.json", "{\n  \"rules\": [\n    {,}\n  ]\n}");
        const wrongShape = file("wrong.json", { images: [] });
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", brokenJson, "--images", imagesFile]),
            new RegExp(`^ecrx: ${brokenJson.replace(/[.\\]/g, "\\$&")} is not valid JSON: .*line 3, column 6`));
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", path.join(folder, "nope.json"), "--images", imagesFile]),
            "cannot read the --policy file");
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", policyFile, "--images", wrongShape]),
            "must hold describe-images output ({\"imageDetails\": [...]}) or a list of images");
        assertFailsWith(await runCli(plan("--format", "yaml")), "--format must be \"table\" or \"json\", but is \"yaml\"");
        assertFailsWith(await runCli(plan("--region", "eu-west-1")), "--region only applies to live plans");
        assertFailsWith(await runCli(plan("--verbose")), "unknown option --verbose");
        assertFailsWith(await runCli(["lifecycle", "plan", "--images", imagesFile]), "--policy is missing");
        assertFailsWith(await runCli(["lifecycle", "apply"]), "unknown command \"lifecycle apply\"");
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", policyFile, "--images", imagesFile, "--now", "2025-06-01 12:00"]),
            "--now is \"2025-06-01 12:00\", which has no time zone");
    });

    it("reads AWS CLI output by its fields: a lifecyclePolicyText that is not text, a first page of describe-images, a null file", async () => {
        const storedNumber = file("stored-number.json", { lifecyclePolicyText: 42 });
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", storedNumber, "--images", imagesFile]),
            `ecrx: ${storedNumber}: lifecyclePolicyText must be the policy JSON as a string, as get-lifecycle-policy prints it.`);
        const nullFile = file("null.json", "null");
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", nullFile, "--images", imagesFile]),
            `ecrx: ${nullFile}: The lifecycle policy has 1 problem:\n  - rules: a lifecycle policy is an object with a "rules" list, but got null.`);
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", policyFile, "--images", nullFile]),
            `ecrx: ${nullFile} must hold describe-images output`);
        const firstPage = file("first-page.json", { ...DESCRIBE_IMAGES, nextToken: "eyJ0b2tlbiI6MX0=" });
        const run = await runCli(["lifecycle", "plan", "--policy", policyFile, "--images", firstPage, "--now", NOW, "--format", "json"]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, `ecrx: warning: ${firstPage} has a nextToken, so it is only the first page of images: ` +
            "run describe-images without --max-items to list them all.\n");
        assert.equal(JSON.parse(run.stdout).images.length, DESCRIBE_IMAGES.imageDetails.length);
    });

    it("as a real process, fails on a bad file with exit code 1 and a message, without a stack trace", async () => {
        const broken = file("not-json.json", "not json");
        const run = await spawnCli(["lifecycle", "plan", "--policy", broken, "--images", broken], process.env);
        assertFailsWith(run, `ecrx: ${broken} is not valid JSON`);
    });

    it("lists the first problems of a badly broken images file, and how many more there are", async () => {
        const broken = file("many.json", Array.from({ length: 25 }, (_, index) => ({ imageDigest: digest("d"), imagePushedAt: `day ${index}` })));
        const run = await runCli(["lifecycle", "plan", "--policy", policyFile, "--images", broken]);
        assertFailsWith(run, `ecrx: ${broken}: The simulation input has 49 problems:\n  - images[0].imagePushedAt: must be an ISO 8601 time`);
        assert.equal(run.stderr.split("\n").filter((line) => line.startsWith("  - ")).length, 20);
        assert.match(run.stderr, /\n {2}\.\.\. and 29 more\n$/);
    });
});

// ---- Live mode against the fake endpoint ----------------------------------------------------------

const APP_IMAGES: FakeImage[] = [
    { imageDigest: digest("a"), imageTags: ["beta-1", "prod-1"], imagePushedAt: NOW_SECONDS - 10 * DAY_SECONDS },
    { imageDigest: digest("b"), imageTags: ["beta-2", "prod-2"], imagePushedAt: NOW_SECONDS - 9 * DAY_SECONDS },
    { imageDigest: digest("c"), imageTags: ["beta-3"], imagePushedAt: NOW_SECONDS - 8 * DAY_SECONDS },
    { imageDigest: digest("1"), imageTags: ["v1"], imagePushedAt: NOW_SECONDS - 2 * DAY_SECONDS, imageManifestMediaType: OCI_INDEX },
    { imageDigest: digest("2"), imagePushedAt: NOW_SECONDS - 2 * DAY_SECONDS },
    { imageDigest: digest("3"), imagePushedAt: NOW_SECONDS - 2 * DAY_SECONDS },
    { imageDigest: digest("4"), imagePushedAt: NOW_SECONDS - 20 * DAY_SECONDS },
    { imageDigest: digest("5"), imagePushedAt: NOW_SECONDS - 7 * DAY_SECONDS, subjectManifestDigest: digest("a") },
    { imageDigest: digest("6"), imageTags: ["old"], imagePushedAt: NOW_SECONDS - 400 * DAY_SECONDS, imageStatus: "ARCHIVED", lastArchivedAt: NOW_SECONDS - 100 * DAY_SECONDS },
];

/** Keep one prod and one beta image, one untagged image, and expire what has been archived for 90 days. */
const APP_POLICY: PolicyDocument = {
    rules: [
        ...PROD_THEN_BETA.rules,
        { rulePriority: 3, selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 4, selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 90 }, action: { type: "expire" } },
    ],
};

describe("ecrx lifecycle plan, live against a fake ECR endpoint", () => {
    let fake: FakeEcr;
    let folder: string;
    const PAGE_SIZE = 2;

    before(async () => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-live-"));
        fake = await startFakeEcr({
            app: {
                registryId: "123456789012",
                images: APP_IMAGES,
                lifecyclePolicyText: JSON.stringify(APP_POLICY),
                manifests: { [digest("1")]: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: digest("2") }, { digest: digest("3") }] }) },
            },
            bare: { registryId: "123456789012", images: APP_IMAGES.slice(0, 3) },
        }, PAGE_SIZE);
    });
    after(async () => {
        await fake.close();
        rmSync(folder, { recursive: true, force: true });
    });
    beforeEach(() => {
        fake.requests.length = 0;
    });

    const live = (repository: string, ...extra: string[]) =>
        ["lifecycle", "plan", "--repository", repository, "--endpoint-url", fake.endpoint, "--now", NOW, "--format", "json", ...extra];

    it("reads every page of images, the stored policy and, when asked, the index manifests, with signed requests", async () => {
        const run = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(live("app", "--read-index-manifests")));
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /^ecrx: note: reading 1 index manifest with BatchGetImage\. ECR may record that as a pull of each index, .* aws ecr register-pull-time-update-exclusion --principal-arn arn:aws:iam::<account>:role\/<plan-role>\.\n$/);
        const result = JSON.parse(run.stdout);
        const actions = Object.fromEntries(result.images.map((image: { imageDigest: string; action: string }) => [image.imageDigest.slice(7, 8), image.action]));
        // a: 2nd newest prod; 5: a's signature; 4: the older untagged image (2 and 3 are children of index 1);
        // 6: archived 100 days ago, which only a listing that asks for archived images can show.
        assert.deepEqual(actions, { 6: "expire", 4: "expire", a: "expire", b: "keep", 5: "expire", c: "keep", 1: "keep", 2: "keep", 3: "keep" });

        const operations = fake.requests.map((request) => request.operation);
        const pages = Math.ceil(APP_IMAGES.length / PAGE_SIZE);
        assert.deepEqual(operations, [...Array(pages).fill("DescribeImages"), "GetLifecyclePolicy", "BatchGetImage"]);
        const describes = fake.requests.filter((request) => request.operation === "DescribeImages");
        describes.slice(1).forEach((request, index) => assert.equal(typeof request.body.nextToken, "string", `page ${index + 2} asked for the next page`));
        assert.deepEqual(describes[0].body.filter, { imageStatus: "ANY" });
        assert.deepEqual(fake.requests[pages + 1].body.imageIds, [{ imageDigest: digest("1") }]);
        assert.ok(fake.requests.every((request) => request.accessKey === "AKIDECRXTEST" && request.region === "eu-west-1"));
        assert.deepEqual(fake.unsigned, []);
    });

    it("plans a policy file instead of the stored policy, without reading the stored one", async () => {
        const policyFile = path.join(folder, "beta-first.json");
        writeFileSync(policyFile, JSON.stringify({ rules: [{ ...PROD_THEN_BETA.rules[1], rulePriority: 1 }, { ...PROD_THEN_BETA.rules[0], rulePriority: 2 }] }));
        const run = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(live("bare", "--policy", policyFile)));
        assert.equal(run.code, 0, run.stderr);
        const expired = JSON.parse(run.stdout).images.filter((image: { action: string }) => image.action === "expire");
        assert.deepEqual(expired.map((image: { imageDigest: string }) => image.imageDigest), [digest("a"), digest("b")]);
        assert.ok(!fake.requests.some((request) => request.operation === "GetLifecyclePolicy"));
    });

    it("checks a --policy file before calling AWS", async () => {
        const invalid = path.join(folder, "invalid.json");
        writeFileSync(invalid, JSON.stringify({ rules: [] }));
        const run = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(live("app", "--policy", invalid)));
        assertFailsWith(run, `ecrx: ${invalid}: The lifecycle policy has 1 problem:\n  - rules: must contain at least one rule.`);
        assert.deepEqual(fake.requests, []);
    });

    it("says so when the repository does not exist, or has no lifecycle policy", async () => {
        const env = isolatedAwsEnv(folder, DUMMY_CREDENTIALS);
        assertFailsWith(await withEnv(env, () => runCli(live("missing"))),
            "ecrx: repository \"missing\" was not found: The repository with name 'missing' does not exist");
        assertFailsWith(await withEnv(env, () => runCli(live("bare"))),
            "ecrx: repository \"bare\" has no lifecycle policy: pass --policy FILE to plan one.\n");
    });

    it("says so when no region is configured, or the endpoint does not answer", async () => {
        const { AWS_REGION: _unused, ...withoutRegion } = DUMMY_CREDENTIALS;
        assertFailsWith(await withEnv(isolatedAwsEnv(folder, withoutRegion), () => runCli(live("app"))),
            "ecrx: no AWS region: pass --region or set AWS_REGION.\n");
        const closed = await startFakeEcr({}, PAGE_SIZE);
        await closed.close();
        const unreachable = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS),
            () => runCli(["lifecycle", "plan", "--repository", "app", "--endpoint-url", closed.endpoint]));
        assertFailsWith(unreachable, `ecrx: could not reach ECR at ${closed.endpoint}: connect ECONNREFUSED`);
    });

    it("says so when there are no credentials, before sending anything", async () => {
        const run = await withEnv(isolatedAwsEnv(folder, { AWS_REGION: "eu-west-1" }), () => runCli(live("app")));
        assertFailsWith(run, "ecrx: no AWS credentials found");
        assert.deepEqual(fake.requests, []);
    });

    it("as a real process, honours AWS_ENDPOINT_URL_ECR and exits with 2 when a guarded image would expire", async () => {
        const env = isolatedAwsEnv(folder, { ...DUMMY_CREDENTIALS, AWS_ENDPOINT_URL_ECR: fake.endpoint });
        const run = await spawnCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--fail-on-expire", "prod-*"], env);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stdout, /^DIGEST +TAGS +PUSHED +ACTION +RULE +REASON\n/);
        assert.match(run.stdout, /\n9 images: 4 to expire, 0 to archive, 5 to keep \(evaluated at 2025-06-01T12:00:00.000Z\)\n$/);
        assert.match(run.stderr, /^ecrx: note: reading 1 index manifest with BatchGetImage\. .*\n/);
        assert.ok(run.stderr.endsWith("\necrx: --fail-on-expire: 1 image tagged like prod-* would expire: sha256:aaaaaaaaaaaa (beta-1, prod-1)\n"), run.stderr);
        assert.ok(fake.requests.length > 0 && fake.requests.every((request) => request.accessKey === "AKIDECRXTEST"));
    });
});

describe("ecrx lifecycle plan --compare-aws-preview, against a fake ECR that answers the preview", () => {
    let fake: FakeEcr;
    let folder: string;
    const repositories: Record<string, FakeRepository> = {
        app: { registryId: "123456789012", images: APP_IMAGES, lifecyclePolicyText: JSON.stringify(APP_POLICY),
            manifests: { [digest("1")]: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: digest("2") }, { digest: digest("3") }] }) } },
    };
    /** What ecrx plans for APP_IMAGES under APP_POLICY (see the live tests above), as ECR's preview lists it. */
    const AGREEING: FakePreview["results"] = [
        { imageDigest: digest("6"), action: "EXPIRE", appliedRulePriority: 4 },
        { imageDigest: digest("4"), action: "EXPIRE", appliedRulePriority: 3 },
        { imageDigest: digest("a"), action: "EXPIRE", appliedRulePriority: 1 },
        { imageDigest: digest("5"), action: "EXPIRE", appliedRulePriority: 1 },
    ];
    const compare = (...extra: string[]) => ["lifecycle", "plan", "--repository", "app", "--endpoint-url", fake.endpoint,
        // The fake repository holds an index, whose children ECR's preview knows: so must the plan.
        "--compare-aws-preview", "--preview-poll-interval", "0.01", "--read-index-manifests", ...extra];
    const withFake = (args: string[]) => withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(args));

    before(async () => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-preview-"));
        fake = await startFakeEcr(repositories, 100);
    });
    after(async () => {
        await fake.close();
        rmSync(folder, { recursive: true, force: true });
    });
    beforeEach(() => {
        fake.requests.length = 0;
    });

    it("waits through the in-progress states, reads every page, and says that ECR agrees", async () => {
        repositories.app.preview = { results: AGREEING, checksInProgress: 2, pageSize: 3 };
        const run = await withFake(compare());
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /\n9 images: 4 to expire, 0 to archive, 5 to keep \(evaluated at [^)]+\)\n\nECR's lifecycle policy preview agrees with this plan on all 9 images\.\n$/);
        const progress = run.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("ecrx: note: reading 1 index manifest"));
        assert.deepEqual(progress.map((line) => line.replace(/[\d.]+ s/, "N s")), [
            'ecrx: started ECR\'s lifecycle policy preview of repository "app"',
            "ecrx: waiting for ECR's preview: IN_PROGRESS after N s",
            "ecrx: waiting for ECR's preview: IN_PROGRESS after N s",
            "ecrx: ECR's preview is complete (N s)",
        ]);
        const previewCalls = fake.requests.filter((request) => request.operation.includes("LifecyclePolicyPreview"));
        assert.deepEqual(previewCalls.map((request) => request.operation),
            ["StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview", "GetLifecyclePolicyPreview", "GetLifecyclePolicyPreview", "GetLifecyclePolicyPreview"]);
        // The stored policy is previewed by its own text, exactly as read, so that both sides judge the same policy.
        assert.equal(previewCalls[0].body.lifecyclePolicyText, repositories.app.lifecyclePolicyText);
        assert.equal(previewCalls[4].body.nextToken !== undefined && previewCalls[3].body.nextToken === undefined, true);
    });

    it("lists every image on which ECR and the plan disagree, both ways, and exits with 3", async () => {
        repositories.app.preview = {
            results: [
                ...AGREEING.filter((result) => result.imageDigest !== digest("4")),
                { imageDigest: digest("b"), action: "EXPIRE", appliedRulePriority: 1 },
                { imageDigest: digest("z"), action: "TRANSITION", appliedRulePriority: 2 },
            ],
        };
        const table = await withFake(compare());
        assert.equal(table.code, 3, table.stderr);
        assert.match(table.stdout, /\nECR's lifecycle policy preview disagrees with this plan on 3 images:\n/);
        assert.match(table.stdout, /\n {2}sha256:bbbbbbbbbbbb \(beta-2, prod-2\): ecrx keep \(rule 1\), ECR expire \(rule 1\); ecrx: rule 1 \(tag prefix prod/);
        assert.match(table.stdout, /\n {2}sha256:444444444444 \(untagged\): ecrx expire \(rule 3\), ECR keep; ecrx: rule 3 \(untagged, keep newest 1\)/);
        assert.match(table.stdout, /\n {2}sha256:zzzzzzzzzzzz \(untagged\): ecrx not among the images planned, ECR archive \(rule 2\)\n$/);

        const json = await withFake(compare("--format", "json"));
        assert.equal(json.code, 3);
        const { awsPreview, images } = JSON.parse(json.stdout);
        assert.equal(images.length, 9);
        assert.equal(awsPreview.actedOnByEcr, 5);
        assert.deepEqual(awsPreview.disagreements.map((entry: { imageDigest: string; ecrx: { action: string }; ecr: { action: string } }) =>
            [entry.imageDigest.slice(7, 8), entry.ecrx.action, entry.ecr.action]), [["4", "expire", "keep"], ["b", "keep", "expire"], ["z", "absent", "archive"]]);
    });

    it("previews a --policy file by its exact text, whitespace and all", async () => {
        repositories.app.preview = { results: AGREEING };
        const policyFile = path.join(folder, "policy.json");
        const text = `${JSON.stringify(APP_POLICY, null, 4)}\n`;
        writeFileSync(policyFile, text);
        const run = await withFake(compare("--policy", policyFile));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(fake.requests.find((request) => request.operation === "StartLifecyclePolicyPreview")!.body.lifecyclePolicyText, text);
        assert.ok(!fake.requests.some((request) => request.operation === "GetLifecyclePolicy"));
    });

    it("says so when the preview fails, expires, takes too long, or another preview is running", async () => {
        repositories.app.preview = { results: [], outcome: "FAILED" };
        assertFailsWith(await withFake(compare()), "ecrx: ECR's lifecycle policy preview FAILED, so there is nothing to compare with");
        repositories.app.preview = { results: [], checksInProgress: 1, outcome: "EXPIRED" };
        assertFailsWith(await withFake(compare()), "ecrx: ECR's lifecycle policy preview EXPIRED before it could be read: run the plan again.");
        repositories.app.preview = { results: [], checksInProgress: 1_000_000 };
        const slow = await withFake(compare("--preview-timeout", "0.05"));
        assertFailsWith(slow, /ecrx: ECR's lifecycle policy preview was still IN_PROGRESS after [\d.]+ s: raise --preview-timeout, or run the plan again later\.\n$/);
        repositories.app.preview = { results: [], busy: true };
        assertFailsWith(await withFake(compare()), 'ecrx: ECR is already previewing a lifecycle policy for repository "app"');
    });

    it("refuses options that cannot work together, before calling AWS", async () => {
        assertFailsWith(await withFake(["lifecycle", "plan", "--policy", "p.json", "--images", "i.json", "--compare-aws-preview"]),
            "ecrx: --compare-aws-preview asks ECR to preview the policy on a repository: add --repository NAME.");
        assertFailsWith(await withFake(compare("--now", NOW)), "ecrx: --now cannot be used with --compare-aws-preview: ECR previews the policy as of now");
        assertFailsWith(await withFake(["lifecycle", "plan", "--repository", "app", "--preview-timeout", "5"]),
            "ecrx: --preview-timeout only applies with --compare-aws-preview.");
        assertFailsWith(await withFake(compare("--preview-timeout", "soon")),
            'ecrx: --preview-timeout must be a number of seconds above 0 and at most 86400, but is "soon".');
        assert.deepEqual(fake.requests, []);
    });
});
