// `ecrx lifecycle plan --in-use`, run as a user runs it, against fake ECR, ECS and Lambda endpoints that the
// real AWS SDK signs its requests for, and a fake Kubernetes API server that the official client talks to.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PolicyDocument } from "../sdk/lifecycle";
import { assertFailsWith, CliRun, DUMMY_CREDENTIALS, isolatedAwsEnv, runCli, spawnCli, withEnv } from "./support/cli";
import { FakeEcr, startFakeEcr } from "./support/fake-ecr";
import { FakeEcs, FakeEcsOptions, startFakeEcs } from "./support/fake-ecs";
import { FakeKubernetes, FakeKubernetesOptions, kubeconfigFor, startFakeKubernetes } from "./support/fake-kubernetes";
import { FakeLambda, FakeLambdaOptions, startFakeLambda } from "./support/fake-lambda";

const NOW = "2025-06-01T12:00:00Z";
const NOW_SECONDS = Date.parse(NOW) / 1000;
const DAY_SECONDS = 24 * 60 * 60;
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const APP = `${REGISTRY}/app`;
const TOKEN = "kube-token-that-must-stay-secret";

function digest(character: string): string {
    return `sha256:${character.repeat(64)}`;
}

const A = digest("a"); // prod-1: ECS tasks still run it, though the tag prod has moved on to B
const B = digest("b"); // prod-2, prod
const I = digest("1"); // index v1, children C1 and C2; Lambda's alias live runs it, pods pull C1 and C2 by digest
const C1 = digest("c");
const C2 = digest("d");
const J = digest("2"); // index v2, children C3 and C4; Lambda's $LATEST
const C3 = digest("e");
const C4 = digest("f");
const N = digest("9"); // nightly-1: a Kubernetes CronJob's image, which the policy would archive
const U = digest("0"); // untagged, and nothing uses it

const index = (children: string[]) => JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children.map((child) => ({ digest: child })) });

const POLICY: PolicyDocument = {
    rules: [
        { rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 3, selection: { tagStatus: "tagged", tagPrefixList: ["nightly"], countType: "sinceImagePushed", countUnit: "days", countNumber: 5 }, action: { type: "transition", targetStorageClass: "archive" } },
        { rulePriority: 4, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
    ],
};

const pushed = (days: number) => NOW_SECONDS - days * DAY_SECONDS;

const ECS: FakeEcsOptions = {
    taskDefinitions: {
        "api:41": [{ name: "web", image: `${APP}:prod` }],
        "api:42": [{ name: "web", image: `${APP}:prod` }, { name: "proxy", image: "public.ecr.aws/nginx/nginx:1.27" }],
        "worker:7": [{ name: "worker", image: `${REGISTRY.replace("eu-west-1", "us-east-1")}/app@${U}` }],
    },
    clusters: {
        prod: {
            services: [
                { serviceName: "api", taskDefinition: "api:42", otherDeployments: [{ taskDefinition: "api:41", status: "ACTIVE" }] },
                { serviceName: "worker", taskDefinition: "worker:7" },
            ],
            tasks: [
                // Started when prod pointed at A; ECS pinned the digest then.
                { group: "service:api", taskDefinition: "api:41", containers: [{ name: "web", image: `${APP}:prod`, imageDigest: A }] },
                { group: "service:api", taskDefinition: "api:41", containers: [{ name: "web", image: `${APP}:prod`, imageDigest: A }] },
                { group: "service:api", taskDefinition: "api:42", containers: [{ name: "web", image: `${APP}:prod`, imageDigest: B }] },
            ],
        },
        staging: { services: [], tasks: [] },
    },
    pageSize: 1,
};

const LAMBDA: FakeLambdaOptions = {
    functions: [
        {
            FunctionName: "checkout",
            PackageType: "Image",
            versions: {
                $LATEST: { ImageUri: `${APP}:v2`, ResolvedImageUri: `${APP}@${J}` },
                3: { ImageUri: `${APP}:v1`, ResolvedImageUri: `${APP}@${I}` },
            },
            aliases: [{ Name: "live", FunctionVersion: "3" }],
        },
        { FunctionName: "zipped", PackageType: "Zip", versions: {} },
        // Its alias's version was deleted after the listing began: it runs nothing, and the plan goes on.
        { FunctionName: "retired", PackageType: "Image", versions: { $LATEST: { ImageUri: `${APP}:prod-2`, ResolvedImageUri: `${APP}@${B}` } },
            aliases: [{ Name: "old", FunctionVersion: "5" }] },
    ],
    pageSize: 1,
};

const workload = (kind: string, namespace: string, name: string, image: string, container = "main") => {
    const template = { spec: { containers: [{ name: container, image }] } };
    return { metadata: { namespace, name }, spec: kind === "CronJob" ? { schedule: "@daily", jobTemplate: { spec: { template } } } : { template, selector: {} } };
};

const KUBERNETES: FakeKubernetesOptions = {
    token: TOKEN,
    objects: {
        pods: [{
            metadata: { namespace: "shop", name: "web-5d9f" },
            spec: { containers: [{ name: "web", image: `${APP}:v2` }] },
            // containerd reports the platform manifest it pulled through the index.
            status: { containerStatuses: [{ name: "web", image: `${APP}:v2`, imageID: `${APP}@${C3}`, ready: true, restartCount: 0 }] },
        }, {
            metadata: { namespace: "ops", name: "pending" },
            // Not started yet: no imageID, so its spec says what it will pull.
            spec: { containers: [{ name: "main", image: `${APP}@${C2}` }] },
            status: { phase: "Pending" },
        }, {
            metadata: { namespace: "ops", name: "arm-probe" },
            spec: { containers: [{ name: "probe", image: `${APP}@${C1}` }] },
            status: { containerStatuses: [{ name: "probe", image: `${APP}@${C1}`, imageID: `${APP}@${C1}`, ready: true, restartCount: 0 }] },
        }],
        deployments: [workload("Deployment", "shop", "web", `${APP}:v2`, "web"), workload("Deployment", "shop", "legacy", `${APP}:gone`)],
        cronjobs: [workload("CronJob", "ops", "report", `${APP}:nightly-1`)],
    },
    pageSize: 1,
};

interface Fakes {
    ecr: FakeEcr;
    ecs: FakeEcs;
    lambda: FakeLambda;
    kubernetes: FakeKubernetes;
}

async function startFakes(overrides: { ecs?: Partial<FakeEcsOptions>; lambda?: Partial<FakeLambdaOptions>; kubernetes?: Partial<FakeKubernetesOptions> } = {}): Promise<Fakes> {
    return {
        ecr: await startFakeEcr({
            app: {
                registryId: "123456789012",
                lifecyclePolicyText: JSON.stringify(POLICY),
                images: [
                    { imageDigest: A, imageTags: ["prod-1"], imagePushedAt: pushed(30) },
                    { imageDigest: B, imageTags: ["prod-2", "prod"], imagePushedAt: pushed(10) },
                    { imageDigest: I, imageTags: ["v1"], imagePushedAt: pushed(20), imageManifestMediaType: OCI_INDEX },
                    { imageDigest: C1, imagePushedAt: pushed(20) },
                    { imageDigest: C2, imagePushedAt: pushed(20) },
                    { imageDigest: J, imageTags: ["v2"], imagePushedAt: pushed(3), imageManifestMediaType: OCI_INDEX },
                    { imageDigest: C3, imagePushedAt: pushed(3) },
                    { imageDigest: C4, imagePushedAt: pushed(3) },
                    { imageDigest: N, imageTags: ["nightly-1"], imagePushedAt: pushed(10) },
                    { imageDigest: U, imagePushedAt: pushed(30) },
                ],
                manifests: { [I]: index([C1, C2]), [J]: index([C3, C4]) },
            },
        }, 3),
        ecs: await startFakeEcs({ ...ECS, ...overrides.ecs }),
        lambda: await startFakeLambda({ ...LAMBDA, ...overrides.lambda }),
        kubernetes: await startFakeKubernetes({ ...KUBERNETES, ...overrides.kubernetes }),
    };
}

async function stopFakes(fakes: Fakes): Promise<void> {
    await Promise.all([fakes.ecr.close(), fakes.ecs.close(), fakes.lambda.close(), fakes.kubernetes.close()]);
}

interface PlannedImage {
    imageDigest: string;
    action: string;
    reason: string;
    inUse?: Array<{ kind: string; name: string; detail: string }>;
}

describe("ecrx lifecycle plan --in-use, against fake ECS, Lambda and Kubernetes endpoints", function () {
    this.timeout(20_000);
    let folder: string;
    let kubeconfig: string;
    let fakes: Fakes;

    before(async () => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-in-use-"));
        fakes = await startFakes();
        kubeconfig = path.join(folder, "kubeconfig");
        writeFileSync(kubeconfig, kubeconfigFor(fakes.kubernetes, TOKEN, "shop-prod"));
    });
    after(async () => {
        await stopFakes(fakes);
        rmSync(folder, { recursive: true, force: true });
    });

    const envFor = (target: Fakes) => isolatedAwsEnv(folder, {
        ...DUMMY_CREDENTIALS,
        AWS_ENDPOINT_URL_ECR: target.ecr.endpoint,
        AWS_ENDPOINT_URL_ECS: target.ecs.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: target.lambda.endpoint,
        KUBECONFIG: path.join(folder, "kubeconfig"),
    });
    const plan = (target: Fakes, ...extra: string[]): Promise<CliRun> => withEnv(envFor(target),
        () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--format", "json", ...extra]));
    const byDigest = (run: CliRun): Record<string, PlannedImage> =>
        Object.fromEntries((JSON.parse(run.stdout).images as PlannedImage[]).map((image) => [image.imageDigest, image]));

    it("flags the images in use that a rule would expire or archive, naming each user", async () => {
        const run = await plan(fakes, "--in-use", "ecs,lambda,kubernetes");
        assert.equal(run.code, 0, run.stderr);
        const images = byDigest(run);
        const flagged = Object.values(images).filter((image) => image.inUse !== undefined).map((image) => image.imageDigest);
        assert.deepEqual(flagged.sort(), [A, I, N, C1, C2].sort(),
            "U expires too, but nothing uses it; B and J are kept; I expires, so its children are no longer protected and their own rule expires them");
        assert.equal(images[U].action, "expire");

        // The tag prod moved from A to B; the tasks of the older deployment still run A, pinned by digest.
        assert.deepEqual(images[A].inUse, [
            { kind: "ecs", name: "service api", detail: "in cluster prod (task definition api:41, container web, running task)" },
        ]);
        assert.match(images[A].reason, /^rule 1 \(tag prefix prod, keep newest 1\): 2nd newest of 2 matching, beyond the newest 1; in use by ECS service api in cluster prod \(task definition api:41, container web, running task\)$/);
        assert.deepEqual(images[I].inUse, [
            // Expiring the index takes the child this pod pulls by digest along with it.
            { kind: "kubernetes", name: "Pod ops/arm-probe", detail: "in context shop-prod (container probe, running, child sha256:cccccccccccc of this index)" },
            { kind: "kubernetes", name: "Pod ops/pending", detail: "in context shop-prod (container main, child sha256:dddddddddddd of this index)" },
            // The version runs the digest Lambda resolved when it was published, not what its tag v1 names now.
            { kind: "lambda", name: "function checkout", detail: "(version 3, alias live)" },
        ]);
        assert.equal(images[C1].action, "expire", "its index expires in the same run, so the child is no longer protected");
        assert.deepEqual(images[C1].inUse, [
            { kind: "kubernetes", name: "Pod ops/arm-probe", detail: "in context shop-prod (container probe, running)" },
            // An index's users count for its children too.
            { kind: "lambda", name: "function checkout", detail: "(version 3, alias live, through index sha256:111111111111)" },
        ]);
        assert.deepEqual(images[N].inUse, [{ kind: "kubernetes", name: "CronJob ops/report", detail: "in context shop-prod (container main, tag nightly-1, as it points now)" }]);
        assert.equal(images[N].action, "archive");

        assert.match(run.stderr, /^ecrx: warning: 1 workload names an image that repository "app" does not hold, so it cannot pull it now: Kubernetes Deployment shop\/legacy in context shop-prod \(container main\) uses app:gone\.$/m);
        assert.match(run.stderr, /^ecrx: note: \d+ in-use references name a tag and are matched to the image the tag points to now/m);
        assert.doesNotMatch(run.stderr + run.stdout, new RegExp(TOKEN), "the kubeconfig token never shows");
    });

    it("reads every page of every listing, with signed read-only calls", async () => {
        const run = await plan(fakes, "--in-use", "ecs,lambda,kubernetes");
        assert.equal(run.code, 0, run.stderr);
        const ecsOperations = new Set(fakes.ecs.calls.map((call) => call.operation));
        assert.deepEqual([...ecsOperations].sort(), ["DescribeServices", "DescribeTaskDefinition", "DescribeTasks", "ListClusters", "ListServices", "ListTasks"]);
        assert.ok(fakes.ecs.calls.some((call) => call.operation === "ListTasks" && typeof call.body.nextToken === "string"), "tasks were listed past page 1");
        assert.ok(fakes.ecs.calls.some((call) => call.operation === "ListClusters" && typeof call.body.nextToken === "string"));
        assert.ok(fakes.lambda.calls.some((call) => call.operation === "ListFunctions" && call.query.Marker !== undefined));
        assert.deepEqual([...new Set(fakes.lambda.calls.map((call) => call.operation))].sort(), ["GetFunction", "ListAliases", "ListFunctions"]);
        assert.ok(!fakes.lambda.calls.some((call) => call.functionName === "zipped" && call.operation === "GetFunction"), "zip functions hold no image");
        assert.ok(fakes.lambda.calls.some((call) => call.functionName === "retired" && call.query.Qualifier === "5"), "the vanished version was asked for");
        assert.ok(fakes.kubernetes.calls.some((call) => call.list === "deployments" && call.query.continue !== undefined), "the client followed continue tokens");
        assert.ok(fakes.kubernetes.calls.every((call) => call.authorized));
        assert.deepEqual(fakes.ecs.unsigned, []);
        assert.deepEqual(fakes.lambda.unsigned, []);
        assert.ok([...fakes.ecs.calls, ...fakes.lambda.calls].every((call) => call.accessKey === "AKIDECRXTEST" && call.region === "eu-west-1"));
    });

    it("shows an IN USE column, and counts the images in use that would go", async () => {
        const run = await withEnv(envFor(fakes), () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--in-use", "ecs"]));
        assert.equal(run.code, 0, run.stderr);
        const lines = run.stdout.split("\n");
        assert.match(lines[0], /^DIGEST\s+TAGS\s+PUSHED\s+ACTION\s+IN USE\s+RULE\s+REASON$/);
        assert.match(run.stdout, /^sha256:aaaaaaaaaaaa  prod-1 +\S+ \S+ +expire +ecs +1 +rule 1 .*; in use by ECS service api in cluster prod/m);
        assert.match(run.stdout, /^sha256:000000000000 .* expire +- +4 /m);
        assert.match(run.stdout, /^sha256:bbbbbbbbbbbb .* keep +ecs +1 +rule 1 \(tag prefix prod, keep newest 1\): newest of 2 matching, within the newest 1$/m,
            "an image in use that stays shows its users without a warning in its reason");
        const coloured = await withEnv(envFor(fakes), () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--in-use", "ecs"], { tty: true }));
        assert.match(coloured.stdout, /^sha256:aaaaaaaaaaaa .*\x1b\[1m\x1b\[31mecs +\x1b\[0m/m, "on a terminal, what would break is bold red");
        assert.match(coloured.stdout, /^sha256:bbbbbbbbbbbb .*\x1b\[0m {2}ecs +1 /m, "what stays is plain");
        assert.match(run.stdout, /\n10 images: 5 to expire, 1 to archive, 4 to keep; 1 in use would be expired or archived \(evaluated at /);
    });

    it("--fail-on-expire-in-use exits with 2 and names the images when one in use would expire", async () => {
        const tripped = await plan(fakes, "--in-use", "lambda", "--fail-on-expire-in-use");
        assert.equal(tripped.code, 2);
        assert.match(tripped.stderr, /^ecrx: --fail-on-expire-in-use: 3 images in use would be expired or archived: sha256:111111111111 \(Lambda function checkout \(version 3, alias live\)\), sha256:cccccccccccc \(Lambda function checkout \(version 3, alias live, through index sha256:111111111111\)\), sha256:dddddddddddd /m);
        assert.equal(JSON.parse(tripped.stdout).summary.expire, 5, "the plan is still printed");
    });

    it("as a real process, loads all three clients and exits with 2 when an image in use would go", async () => {
        const run = await spawnCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--in-use", "ecs,lambda,kubernetes",
            "--fail-on-expire-in-use"], envFor(fakes));
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stdout, /\n10 images: 5 to expire, 1 to archive, 4 to keep; 5 in use would be expired or archived /);
        assert.match(run.stderr, /^ecrx: --fail-on-expire-in-use: 5 images in use would be expired or archived: sha256:aaaaaaaaaaaa \(ECS service api /m);
        assert.doesNotMatch(run.stderr, /ExperimentalWarning|\x1b\[K/, "no warning from loading the ESM client, no progress off a terminal");
    });

    it("--ecs-cluster reads only the clusters named", async () => {
        fakes.ecs.calls.length = 0;
        const run = await plan(fakes, "--in-use", "ecs", "--ecs-cluster", "staging", "--fail-on-expire-in-use");
        assert.equal(run.code, 0, run.stderr);
        assert.ok(!fakes.ecs.calls.some((call) => call.operation === "ListClusters"));
        assert.ok(fakes.ecs.calls.every((call) => call.body.cluster === "staging"));
        assert.equal(byDigest(run)[A].inUse, undefined, "api runs in prod, which was not asked about");
    });

    it("shows progress on a terminal's stderr, and clears it", async () => {
        const run = await withEnv(envFor(fakes), () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--format", "json",
            "--in-use", "ecs,lambda,kubernetes"], { stderrTty: true }));
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /\r\x1b\[Kecrx: finding images in use: .*ECS 2\/2 clusters/);
        assert.match(run.stderr, /Lambda 2\/2 functions/);
        assert.match(run.stderr, /Kubernetes 6\/6 resource kinds/);
        assert.match(run.stderr, /\r\x1b\[K(ecrx: (warning|note)|$)/);
    });

    it("documents the options in --help", async () => {
        const help = await runCli(["lifecycle", "plan", "--help"]);
        for (const option of ["--in-use SOURCES", "--ecs-cluster NAME", "--kubeconfig FILE", "--context NAME", "--fail-on-expire-in-use"]) {
            assert.match(help.stdout, new RegExp(`^  ${option}( |\n)`, "m"), `--help lacks ${option}`);
        }
    });

    it("explains command lines that cannot work", async () => {
        assertFailsWith(await runCli(["lifecycle", "plan", "--policy", "p.json", "--images", "i.json", "--in-use", "ecs"]),
            "--in-use asks ECS, Lambda or Kubernetes which images they run, so it needs a live plan: add --repository NAME.");
        assertFailsWith(await runCli(["lifecycle", "plan", "--repository", "app", "--in-use", "ecs,eks"]),
            "--in-use takes a comma list of ecs, lambda, kubernetes, but has \"eks\".");
        assertFailsWith(await runCli(["lifecycle", "plan", "--repository", "app", "--in-use", "lambda", "--ecs-cluster", "prod"]),
            "--ecs-cluster only applies to --in-use ecs, but --in-use is \"lambda\".");
        assertFailsWith(await runCli(["lifecycle", "plan", "--repository", "app", "--fail-on-expire-in-use"]),
            "--fail-on-expire-in-use needs --in-use, such as --in-use ecs,lambda,kubernetes.");
        assertFailsWith(await plan(fakes, "--in-use", "kubernetes", "--context", "nope"),
            "--context nope is not a context of the kubeconfig; use one of shop-prod.");
        assertFailsWith(await plan(fakes, "--in-use", "ecs", "--ecs-cluster", "nope"),
            /^ecrx: ECS refused ecs:List(Services|Tasks) for cluster nope while finding the images in use: ClusterNotFoundException: Cluster not found\.\n$/);
    });

    it("says so when there is no kubeconfig, rather than trying localhost", async () => {
        const { KUBECONFIG: _unused, ...withoutKubeconfig } = envFor(fakes);
        const run = await withEnv({ ...withoutKubeconfig, HOME: folder }, () =>
            runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--in-use", "kubernetes"]));
        assertFailsWith(run, "ecrx: no kubeconfig: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod.");
        assertFailsWith(await plan(fakes, "--in-use", "kubernetes", "--kubeconfig", path.join(folder, "missing")),
            `ecrx: cannot read the kubeconfig ${path.join(folder, "missing")}: ENOENT`);
    });

    it("says so when the Kubernetes credentials are rejected, without showing them", async () => {
        const wrong = path.join(folder, "wrong-token");
        writeFileSync(wrong, kubeconfigFor(fakes.kubernetes, "stale-token-also-secret", "shop-prod"));
        const run = await plan(fakes, "--in-use", "kubernetes", "--kubeconfig", wrong);
        assertFailsWith(run, "Kubernetes context \"shop-prod\" rejected the credentials while listing");
        assert.doesNotMatch(run.stderr, /stale-token-also-secret/);
    });
});

describe("ecrx lifecycle plan --in-use, when sources throttle or deny", function () {
    this.timeout(30_000);
    let folder: string;
    before(() => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-in-use-"));
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    async function planWith(overrides: Parameters<typeof startFakes>[0], ...extra: string[]): Promise<{ run: CliRun; fakes: Fakes }> {
        const fakes = await startFakes(overrides);
        try {
            const kubeconfig = path.join(folder, "kubeconfig");
            writeFileSync(kubeconfig, kubeconfigFor(fakes.kubernetes, TOKEN, "shop-prod"));
            const env = isolatedAwsEnv(folder, {
                ...DUMMY_CREDENTIALS,
                AWS_ENDPOINT_URL_ECR: fakes.ecr.endpoint,
                AWS_ENDPOINT_URL_ECS: fakes.ecs.endpoint,
                AWS_ENDPOINT_URL_LAMBDA: fakes.lambda.endpoint,
            });
            const run = await withEnv(env, () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--format", "json",
                "--in-use", "ecs,lambda,kubernetes", "--kubeconfig", kubeconfig, ...extra]));
            return { run, fakes };
        } finally {
            await stopFakes(fakes);
        }
    }

    const flaggedOf = (run: CliRun) => (JSON.parse(run.stdout).images as PlannedImage[]).filter((image) => image.inUse !== undefined)
        .map((image) => image.imageDigest).sort();

    it("keeps 8 calls in flight to each AWS service, however many it could send at once", async () => {
        const { run, fakes } = await planWith({
            // 40 listings and 60 function reads could all start at once.
            ecs: { latencyMs: 20, clusters: Object.fromEntries(Array.from({ length: 20 }, (_, n) => [`empty-${n}`, { services: [], tasks: [] }])) },
            lambda: { latencyMs: 20, functions: Array.from({ length: 30 }, (_, n) => ({ ...LAMBDA.functions[0], FunctionName: `checkout-${n}` })) },
        });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(fakes.ecs.maxInFlight(), 8);
        assert.equal(fakes.lambda.maxInFlight(), 8);
    });

    it("retries throttled calls until they answer, and finds the same images", async () => {
        const { run, fakes } = await planWith({
            ecs: { throttle: { ListServices: 2, DescribeTasks: 1, DescribeTaskDefinition: 1 } },
            lambda: { throttle: { ListFunctions: 1, GetFunction: 2 } },
            kubernetes: { throttle: { pods: 2, cronjobs: 1 } },
        });
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(flaggedOf(run), [A, I, N, C1, C2].sort());
        assert.equal(fakes.ecs.calls.filter((call) => call.throttled).length, 4);
        assert.equal(fakes.lambda.calls.filter((call) => call.throttled).length, 3);
        assert.equal(fakes.kubernetes.calls.filter((call) => call.throttled).length, 3);
        assert.doesNotMatch(run.stderr, /warning: the in-use check/);
    });

    it("warns about each denied source, naming the missing permission, rather than calling its images unused", async () => {
        const { run } = await planWith({
            ecs: { deny: ["ListTasks prod"] },
            lambda: { deny: ["GetFunction checkout"] },
            kubernetes: { deny: ["cronjobs"] },
        });
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(flaggedOf(run), [I, C1, C2].sort(), "the pods on I's children still show; what the denied calls would have shown is unknown");
        assert.match(run.stderr, /^ecrx: warning: the in-use check is incomplete: ECS denied cluster prod \(AccessDeniedException: User: arn:aws:iam::123456789012:user\/ci is not authorized to perform: ecs:ListTasks .*\)\. Grant the IAM permission ecs:ListTasks; /m);
        assert.match(run.stderr, /^ecrx: warning: the in-use check is incomplete: Lambda denied function checkout \(AccessDeniedException: .*\)\. Grant the IAM permission lambda:GetFunction; /m);
        assert.match(run.stderr, /^ecrx: warning: the in-use check is incomplete: Kubernetes denied context shop-prod \(cronjobs is forbidden: User "ci" cannot list resource "cronjobs" in API group "batch" at the cluster scope\)\. Grant the RBAC permission list cronjobs.batch at cluster scope; /m);
    });

    it("lists in the context's namespace when cluster-wide listing is forbidden, and still warns about the rest", async () => {
        const fakes = await startFakes({ kubernetes: { deny: ["cronjobs", "pods"], denyInNamespace: ["pods"] } });
        try {
            const kubeconfig = path.join(folder, "namespaced");
            writeFileSync(kubeconfig, kubeconfigFor(fakes.kubernetes, TOKEN, "shop-prod", "ops"));
            const run = await withEnv(isolatedAwsEnv(folder, { ...DUMMY_CREDENTIALS, AWS_ENDPOINT_URL_ECR: fakes.ecr.endpoint }),
                () => runCli(["lifecycle", "plan", "--repository", "app", "--read-index-manifests", "--now", NOW, "--format", "json", "--in-use", "kubernetes", "--kubeconfig", kubeconfig]));
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(flaggedOf(run), [N], "CronJob ops/report was found in the namespace ops");
            assert.deepEqual(fakes.kubernetes.calls.filter((call) => call.namespace !== undefined).map((call) => `${call.list} in ${call.namespace}`).sort(),
                ["cronjobs in ops", "pods in ops"]);
            assert.match(run.stderr, /^ecrx: warning: the in-use check is incomplete: Kubernetes denied context shop-prod beyond its namespace ops \(cronjobs is forbidden: .*\)\. Grant the RBAC permission list cronjobs\.batch at cluster scope; /m);
            assert.match(run.stderr, /^ecrx: warning: the in-use check is incomplete: Kubernetes denied context shop-prod \(pods is forbidden: User "ci" cannot list resource "pods" in API group "" in the namespace "ops"\)\. Grant the RBAC permission list pods in namespace ops; /m);
        } finally {
            await stopFakes(fakes);
        }
    });

    it("with --fail-on-expire-in-use, a denied source fails the run", async () => {
        const { run } = await planWith({ ecs: { deny: ["ListClusters"] } }, "--fail-on-expire-in-use");
        assert.equal(run.code, 2);
        assert.match(run.stderr, /warning: the in-use check is incomplete: ECS denied the clusters of the region .*Grant the IAM permission ecs:ListClusters/);
        assert.match(run.stderr, /^ecrx: --fail-on-expire-in-use: 4 images in use would be expired or archived/m,
            "Lambda and Kubernetes still found theirs");
    });

    it("with --fail-on-expire-in-use, an incomplete check fails even when nothing found is at risk", async () => {
        const { run } = await planWith({ ecs: { deny: ["ListTasks"] }, lambda: { deny: ["ListFunctions"] }, kubernetes: { deny: ["cronjobs", "pods"] } },
            "--fail-on-expire-in-use");
        assert.equal(run.code, 2);
        assert.deepEqual(flaggedOf(run), []);
        assert.match(run.stderr, /^ecrx: --fail-on-expire-in-use: the in-use check is incomplete \(missing ecs:ListTasks, lambda:ListFunctions, list cronjobs.batch at cluster scope, list pods at cluster scope\), so some of the 6 images to expire or archive may be in use\.$/m);
    });
});
