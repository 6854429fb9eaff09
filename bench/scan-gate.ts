// `npm run bench:scan-gate`: what the scan gate costs beyond ECR's own answers. Against the fake ECR on
// 127.0.0.1, a finished enhanced scan with N findings in pages of 1000 (ECR's largest page); each round runs
// the whole gate (BatchGetImage, every page, judging, the message) and, as the baseline in the same run, only
// reading the same pages with the SDK's paginator. Not a test: it prints medians and their ratio.
import { ECRClient, paginateDescribeImageScanFindings } from "@aws-sdk/client-ecr";
import { runScanGate } from "../sdk/scan-gate/provider";
import { scanGatePolicy } from "../sdk/scan-gate/settings";
import { FakeEnhancedFinding, startFakeEcr } from "../tests/support/fake-ecr";
import { median } from "./median";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SIZES = [1_000, 10_000];
const ACCOUNT = "123456789012";
const REGION = "us-west-2";
const DIGEST = `sha256:${"b".repeat(64)}`;
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];

function findings(count: number): FakeEnhancedFinding[] {
    return Array.from({ length: count }, (_, i) => ({
        severity: SEVERITIES[i % SEVERITIES.length], status: "ACTIVE", fixAvailable: i % 2 === 0 ? "YES" : "NO",
        packageVulnerabilityDetails: { vulnerabilityId: `CVE-2024-${10000 + i}`, vulnerablePackages: [{ name: `pkg${i % 97}`, version: "1.0", fixedInVersion: "1.1" }] },
    }));
}

async function main(): Promise<void> {
    const client = () => new ECRClient({ region: REGION, endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" } });
    const repositories = { app: { registryId: ACCOUNT, images: [{ imageDigest: DIGEST, imagePushedAt: 1_780_000_000 }],
        manifests: { [DIGEST]: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] }) },
        scans: {} as Record<string, any> } };
    const fake = await startFakeEcr(repositories, 1000);
    // A limit no scan reaches: every round passes and returns its counts, which the round checks.
    const policy = scanGatePolicy({ maxCounts: { CRITICAL: 1_000_000 } }, "bench")!;
    const inputs = { imageName: "bench", imageUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app@${DIGEST}`, policy };
    const environment = { clock: { now: () => Date.now(), sleep: async () => undefined }, client: () => client() };
    try {
        for (const size of SIZES) {
            repositories.app.scans[DIGEST] = [{ status: "ACTIVE", completedAt: 1_780_000_000, enhancedFindings: findings(size) }];
            const gate: number[] = [];
            const pagesOnly: number[] = [];
            for (let round = 0; round < RUNS + 1; round++) {
                let start = performance.now();
                const outs = await runScanGate(inputs, environment);
                const gateMs = performance.now() - start;
                const reader = client();
                start = performance.now();
                let read = 0;
                for await (const page of paginateDescribeImageScanFindings({ client: reader, pageSize: 1000 },
                    { registryId: ACCOUNT, repositoryName: "app", imageId: { imageDigest: DIGEST } })) {
                    read += page.imageScanFindings?.enhancedFindings?.length ?? 0;
                }
                const pagesMs = performance.now() - start;
                reader.destroy();
                if (read !== size || outs.scanFindings.counts.CRITICAL !== size / SEVERITIES.length) {
                    throw new Error(`read ${read} findings, counted ${outs.scanFindings.counts.CRITICAL} critical; expected ${size} and ${size / SEVERITIES.length}`);
                }
                if (round > 0) { // the first round warms up the SDK and the fake
                    gate.push(gateMs);
                    pagesOnly.push(pagesMs);
                }
            }
            console.log(`${size} findings (${size / 1000} pages), median of ${RUNS}: gate ${median(gate).toFixed(1)} ms, ` +
                `pages alone ${median(pagesOnly).toFixed(1)} ms, ratio ${(median(gate) / median(pagesOnly)).toFixed(2)}`);
        }
    } finally {
        await fake.close();
    }
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
