// `npm run bench:in-use`: times `ecrx lifecycle plan --in-use ecs,lambda,kubernetes` against fake ECR, ECS,
// Lambda and Kubernetes endpoints on 127.0.0.1 that answer after a fixed delay, as a region's round trip
// would: 20 clusters × 50 services (two running tasks each), 500 container-image functions with an alias,
// 1,000 pods and 500 Deployments, and a repository of 2,000 images. Baselines from the same run: the
// plan without --in-use, and discovery with one call in flight per source. Not a test: it prints.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { discoverInUse } from "../cli/in-use";
import { PolicyDocument } from "../sdk/lifecycle/types";
import { DUMMY_CREDENTIALS, isolatedAwsEnv, runCli } from "../tests/support/cli";
import { FakeImage, startFakeEcr } from "../tests/support/fake-ecr";
import { FakeCluster, FakeContainer, startFakeEcs } from "../tests/support/fake-ecs";
import { kubeconfigFor, startFakeKubernetes } from "../tests/support/fake-kubernetes";
import { FakeFunction, startFakeLambda } from "../tests/support/fake-lambda";
import { median } from "./median";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SEQUENTIAL_ROUNDS = 3;
const CLUSTERS = 20;
const SERVICES_PER_CLUSTER = 50;
const FUNCTIONS = 500;
const PODS = 1000;
const DEPLOYMENTS = 500;
const IMAGES = 2000;
const NOW = "2025-06-01T00:00:00Z";
const REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app";
const TOKEN = "bench-token";

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const tag = (n: number) => `build-${n}`;

/** Keep the newest 100 builds: 1,900 images to expire, of which the workloads below use some. */
const POLICY: PolicyDocument = {
    rules: [{ rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["build-"], countType: "imageCountMoreThan", countNumber: 100 }, action: { type: "expire" } }],
};

function images(): FakeImage[] {
    return Array.from({ length: IMAGES }, (_, n) => ({ imageDigest: digest(n), imageTags: [tag(n)], imagePushedAt: 1_700_000_000 + n * 3600 }));
}

function ecsFleet(): { clusters: Record<string, FakeCluster>; taskDefinitions: Record<string, FakeContainer[]> } {
    const clusters: Record<string, FakeCluster> = {};
    const taskDefinitions: Record<string, FakeContainer[]> = {};
    for (let c = 0; c < CLUSTERS; c++) {
        const cluster: FakeCluster = { services: [], tasks: [] };
        for (let s = 0; s < SERVICES_PER_CLUSTER; s++) {
            const n = c * SERVICES_PER_CLUSTER + s;
            const revision = `svc-${n}:1`;
            taskDefinitions[revision] = [{ name: "app", image: `${REPOSITORY}:${tag(n)}` }, { name: "sidecar", image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.40" }];
            cluster.services.push({ serviceName: `svc-${n}`, taskDefinition: revision });
            for (let t = 0; t < 2; t++) {
                cluster.tasks.push({ group: `service:svc-${n}`, taskDefinition: revision, containers: [{ name: "app", image: `${REPOSITORY}:${tag(n)}`, imageDigest: digest(n) }] });
            }
        }
        clusters[`cluster-${c}`] = cluster;
    }
    return { clusters, taskDefinitions };
}

function functions(): FakeFunction[] {
    return Array.from({ length: FUNCTIONS }, (_, n) => ({
        FunctionName: `fn-${n}`,
        PackageType: "Image",
        versions: {
            $LATEST: { ImageUri: `${REPOSITORY}:${tag(1000 + n)}`, ResolvedImageUri: `${REPOSITORY}@${digest(1000 + n)}` },
            1: { ImageUri: `${REPOSITORY}:${tag(1500 + (n % 400))}`, ResolvedImageUri: `${REPOSITORY}@${digest(1500 + (n % 400))}` },
        },
        aliases: [{ Name: "live", FunctionVersion: "1" }],
    }));
}

function kubernetesObjects() {
    const template = (n: number) => ({ spec: { containers: [{ name: "app", image: `${REPOSITORY}:${tag(n)}` }] } });
    return {
        pods: Array.from({ length: PODS }, (_, n) => ({
            metadata: { namespace: `ns-${n % 20}`, name: `pod-${n}` },
            ...template(n % DEPLOYMENTS),
            status: { containerStatuses: [{ name: "app", image: `${REPOSITORY}:${tag(n % DEPLOYMENTS)}`, imageID: `${REPOSITORY}@${digest(n % DEPLOYMENTS)}`, ready: true, restartCount: 0 }] },
        })),
        deployments: Array.from({ length: DEPLOYMENTS }, (_, n) => ({ metadata: { namespace: `ns-${n % 20}`, name: `deploy-${n}` }, spec: { selector: {}, template: template(n) } })),
    };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await action();
    return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
    const folder = mkdtempSync(path.join(tmpdir(), "ecrx-bench-in-use-"));
    const ecr = await startFakeEcr({ app: { registryId: "123456789012", images: images(), lifecyclePolicyText: JSON.stringify(POLICY) } }, 1000);
    const ecs = await startFakeEcs({ ...ecsFleet(), latencyMs: LATENCY_MS });
    const lambda = await startFakeLambda({ functions: functions(), latencyMs: LATENCY_MS });
    const kubernetes = await startFakeKubernetes({ token: TOKEN, objects: kubernetesObjects(), latencyMs: LATENCY_MS });
    const kubeconfig = path.join(folder, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigFor(kubernetes, TOKEN, "bench"));
    const saved = process.env;
    process.env = isolatedAwsEnv(folder, {
        ...DUMMY_CREDENTIALS,
        AWS_ENDPOINT_URL_ECR: ecr.endpoint,
        AWS_ENDPOINT_URL_ECS: ecs.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    });
    try {
        const planArgs = ["lifecycle", "plan", "--repository", "app", "--now", NOW, "--format", "json"];
        const withInUse = [...planArgs, "--in-use", "ecs,lambda,kubernetes", "--kubeconfig", kubeconfig];
        const check = await runCli(withInUse);
        if (check.code !== 0) {
            throw new Error(`the plan failed: ${check.stderr}`);
        }
        const flagged = (JSON.parse(check.stdout).images as Array<{ inUse?: unknown }>).filter((image) => image.inUse !== undefined).length;
        const calls = { ecs: ecs.calls.length, lambda: lambda.calls.length, kubernetes: kubernetes.calls.length };

        console.log(`in-use discovery: ${CLUSTERS} clusters × ${SERVICES_PER_CLUSTER} services (${CLUSTERS * SERVICES_PER_CLUSTER * 2} tasks), ` +
            `${FUNCTIONS} functions, ${PODS} pods + ${DEPLOYMENTS} Deployments; ${IMAGES} images, ${flagged} in use would expire.`);
        console.log(`every fake call answers after ${LATENCY_MS} ms; one plan makes ${calls.ecs} ECS, ${calls.lambda} Lambda and ` +
            `${calls.kubernetes} Kubernetes calls. ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}.\n`);

        const rounds = async (count: number, action: () => Promise<unknown>) => {
            const times: number[] = [];
            for (let round = 0; round < count; round++) {
                times.push(await timed(action));
            }
            return median(times);
        };
        const plain = await rounds(ROUNDS, () => runCli(planArgs));
        const full = await rounds(ROUNDS, () => runCli(withInUse));
        const discovery = (concurrency: number) => () => discoverInUse({ sources: ["ecs", "lambda", "kubernetes"], ecsClusters: [], kubeconfig, concurrency },
            "eu-west-1", { write: () => true });
        const bounded = await rounds(ROUNDS, discovery(8));
        const sequential = await rounds(SEQUENTIAL_ROUNDS, discovery(1));
        console.log("what                                           rounds  median ms");
        console.log(`plan without --in-use (ECR only)               ${String(ROUNDS).padStart(6)} ${plain.toFixed(0).padStart(10)}`);
        console.log(`plan --in-use ecs,lambda,kubernetes            ${String(ROUNDS).padStart(6)} ${full.toFixed(0).padStart(10)}   ${(full / plain).toFixed(1)}× the plan without`);
        console.log(`discovery alone, 8 calls in flight per source  ${String(ROUNDS).padStart(6)} ${bounded.toFixed(0).padStart(10)}`);
        console.log(`discovery alone, 1 call in flight per source   ${String(SEQUENTIAL_ROUNDS).padStart(6)} ${sequential.toFixed(0).padStart(10)}   ` +
            `${(sequential / bounded).toFixed(1)}× the bounded discovery`);
    } finally {
        process.env = saved;
        await Promise.all([ecr.close(), ecs.close(), lambda.close(), kubernetes.close()]);
        rmSync(folder, { recursive: true, force: true });
    }
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
