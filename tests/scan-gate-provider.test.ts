// The scan gate through the component provider (issue #13), as a Python, Go, .NET, Java or YAML program uses
// it: the plugin constructs the Image, registers the gate as its own custom resource `ecrx:index:ScanGate`,
// and the engine (here the mock engine) asks the same plugin to create it, which reads the fake ECR.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FakeEcr, FakeRepository, FakeScanState, startFakeEcr } from "./support/fake-ecr";
import { FAKE_ACCOUNT, FAKE_REGION, MockEngine, resourceReference, UNKNOWN, WireValue } from "./support/mock-engine";
import { ensureBuilt, PluginProcess, ROOT } from "./support/plugin";
import { BUILD_AND_PUSH_IMAGE, DOCKER_BUILD_IMAGE, ECR_REPOSITORY, IMAGE_COMPONENT, REPOSITORY_COMPONENT } from "./support/tokens";

const SCAN_GATE = "ecrx:index:ScanGate";
const FAKE_SECRET_KEY = "fake-secret-access-key-of-the-plugin";
const ECR_HOST = `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com`;
const OCI_MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });
const COMPLETED_AT = 1_780_000_000;
const highFinding = { name: "CVE-2024-3094", severity: "HIGH", attributes: [{ key: "package_name", value: "xz-utils" }, { key: "package_version", value: "5.6.0" }] };

describe("scan gate through the provider plugin (run-plugin, mock engine, fake ECR)", function () {
    this.timeout(120_000);
    let engine: MockEngine;
    let plugin: PluginProcess;
    let fake: FakeEcr;
    const repositories: Record<string, FakeRepository> = {};
    let context: string;
    let scan: FakeScanState[];
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;

    before(async function () {
        this.timeout(300_000);
        ensureBuilt();
        context = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-gate-context-"));
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM public.ecr.aws/docker/library/alpine:3.20\n");
        fake = await startFakeEcr(repositories, 100);
        engine = await MockEngine.start();
        const env: NodeJS.ProcessEnv = {
            ...process.env, AWS_ENDPOINT_URL_ECR: fake.endpoint, AWS_ACCESS_KEY_ID: "AKIDPLUGIN", AWS_SECRET_ACCESS_KEY: FAKE_SECRET_KEY,
        };
        delete env.AWS_PROFILE;
        plugin = await PluginProcess.spawn(engine, ROOT, { env });
        await plugin.configure();
        // The engine's part: the plugin registered a custom resource of its own package, so the engine asks the
        // plugin to create it. The registry holds what docker-build pushed.
        engine.creators.set(SCAN_GATE, async (_name, urn, inputs) => {
            const [url, digest] = String(inputs.imageUri).split("@");
            repositories[url.slice(url.indexOf("/") + 1)] = { registryId: FAKE_ACCOUNT, images: [{ imageDigest: digest, imagePushedAt: COMPLETED_AT }],
                manifests: { [digest]: OCI_MANIFEST }, scans: { [digest]: scan } };
            return plugin.create(urn, inputs);
        });
    });
    after(async () => {
        await plugin?.close();
        await engine?.close();
        await fake?.close();
        fs.rmSync(context, { recursive: true, force: true });
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed") {
            console.error(`--- mock engine ---\n${engine.problems().join("\n")}\n--- plugin output ---\n${plugin.output}`);
        }
    });

    function constructImage(name: string, scanGate: Record<string, WireValue>, dryRun = false) {
        engine.beginDeployment({ dryRun });
        return plugin.construct(IMAGE_COMPONENT, name, { repositoryUrl: `${ECR_HOST}/${name}`, context, cache: false, scanGate }, { dryRun });
    }

    it("a failing gate fails Construct with the gate's message, so the program never receives imageUri", async () => {
        scan = [{ status: "IN_PROGRESS" }, { status: "COMPLETE", completedAt: COMPLETED_AT, findings: [highFinding] }];
        const failure = await PluginProcess.failure(constructImage("web", { failOn: "HIGH" }));
        assert.match(failure.details, /Image "web" \(123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com\/web@sha256:[0-9a-f]{12}\) did not pass the scan gate: 1 finding is HIGH or worse/);
        assert.match(failure.details, /HIGH {10}CVE-2024-3094 {2}xz-utils 5\.6\.0/);
        assert.match(failure.details, /ignore: \[\{ id: "CVE-2024-3094", reason: "<why it is safe>"/);
        assert.equal(engine.ofType(DOCKER_BUILD_IMAGE).length, 1, "the image was pushed; only what would run it is held back");
    });

    it("a passing gate: imageUri and scanFindings in the Construct state, the gate a resource of this plugin's version with no credentials", async () => {
        scan = [{ status: "COMPLETE", completedAt: COMPLETED_AT, findings: [highFinding] }];
        const result = await constructImage("api", { failOn: "CRITICAL" });
        const digest = engine.one(DOCKER_BUILD_IMAGE).outputs.digest;
        assert.equal(result.state.imageUri, `${ECR_HOST}/api@${digest}`);
        assert.deepEqual(result.state.scanFindings.counts, { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNTRIAGED: 0 });
        assert.equal(result.state.scanFindings.completedAt, new Date(COMPLETED_AT * 1000).toISOString());
        const gate = engine.one(SCAN_GATE);
        assert.equal(gate.custom, true);
        assert.equal(gate.version, version, "served by the plugin that constructed the Image");
        assert.equal(gate.parent, result.urn);
        assert.deepEqual(Object.keys(gate.object).sort(), ["imageName", "imageUri", "policy"]);
        for (const secret of [FAKE_SECRET_KEY, "AKIDPLUGIN"]) {
            assert.ok(!JSON.stringify([gate.object, gate.outputs, result.state]).includes(secret), "no credential in the gate's inputs, outputs or state");
        }
    });

    it("Repository.buildAndPushImage with scanGate returns imageUri only after the gate passes", async () => {
        scan = [{ status: "COMPLETE", completedAt: COMPLETED_AT, findings: [] }];
        engine.beginDeployment({ dryRun: false });
        const repository = await plugin.construct(REPOSITORY_COMPONENT, "svc", {}, { dryRun: false });
        const { outputs, failures } = await plugin.call(BUILD_AND_PUSH_IMAGE,
            { __self__: resourceReference(repository.urn), context, tags: ["v1"], cache: false, scanGate: { failOn: "HIGH" } },
            { dryRun: false, argDependencies: { __self__: [repository.urn] } });
        assert.deepEqual(failures, []);
        const url = `${ECR_HOST}/${engine.one(ECR_REPOSITORY).outputs.name}`;
        assert.equal(outputs.imageUri, `${url}@${engine.one(DOCKER_BUILD_IMAGE).outputs.digest}`);
        assert.equal(engine.one(SCAN_GATE).object.imageUri, outputs.imageUri);
    });

    it("in a preview the gate does not run and imageUri stays unknown", async () => {
        const result = await constructImage("preview", { failOn: "CRITICAL" }, true);
        assert.equal(result.state.imageUri, UNKNOWN);
        assert.equal(engine.one(SCAN_GATE).dryRun, true);
    });

    it("Diff over gRPC: nothing to do for the same digest and settings, an update for a new digest", async () => {
        scan = [{ status: "COMPLETE", completedAt: COMPLETED_AT, findings: [] }];
        await constructImage("diffed", {});
        const gate = engine.one(SCAN_GATE);
        const olds = gate.outputs;
        assert.equal(await plugin.diff(gate.urn, gate.id, olds, gate.object), "none");
        assert.equal(await plugin.diff(gate.urn, gate.id, olds, { ...gate.object, imageUri: `${ECR_HOST}/diffed@sha256:${"e".repeat(64)}` }), "some");
        const failure = await PluginProcess.failure(plugin.create(`urn:pulumi:dev::ecrx-test::ecrx:index:Other::x`, {}));
        assert.match(failure.details, /unknown resource type ecrx:index:Other; this provider serves the custom resource ecrx:index:ScanGate only/);
    });

    it("bad scanGate settings fail Construct with their property paths, before anything is registered", async () => {
        engine.beginDeployment({ dryRun: true });
        const failure = await PluginProcess.failure(constructImage("bad", { failOn: "URGENT", ignore: [{ id: "CVE-2024-1" }] }, true));
        assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath), ["scanGate.failOn", "scanGate.ignore[0].reason"]);
        assert.deepEqual(engine.registrations, []);
    });
});
