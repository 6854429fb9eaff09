// An Image with a scan gate in a TypeScript program (issue #13), on Pulumi's mocked runtime: the gate is a
// dynamic resource, and the mock engine creates it the way the engine's dynamic provider host does, by
// loading the provider code serialized into the registration and calling its create against the fake ECR.
// What a user must be able to rely on: nothing that consumes imageUri is registered when the gate fails.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { scanGateProvider } from "../sdk/scan-gate/provider";
import { scanGatePolicy } from "../sdk/scan-gate/settings";
import { FakeEcr, FakeRepository, FakeScanState, startFakeEcr } from "./support/fake-ecr";
import { FAKE_ACCOUNT, FAKE_REGION, isKnownOutput, settle, valueOf } from "../sdk/testing";
import { installMocks, MockCloud } from "./support/mocks";
import { ensureBuilt, ROOT } from "./support/plugin";
import { quiesce, UnhandledRejections } from "./support/rejections";

type Ecrx = typeof import("../sdk");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const requireFromString: (code: string, filename: string) => { handler(): pulumi.dynamic.ResourceProvider } = require("require-from-string");

const DYNAMIC_GATE = "pulumi-nodejs:dynamic/ecrx:ScanGate";
const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const FAKE_SECRET_KEY = "fake-secret-access-key-for-the-gate";
const OCI_MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });
const CRITICAL_SCAN: FakeScanState[] = [{ status: "IN_PROGRESS" }, {
    status: "COMPLETE", completedAt: 1_780_000_000,
    findings: [{ name: "CVE-2024-6387", severity: "CRITICAL", attributes: [{ key: "package_name", value: "openssh" }, { key: "package_version", value: "9.6" }] }],
}];

describe("Image scanGate in a TypeScript program (mocks, dynamic resource, fake ECR)", function () {
    this.timeout(120_000);
    let ecrx: Ecrx;
    let lambda: typeof import("@pulumi/aws/lambda");
    let cloud: MockCloud;
    let fake: FakeEcr;
    const repositories: Record<string, FakeRepository> = {};
    const unhandled = new UnhandledRejections();
    const savedEnv = { ...process.env };
    let dir: string;
    /** A program's folder with ecrx installed in its node_modules, where the engine starts the dynamic provider. */
    let programDir: string;
    /** The scan each image pushed in a test gets. */
    let scan: FakeScanState[];

    before(async () => {
        ensureBuilt(); // the serialized provider loads the gate from the package by name, as an installed ecrx would be loaded
        cloud = installMocks();
        ecrx = await import("../sdk");
        lambda = await import("@pulumi/aws/lambda");
        fake = await startFakeEcr(repositories, 100);
        // The gate's ECR client reads the standard environment, as it would in the engine's provider process.
        Object.assign(process.env, { AWS_ENDPOINT_URL_ECR: fake.endpoint, AWS_ACCESS_KEY_ID: "AKIDGATE", AWS_SECRET_ACCESS_KEY: FAKE_SECRET_KEY });
        delete process.env.AWS_PROFILE;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-gate-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM public.ecr.aws/docker/library/alpine:3.20\n");
        programDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-gate-program-"));
        fs.mkdirSync(path.join(programDir, "node_modules"));
        fs.symlinkSync(ROOT, path.join(programDir, "node_modules", "ecrx"), "dir");
        unhandled.install();
    });
    after(async () => {
        unhandled.uninstall();
        cloud.creators.delete(DYNAMIC_GATE);
        process.env = savedEnv;
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(programDir, { recursive: true, force: true });
        await fake.close();
    });
    beforeEach(() => {
        cloud.reset();
        scan = CRITICAL_SCAN;
        // The engine's part: run the serialized provider's create. The registry already holds what docker-build pushed.
        cloud.creators.set(DYNAMIC_GATE, async (_name, inputs) => {
            const [url, digest] = String(inputs.imageUri).split("@");
            repositories[url.slice(url.indexOf("/") + 1)] = { registryId: FAKE_ACCOUNT, images: [{ imageDigest: digest, imagePushedAt: 1_780_000_000 }],
                manifests: { [digest]: OCI_MANIFEST }, scans: { [digest]: scan } };
            // As the dynamic provider host loads it: modules resolve from the program's folder.
            const { outs } = await requireFromString(inputs.__provider, path.join(programDir, "provider.js")).handler().create(inputs);
            return outs;
        });
    });

    /** The program: a repository, a gated image, and a Lambda function that runs it. */
    async function program(scanGate: Record<string, unknown> = { failOn: "HIGH" }) {
        const repo = new ecrx.Repository("app");
        const image = repo.buildAndPushImage({ context: dir, scanGate });
        const fn = new lambda.Function("fn", { packageType: "Image", imageUri: image.imageUri, role: `arn:aws:iam::${FAKE_ACCOUNT}:role/fn` });
        await quiesce();
        return { image, fn };
    }

    it("when the gate fails, the function that runs imageUri is never registered, and the deployment fails with the gate's message", async () => {
        const { image } = await program();
        await assert.rejects(valueOf(image.imageUri), /did not pass the scan gate: 1 finding is HIGH or worse \(failOn: "HIGH"\)[\s\S]*CRITICAL {6}CVE-2024-6387 {2}openssh 9\.6/);
        assert.deepEqual(cloud.ofType(LAMBDA_FUNCTION), [], "nothing that runs the image was touched");
        assert.equal(cloud.ofType("docker-build:index:Image").length, 1, "the image itself was pushed");
        unhandled.expectOnly((reason) => assert.match(String(reason), /did not pass the scan gate/));
    });

    it("when the gate passes, the function gets the digest-pinned imageUri and scanFindings reports what the gate saw", async () => {
        scan = [{ status: "COMPLETE", completedAt: 1_780_000_000, findings: [{ name: "CVE-2023-1", severity: "MEDIUM" }] }];
        const { image } = await program();
        const [fn] = cloud.ofType(LAMBDA_FUNCTION);
        const digest = await valueOf(image.digest);
        assert.equal(fn.inputs.imageUri, `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/app-abc1234@${digest}`);
        assert.equal(await valueOf(image.imageUri), fn.inputs.imageUri);
        const findings = await valueOf(image.scanFindings!);
        assert.deepEqual(findings.counts, { CRITICAL: 0, HIGH: 0, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNTRIAGED: 0 });
        assert.equal(findings.completedAt, new Date(1_780_000_000_000).toISOString());
        unhandled.expectOnly((reason) => assert.fail(`unexpected rejection: ${reason}`));
    });

    it("an ignore entry lets the finding through on purpose, and the output lists it with its reason", async () => {
        const { image } = await program({ ignore: [{ id: "CVE-2024-6387", reason: "sshd is not started in this image", until: "2099-12-31" }] });
        assert.equal(cloud.ofType(LAMBDA_FUNCTION).length, 1);
        assert.deepEqual((await valueOf(image.scanFindings!)).ignored,
            [{ id: "CVE-2024-6387", severity: "CRITICAL", package: "openssh 9.6", reason: "sshd is not started in this image", until: "2099-12-31" }]);
    });

    describe("warnings", () => {
        let warnings: string[];
        let originalWarn: typeof pulumi.log.warn;
        beforeEach(() => {
            warnings = [];
            originalWarn = pulumi.log.warn;
            // What a user sees in `pulumi up`; captured rather than printed.
            (pulumi.log as any).warn = (message: string) => void warnings.push(message);
        });
        afterEach(() => {
            (pulumi.log as any).warn = originalWarn;
        });

        it("an expired ignore entry warns at construction, and the gate counts its finding again", async () => {
            const { image } = await program({ ignore: [{ id: "CVE-2024-6387", reason: "waiting for the vendor", until: "2020-01-31" }] });
            assert.deepEqual(warnings, ["Image \"app\": scanGate.ignore entry CVE-2024-6387 expired on 2020-01-31, so the gate counts it again. " +
                "Renew until with a reason, or remove the entry."]);
            await assert.rejects(valueOf(image.imageUri), /The ignore entry for CVE-2024-6387 expired on 2020-01-31, so it counts again\./);
            assert.deepEqual(cloud.ofType(LAMBDA_FUNCTION), []);
            unhandled.expectOnly((reason) => assert.match(String(reason), /did not pass the scan gate/));
        });

        it("warns when the repository does not scan on push, since the gate would wait for a scan that never starts", async () => {
            scan = [{ status: "COMPLETE", completedAt: 1_780_000_000, findings: [] }];
            const repo = new ecrx.Repository("app", { scanOnPush: false });
            repo.buildAndPushImage({ context: dir, scanGate: {} });
            await quiesce();
            assert.deepEqual(warnings, ["Image \"app\": scanGate waits for ECR's scan of the pushed image, but the repository's scanOnPush is false. " +
                "Unless the registry's scanning configuration scans this repository, the gate waits until scanGate.timeout and fails: " +
                "turn scanOnPush on (the default), or leave scanGate out."]);
            await program({});
            assert.equal(warnings.length, 1, "not for a repository that scans on push");
        });

        it("onTimeout warn: a scan that never finishes lets the image through, with a warning and scanFindings.timedOut", async () => {
            scan = [{ status: "IN_PROGRESS" }];
            const { image } = await program({ timeout: "1s", onTimeout: "warn" });
            assert.equal(cloud.ofType(LAMBDA_FUNCTION).length, 1, "let through on purpose");
            const findings = await valueOf(image.scanFindings!);
            assert.equal(findings.timedOut, true);
            assert.equal(findings.completedAt, undefined);
            assert.deepEqual(warnings, ["Image \"app\": the scan did not finish within scanGate.timeout, and onTimeout is \"warn\", so the image " +
                "was let through unjudged; the next pulumi up checks it again."]);
        });
    });

    it("state holds a few lines that load the gate from the ecrx package by name, no credentials, and the gate's settings", async () => {
        scan = [{ status: "COMPLETE", completedAt: 1_780_000_000, findings: [] }];
        await program({ failOn: "HIGH", timeout: "5m" });
        const gate = cloud.one(DYNAMIC_GATE);
        const code = String(gate.inputs.__provider);
        assert.match(code, /require\(GATE_MODULE\)|ecrx\/scan-gate-provider/);
        assert.ok(code.includes("\"ecrx/scan-gate-provider\""), "the package export, resolved where the program's node_modules are");
        assert.ok(code.length < 2_000, `the serialized provider is ${code.length} characters: the gate's code must stay in the package`);
        for (const secret of [FAKE_SECRET_KEY, "AKIDGATE"]) {
            assert.ok(!JSON.stringify(gate.inputs).includes(secret), "no credential in the gate's inputs or code");
        }
        assert.deepEqual(Object.keys(gate.inputs).sort(), ["__provider", "imageName", "imageUri", "policy", "repository"]);
        assert.deepEqual(gate.inputs.policy, scanGatePolicy({ failOn: "HIGH", timeout: "5m" }, "x"));
    });

    it("re-checks only for a new digest or new gate settings, or after a timed-out pass; a no-op up checks nothing", async () => {
        const policy = scanGatePolicy({ failOn: "HIGH" }, "x")!;
        const inputs = { imageName: "app", imageUri: "123456789012.dkr.ecr.us-west-2.amazonaws.com/app@sha256:1", policy };
        const recorded = { ...inputs, scanFindings: { timedOut: false } as any };
        assert.deepEqual(await scanGateProvider.diff("app", recorded, inputs), { changes: false });
        assert.deepEqual(await scanGateProvider.diff("app", recorded, { ...inputs, imageUri: inputs.imageUri.replace("sha256:1", "sha256:2") }), { changes: true });
        assert.deepEqual(await scanGateProvider.diff("app", recorded, { ...inputs, policy: { ...policy, failOn: "CRITICAL" } }), { changes: true });
        assert.deepEqual(await scanGateProvider.diff("app", { ...recorded, scanFindings: { timedOut: true } as any }, inputs), { changes: true });
        assert.deepEqual(await scanGateProvider.diff("app", recorded, { ...inputs, awsProfile: "ci" }), { changes: false }, "a profile is how, not what");
        const reordered = Object.fromEntries(Object.entries(policy).reverse()) as typeof policy;
        assert.deepEqual(await scanGateProvider.diff("app", { ...recorded, policy: reordered }, inputs), { changes: false }, "state comes back in the engine's key order");
    });

    it("refuses bad settings before anything is registered, and a gate on a registry that is not ECR", async () => {
        await settle();
        cloud.reset();
        assert.throws(() => ecrx.buildAndPushImage("app", { context: dir, scanGate: { failOn: "BAD" as any, timeout: "forever" } }), (error: unknown) =>
            pulumi.InputPropertiesError.isInstance(error) && JSON.stringify(error.errors) === JSON.stringify([
                { propertyPath: "scanGate.failOn", reason: "must be one of \"CRITICAL\", \"HIGH\", \"MEDIUM\", \"LOW\", but is \"BAD\"." },
                { propertyPath: "scanGate.timeout", reason: "must be a duration from 1s to 1h such as \"90s\", \"10m\" or \"1m30s\", but is \"forever\"." },
            ]));
        assert.throws(() => new ecrx.Image("ext", { repositoryUrl: "registry.example.com/team/app", registry: { username: "u", password: "p" }, context: dir, scanGate: {} }),
            (error: unknown) => pulumi.InputPropertiesError.isInstance(error) && error.errors[0].propertyPath === "scanGate" &&
                error.errors[0].reason === "reads ECR's scan of the pushed image, but \"registry.example.com\" is not an ECR registry: leave scanGate out.");
        await settle();
        assert.deepEqual(cloud.registrations, []);
    });

    it("without scanGate nothing changes: no gate resource, and no scanFindings", async () => {
        const repo = new ecrx.Repository("app");
        const image = repo.buildAndPushImage(dir);
        await quiesce();
        assert.deepEqual(cloud.ofType(DYNAMIC_GATE), []);
        assert.equal(image.scanFindings, undefined);
        assert.ok(await isKnownOutput(image.imageUri));
    });
});
