// The scan gate's logic (issue #13): the settings and their errors, the thresholds and ignore rules, and the
// wait for ECR's scan against the fake ECR API in both answer shapes, with the states that break the SDK's waiter.
import { strict as assert } from "node:assert";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ProblemList, ValidationError } from "../sdk/validation/errors";
import { runScanGate, ScanGateInputs } from "../sdk/scan-gate/provider";
import { Clock, ScanGateError } from "../sdk/scan-gate/scan";
import { checkScanGate, ignoreEndsAt, isExpired, parseDuration, ScanGatePolicy, scanGatePolicy } from "../sdk/scan-gate/settings";
import { Finding, findingsOfPage, gateFailureMessage, judgeScan, ScannedImage } from "../sdk/scan-gate/verdict";
import { FakeBasicFinding, FakeEcr, FakeEnhancedFinding, FakeRepository, FakeScanState, startFakeEcr } from "./support/fake-ecr";

const ACCOUNT = "123456789012";
const REGION = "us-west-2";
const REPO = "app";
const URL = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPO}`;
const digestOf = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const NOW = Date.parse("2026-12-01T12:00:00Z");

const policyOf = (gate: unknown): ScanGatePolicy => scanGatePolicy(gate, "Image \"app\"")!;
const problemsOf = (gate: unknown): Array<{ propertyPath: string; reason: string }> => {
    const problems = new ProblemList();
    checkScanGate(gate, "scanGate", problems);
    return problems.problems;
};

const finding = (id: string, severity: Finding["severity"], extra: Partial<Finding> = {}): Finding => ({ id, severity, platforms: [], ...extra });
const image = (findings: Finding[], extra: Partial<ScannedImage> = {}): ScannedImage =>
    ({ digest: digestOf("a"), scanType: "ENHANCED", completedAt: "2026-12-01T11:59:00.000Z", findings, ...extra });

describe("scan gate settings", () => {
    it("parses durations in h, m and s, and nothing else", () => {
        assert.deepEqual(["90s", "10m", "1h", "1h30m", "1m30s", "2h0m5s"].map(parseDuration), [90, 600, 3600, 5400, 90, 7205]);
        for (const bad of ["", "10", "1d", "m", "10 m", "1.5m", "-1m", "1s1m"]) {
            assert.equal(parseDuration(bad), undefined, bad);
        }
    });

    it("defaults to failing on CRITICAL, waiting 10 minutes and failing on timeout", () => {
        assert.deepEqual(policyOf({}), { failOn: "CRITICAL", maxCounts: {}, ignore: [], onlyFixable: false, timeoutSeconds: 600, onTimeout: "fail" });
    });

    it("has no failOn of its own when maxCounts is given, so the limits alone decide", () => {
        assert.deepEqual(policyOf({ maxCounts: { HIGH: 3 } }).failOn, undefined);
        assert.equal(policyOf({ maxCounts: { HIGH: 3 }, failOn: "CRITICAL" }).failOn, "CRITICAL");
    });

    it("reports every broken field at once, each with the rule and the fix", () => {
        assert.deepEqual(problemsOf({
            failOn: "SEVERE",
            maxCounts: { CRITICAL: -1, HIGH: 1.5, SEVERE: 2 },
            ignore: [
                { id: "CVE-2024-1", reason: "not reachable" },
                { id: "CVE-2024-1", reason: "again" },
                { id: "CVE 2024", reason: "" },
                { id: "CVE-2024-2", reason: "ok", until: "2027-02-30" },
                { id: "CVE-2024-3", reason: "ok", untill: "2027-01-01" },
            ],
            onlyFixable: "yes",
            timeout: "2h",
            onTimeout: "skip",
            failon: "HIGH",
        }), [
            { propertyPath: "scanGate.failon", reason: "is not a field of scanGate; use one of failOn, maxCounts, ignore, onlyFixable, timeout, onTimeout (did you mean failOn?)." },
            { propertyPath: "scanGate.failOn", reason: "must be one of \"CRITICAL\", \"HIGH\", \"MEDIUM\", \"LOW\", but is \"SEVERE\"." },
            { propertyPath: "scanGate.maxCounts.SEVERE", reason: "is not a field of maxCounts; use one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED." },
            { propertyPath: "scanGate.maxCounts.CRITICAL", reason: "must be a whole number of findings, 0 or more, but is -1." },
            { propertyPath: "scanGate.maxCounts.HIGH", reason: "must be a whole number of findings, 0 or more, but is 1.5." },
            { propertyPath: "scanGate.ignore[1].id", reason: "repeats \"CVE-2024-1\" from scanGate.ignore[0]: list each finding once." },
            { propertyPath: "scanGate.ignore[2].id", reason: "must be a vulnerability id as ECR reports it, such as \"CVE-2024-1234\", but is \"CVE 2024\"." },
            { propertyPath: "scanGate.ignore[2].reason", reason: "is required: say why running the image with this finding is acceptable, so the next reader knows." },
            { propertyPath: "scanGate.ignore[3].until", reason: "must be a date \"YYYY-MM-DD\" (ignored through that day, UTC) or an ISO 8601 time, but is \"2027-02-30\"." },
            { propertyPath: "scanGate.ignore[4].untill", reason: "is not a field of an ignore entry; use one of id, reason, until (did you mean until?)." },
            { propertyPath: "scanGate.onlyFixable", reason: "must be true or false, but is \"yes\"." },
            { propertyPath: "scanGate.timeout", reason: "must be a duration from 1s to 1h such as \"90s\", \"10m\" or \"1m30s\", but is \"2h\"." },
            { propertyPath: "scanGate.onTimeout", reason: "must be \"fail\" or \"warn\", but is \"skip\"." },
        ]);
    });

    it("refuses a scanGate that is not an object, an empty maxCounts and an ignore that is not a list", () => {
        assert.deepEqual(problemsOf(true), [{ propertyPath: "scanGate", reason: "must be an object such as { failOn: \"HIGH\" }, but is true." }]);
        assert.deepEqual(problemsOf({ maxCounts: {}, ignore: "CVE-2024-1" }), [
            { propertyPath: "scanGate.maxCounts", reason: "is empty: give a limit for at least one severity, or leave maxCounts out." },
            { propertyPath: "scanGate.ignore", reason: "must be a list of { id, reason, until? }, but is \"CVE-2024-1\"." },
        ]);
        assert.throws(() => scanGatePolicy({ timeout: "0s" }, "Image \"app\""), (error: unknown) =>
            ValidationError.isInstance(error) && error.message.startsWith("Image \"app\" has 1 problem:\n  - scanGate.timeout: must be a duration from 1s to 1h"));
    });

    it("ignores a finding through the whole `until` day (UTC), and until the exact instant of a timestamp", () => {
        assert.equal(ignoreEndsAt("2027-01-31"), Date.parse("2027-02-01T00:00:00Z"));
        assert.equal(ignoreEndsAt("2027-01-31T08:00:00+02:00"), Date.parse("2027-01-31T06:00:00Z"));
        assert.equal(ignoreEndsAt("2027-13-01"), undefined);
        assert.equal(ignoreEndsAt("31/01/2027"), undefined);
        const entry = { id: "CVE-2024-1", reason: "r", until: "2027-01-31" };
        assert.equal(isExpired(entry, Date.parse("2027-01-31T23:59:59Z")), false);
        assert.equal(isExpired(entry, Date.parse("2027-02-01T00:00:00Z")), true);
        assert.equal(isExpired({ id: "CVE-2024-1", reason: "r" }, Number.MAX_SAFE_INTEGER), false);
    });
});

describe("scan gate verdict", () => {
    const mixed = [finding("CVE-1", "CRITICAL"), finding("CVE-2", "HIGH"), finding("CVE-3", "HIGH"), finding("CVE-4", "MEDIUM"), finding("CVE-5", "LOW")];

    it("failOn trips on a finding of that severity or worse, and on nothing milder", () => {
        const cases: Array<[Finding[], string, boolean]> = [
            [mixed, "CRITICAL", false], [mixed.slice(1), "CRITICAL", true], [mixed.slice(1), "HIGH", false],
            [mixed.slice(3), "HIGH", true], [mixed.slice(3), "MEDIUM", false], [mixed.slice(4), "MEDIUM", true], [mixed.slice(4), "LOW", false],
            [[finding("CVE-9", "INFORMATIONAL"), finding("CVE-8", "UNTRIAGED")], "LOW", true],
        ];
        for (const [findings, failOn, passes] of cases) {
            assert.equal(judgeScan(policyOf({ failOn }), [image(findings)], NOW).passed, passes, `${failOn} over ${findings.map((f) => f.severity)}`);
        }
        assert.deepEqual(judgeScan(policyOf({ failOn: "HIGH" }), [image(mixed)], NOW).breaches, ["3 findings are HIGH or worse (failOn: \"HIGH\")"]);
    });

    it("maxCounts allows exactly its limit per severity and fails one over", () => {
        assert.equal(judgeScan(policyOf({ maxCounts: { CRITICAL: 1, HIGH: 2 } }), [image(mixed)], NOW).passed, true);
        const over = judgeScan(policyOf({ maxCounts: { CRITICAL: 0, HIGH: 1, LOW: 1 } }), [image(mixed)], NOW);
        assert.deepEqual(over.breaches, ["1 CRITICAL finding, more than maxCounts.CRITICAL (0)", "2 HIGH findings, more than maxCounts.HIGH (1)"]);
        assert.deepEqual(over.findings.counts, { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1, INFORMATIONAL: 0, UNTRIAGED: 0 });
    });

    it("failOn and maxCounts together fail when either trips", () => {
        const policy = policyOf({ failOn: "CRITICAL", maxCounts: { MEDIUM: 0 } });
        assert.deepEqual(judgeScan(policy, [image(mixed.slice(1))], NOW).breaches, ["1 MEDIUM finding, more than maxCounts.MEDIUM (0)"]);
        assert.equal(judgeScan(policy, [image(mixed.slice(4))], NOW).passed, true);
    });

    it("an ignore entry in force takes its finding out of the counts and lists it with its reason", () => {
        const verdict = judgeScan(policyOf({ ignore: [{ id: "CVE-1", reason: "not reachable from the network", until: "2027-01-31" }] }),
            [image([finding("CVE-1", "CRITICAL", { package: "openssl 3.0.1" }), ...mixed.slice(1)])], NOW);
        assert.equal(verdict.passed, true);
        assert.equal(verdict.findings.counts.CRITICAL, 0);
        assert.deepEqual(verdict.findings.ignored, [{ id: "CVE-1", severity: "CRITICAL", package: "openssl 3.0.1", reason: "not reachable from the network", until: "2027-01-31" }]);
        assert.deepEqual(verdict.findings.expiredIgnores, []);
    });

    it("an expired ignore entry ignores nothing any more, and the output and the message say so", () => {
        const policy = policyOf({ ignore: [{ id: "CVE-1", reason: "waiting for the vendor", until: "2026-11-30" }] });
        const verdict = judgeScan(policy, [image(mixed)], NOW);
        assert.equal(verdict.passed, false);
        assert.deepEqual(verdict.findings.ignored, []);
        assert.deepEqual(verdict.findings.expiredIgnores, [{ id: "CVE-1", until: "2026-11-30", reason: "waiting for the vendor" }]);
        assert.match(gateFailureMessage("Image \"app\"", verdict, policy), /The ignore entry for CVE-1 expired on 2026-11-30, so it counts again\./);
    });

    it("an ignore entry for an id the scan does not report changes nothing", () => {
        const verdict = judgeScan(policyOf({ ignore: [{ id: "CVE-404", reason: "r" }] }), [image(mixed)], NOW);
        assert.equal(verdict.passed, false);
        assert.deepEqual(verdict.findings.ignored, []);
    });

    it("onlyFixable leaves out findings without a fix, keeps partial fixes, and counts findings whose fix is unknown", () => {
        const findings = [
            finding("CVE-1", "CRITICAL", { fixable: false }), finding("CVE-2", "CRITICAL", { fixable: true }),
            finding("CVE-3", "HIGH", { fixable: false }), finding("CVE-4", "HIGH"),
        ];
        const verdict = judgeScan(policyOf({ onlyFixable: true, maxCounts: { CRITICAL: 5 } }), [image(findings)], NOW);
        assert.deepEqual(verdict.findings.counts, { CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNTRIAGED: 0 });
        assert.equal(judgeScan(policyOf({ onlyFixable: true }), [image([findings[0], findings[2]])], NOW).passed, true);
        assert.equal(judgeScan(policyOf({}), [image([findings[0]])], NOW).passed, false);
    });

    it("counts a finding present in several platform images of an index once, naming the platforms", () => {
        const verdict = judgeScan(policyOf({ failOn: "HIGH" }), [
            image([finding("CVE-1", "HIGH", { package: "zlib 1.2" })], { digest: digestOf("b"), platform: "linux/amd64" }),
            image([finding("CVE-1", "HIGH", { package: "zlib 1.2" }), finding("CVE-2", "LOW")], { digest: digestOf("c"), platform: "linux/arm64" }),
        ], NOW);
        assert.equal(verdict.findings.counts.HIGH, 1);
        assert.deepEqual(verdict.counted[0].platforms, ["linux/amd64", "linux/arm64"]);
        assert.deepEqual(verdict.findings.images, [{ digest: digestOf("b"), platform: "linux/amd64" }, { digest: digestOf("c"), platform: "linux/arm64" }]);
    });

    it("reads both answer shapes into one form, rating UNDEFINED as UNTRIAGED and leaving out findings Inspector closed", () => {
        assert.deepEqual(findingsOfPage({
            findings: [{ name: "CVE-2019-1", severity: "HIGH", attributes: [{ key: "package_name", value: "bash" }, { key: "package_version", value: "5.0" }] },
                { name: "CVE-2019-2", severity: "UNDEFINED" }],
            enhancedFindings: [
                { severity: "CRITICAL", status: "ACTIVE", fixAvailable: "PARTIAL", packageVulnerabilityDetails: { vulnerabilityId: "GHSA-aaaa",
                    vulnerablePackages: [{ name: "lodash", version: "4.17.20", fixedInVersion: "4.17.21" }, { name: "lodash-es", version: "4.17.20", fixedInVersion: "NotAvailable" }] } },
                { severity: "HIGH", status: "CLOSED", packageVulnerabilityDetails: { vulnerabilityId: "CVE-2020-9" } },
            ],
        }), [
            { id: "CVE-2019-1", severity: "HIGH", package: "bash 5.0", platforms: [] },
            { id: "CVE-2019-2", severity: "UNTRIAGED", platforms: [] },
            { id: "GHSA-aaaa", severity: "CRITICAL", package: "lodash 4.17.20, lodash-es 4.17.20", fixedIn: "4.17.21", fixable: true, platforms: [] },
        ]);
    });

    it("fails with one message: the breach, the counts, the top findings with their fixes, and how to ignore one on purpose", () => {
        const policy = policyOf({ failOn: "HIGH", ignore: [{ id: "CVE-7", reason: "r" }] });
        const findings = [
            finding("CVE-2", "HIGH", { package: "curl 7.1", fixedIn: "7.2", fixable: true }),
            finding("CVE-1", "CRITICAL", { package: "openssl 3.0.1", fixedIn: "3.0.13", fixable: true }),
            finding("CVE-3", "MEDIUM", { package: "zlib 1.2", fixable: false }),
            finding("CVE-7", "CRITICAL"),
            ...Array.from({ length: 10 }, (_, i) => finding(`CVE-10${i}`, "LOW")),
        ];
        const message = gateFailureMessage("Image \"app\" (repo@sha256:abc)", judgeScan(policy, [image(findings)], NOW), policy);
        const lines = message.split("\n");
        assert.equal(lines[0], "Image \"app\" (repo@sha256:abc) did not pass the scan gate: 2 findings are HIGH or worse (failOn: \"HIGH\").");
        assert.equal(lines[1], "  Counted findings: CRITICAL 1, HIGH 1, MEDIUM 1, LOW 10; ignored on purpose: CVE-7.");
        assert.equal(lines[2], "  Top findings (10 of 13):");
        assert.equal(lines[3], "    CRITICAL      CVE-1  openssl 3.0.1  fixed in 3.0.13");
        assert.equal(lines[4], "    HIGH          CVE-2  curl 7.1  fixed in 7.2");
        assert.equal(lines[5], "    MEDIUM        CVE-3  zlib 1.2  no fix yet");
        assert.equal(lines[6], "    LOW           CVE-100  (package not named)  fix not reported");
        assert.equal(lines.length, 15);
        assert.match(lines[14], /scanGate: \{ ignore: \[\{ id: "CVE-1", reason: "<why it is safe>", until: "<YYYY-MM-DD>" \}\] \}\.$/);
        assert.match(lines[13], /imageUri was not updated, so nothing that runs this image was changed/);
    });
});

// ---- Against the fake ECR --------------------------------------------------------------------------

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const manifest = (mediaType = OCI_MANIFEST) => JSON.stringify({ schemaVersion: 2, mediaType, config: {}, layers: [] });

/** A clock that never waits: sleeping moves time on. */
class FakeClock implements Clock {
    readonly sleeps: number[] = [];
    constructor(private time = NOW) {}
    now(): number {
        return this.time;
    }
    async sleep(ms: number): Promise<void> {
        this.sleeps.push(ms);
        this.time += ms;
    }
}

const basic = (name: string, severity: string, pkg = "libc"): FakeBasicFinding =>
    ({ name, severity, attributes: [{ key: "package_name", value: pkg }, { key: "package_version", value: "1.0" }] });
const enhanced = (id: string, severity: string, fixedInVersion?: string): FakeEnhancedFinding => ({
    severity, status: "ACTIVE", fixAvailable: fixedInVersion !== undefined ? "YES" : "NO",
    packageVulnerabilityDetails: { vulnerabilityId: id, vulnerablePackages: [{ name: "openssl", version: "3.0.1", ...(fixedInVersion ? { fixedInVersion } : {}) }] },
});
const COMPLETED_AT = Math.floor(NOW / 1000) - 30;

describe("scan gate against the fake ECR", function () {
    let fake: FakeEcr;
    const repositories: Record<string, FakeRepository> = {};
    let clock: FakeClock;

    before(async () => {
        fake = await startFakeEcr(repositories, 2); // two findings per page, so every listing of three or more pages
    });
    after(async () => fake.close());
    beforeEach(() => {
        clock = new FakeClock();
        fake.requests.length = 0;
        for (const key of Object.keys(repositories)) {
            delete repositories[key];
        }
    });

    /** The repository holds one pushed image whose scan moves through `states`. */
    function pushed(states: FakeScanState[], digest = digestOf("a")): string {
        repositories[REPO] = { registryId: ACCOUNT, images: [{ imageDigest: digest, imagePushedAt: COMPLETED_AT }], manifests: { [digest]: manifest() }, scans: { [digest]: states } };
        return digest;
    }

    function gate(digest: string, gateArgs: unknown = {}): Promise<unknown> {
        const inputs: ScanGateInputs = { imageName: "app", imageUri: `${URL}@${digest}`, policy: policyOf(gateArgs) };
        return runScanGate(inputs, {
            clock,
            client: (region) => new ECRClient({ region, endpoint: fake.endpoint, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" } }),
        });
    }

    const scanRequests = () => fake.requests.filter((r) => r.operation === "DescribeImageScanFindings");

    it("basic shape: waits through ScanNotFound and IN_PROGRESS, then reads every page", async () => {
        const findings = [basic("CVE-1", "HIGH"), basic("CVE-2", "MEDIUM"), basic("CVE-3", "LOW"), basic("CVE-4", "LOW"), basic("CVE-5", "INFORMATIONAL")];
        const digest = pushed([{ notFound: true }, { status: "IN_PROGRESS" }, { status: "IN_PROGRESS" }, { status: "COMPLETE", completedAt: COMPLETED_AT, findings }]);
        const outs = await gate(digest) as { scanFindings: any };
        assert.deepEqual(outs.scanFindings.counts, { CRITICAL: 0, HIGH: 1, MEDIUM: 1, LOW: 2, INFORMATIONAL: 1, UNTRIAGED: 0 });
        assert.equal(outs.scanFindings.scanType, "BASIC");
        assert.equal(outs.scanFindings.completedAt, new Date(COMPLETED_AT * 1000).toISOString());
        assert.deepEqual(scanRequests().map((r) => r.body.nextToken === undefined ? "first" : "next"), ["first", "first", "first", "first", "next", "next"]);
        assert.deepEqual(clock.sleeps, [1000, 2000, 4000], "polls back off, and never through the SDK's waiter");
        assert.deepEqual(fake.unsigned, []);
    });

    it("enhanced shape: a COMPLETE status without findings is not trusted; ACTIVE (continuous scanning) with findings is done", async () => {
        const digest = pushed([{ status: "COMPLETE" }, { status: "COMPLETE" },
            { status: "ACTIVE", completedAt: COMPLETED_AT, enhancedFindings: [enhanced("CVE-2024-1", "CRITICAL", "3.0.13"), enhanced("CVE-2024-2", "HIGH"), enhanced("CVE-2024-3", "HIGH")] }]);
        await assert.rejects(gate(digest), (error: unknown) => {
            assert.ok(error instanceof ScanGateError);
            assert.match(error.message, /^Image "app" \(123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com\/app@sha256:aaaaaaaaaaaa\) did not pass the scan gate: 1 finding is CRITICAL or worse/);
            assert.match(error.message, /CRITICAL {6}CVE-2024-1 {2}openssl 3\.0\.1 {2}fixed in 3\.0\.13/);
            assert.match(error.message, /Counted findings: CRITICAL 1, HIGH 2\./);
            return true;
        });
        assert.equal(scanRequests().filter((r) => r.body.nextToken === undefined).length, 3);
        assert.equal(scanRequests().filter((r) => r.body.nextToken !== undefined).length, 1, "the second page of three findings");
    });

    it("enhanced shape passes with the ignored and unfixable findings accounted for", async () => {
        const digest = pushed([{ status: "ACTIVE", completedAt: COMPLETED_AT, enhancedFindings: [enhanced("CVE-2024-1", "CRITICAL", "3.0.13"), enhanced("CVE-2024-2", "CRITICAL")] }]);
        const outs = await gate(digest, { onlyFixable: true, ignore: [{ id: "CVE-2024-1", reason: "patched in the base image next week", until: "2027-01-31" }] }) as { scanFindings: any };
        assert.equal(outs.scanFindings.scanType, "ENHANCED");
        assert.deepEqual(outs.scanFindings.counts.CRITICAL, 0);
        assert.deepEqual(outs.scanFindings.ignored.map((f: any) => f.id), ["CVE-2024-1"]);
        assert.equal(outs.scanFindings.timedOut, false);
    });

    for (const [status, description] of [["FAILED", "Unable to scan: the image layers could not be read."], ["UNSUPPORTED_IMAGE", "UnsupportedImageError: The operating system 'windows' is not supported"]] as const) {
        it(`a scan that ends ${status} fails the gate with ECR's reason`, async () => {
            const digest = pushed([{ status: "IN_PROGRESS" }, { status, description }]);
            await assert.rejects(gate(digest), (error: unknown) => error instanceof ScanGateError &&
                error.message.includes(`ECR's scan of image sha256:aaaaaaaaaaaa ended ${status}: ${description}`) &&
                error.message.includes("The gate cannot judge an image it has no findings for, so the image does not pass."));
        });
    }

    it("a scan that never completes fails after the timeout, or with onTimeout warn lets the image through marked timed out", async () => {
        const digest = pushed([{ status: "IN_PROGRESS" }]);
        await assert.rejects(gate(digest, { timeout: "1m" }), (error: unknown) => error instanceof ScanGateError &&
            error.message.includes("did not pass the scan gate: it waited 60 s for ECR's scan of image sha256:aaaaaaaaaaaa, which did not finish.") &&
            error.message.includes("turn on scanOnPush"));
        assert.equal(clock.now() - NOW, 60_000, "it waited exactly the timeout");
        assert.ok(clock.sleeps.every((ms) => ms <= 10_000), "polls at most 10 s apart");
        clock = new FakeClock();
        const outs = await gate(digest, { timeout: "30s", onTimeout: "warn" }) as { scanFindings: any };
        assert.equal(outs.scanFindings.timedOut, true);
        assert.equal(outs.scanFindings.completedAt, undefined);
    });

    it("an image index: each platform image is scanned, the attestation manifest is not, and the findings are merged", async () => {
        const index = digestOf("1");
        const amd64 = digestOf("2");
        const arm64 = digestOf("3");
        const attestation = digestOf("4");
        repositories[REPO] = {
            registryId: ACCOUNT,
            images: [{ imageDigest: index, imagePushedAt: COMPLETED_AT }],
            manifests: {
                [index]: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
                    { mediaType: OCI_MANIFEST, digest: amd64, platform: { os: "linux", architecture: "amd64" } },
                    { mediaType: OCI_MANIFEST, digest: arm64, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
                    { mediaType: OCI_MANIFEST, digest: attestation, platform: { os: "unknown", architecture: "unknown" },
                        annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amd64 } },
                ] }),
                [amd64]: manifest(), [arm64]: manifest(), [attestation]: manifest(),
            },
            scans: {
                [amd64]: [{ status: "COMPLETE", completedAt: COMPLETED_AT, findings: [basic("CVE-1", "HIGH")] }],
                [arm64]: [{ status: "IN_PROGRESS" }, { status: "COMPLETE", completedAt: COMPLETED_AT + 5, findings: [basic("CVE-1", "HIGH"), basic("CVE-2", "CRITICAL", "musl")] }],
                [attestation]: [{ status: "UNSUPPORTED_IMAGE", description: "not an image" }],
            },
        };
        await assert.rejects(gate(index), (error: unknown) => error instanceof ScanGateError &&
            /CRITICAL {6}CVE-2 {2}musl 1\.0 {2}fix not reported {2}\[linux\/arm64\/v8\]/.test(error.message) &&
            /HIGH {10}CVE-1 {2}libc 1\.0 {2}fix not reported {2}\[linux\/amd64, linux\/arm64\/v8\]/.test(error.message));
        assert.deepEqual([...new Set(scanRequests().map((r) => (r.body.imageId as any).imageDigest))], [amd64, arm64]);
        const outs = await gate(index, { failOn: "CRITICAL", ignore: [{ id: "CVE-2", reason: "musl is not loaded at run time" }] }) as { scanFindings: any };
        assert.deepEqual(outs.scanFindings.images, [{ digest: amd64, platform: "linux/amd64" }, { digest: arm64, platform: "linux/arm64/v8" }]);
        assert.equal(outs.scanFindings.completedAt, new Date((COMPLETED_AT + 5) * 1000).toISOString(), "the last child's completion");
    });

    it("an index of attestations only is a gate failure, and a non-ECR image is refused", async () => {
        const index = digestOf("5");
        repositories[REPO] = { registryId: ACCOUNT, images: [], manifests: { [index]: JSON.stringify({ mediaType: "application/vnd.oci.image.index.v1+json",
            manifests: [{ digest: digestOf("6"), annotations: { "vnd.docker.reference.type": "attestation-manifest" } }] }) } };
        await assert.rejects(gate(index), /lists no image that ECR can scan \(only attestations\)/);
        await assert.rejects(runScanGate({ imageName: "app", imageUri: `registry.example.com/app@${index}`, policy: policyOf({}) }),
            /the scan gate needs an ECR image, but "registry\.example\.com\/app@sha256:5{64}" is not one\./);
    });

    it("ECR's refusal is explained with the repository and what the gate needs", async () => {
        await assert.rejects(gate(digestOf("7")), (error: unknown) => error instanceof ScanGateError &&
            error.message.startsWith("Image \"app\" (123456789012.dkr.ecr.us-west-2.amazonaws.com/app@sha256:777777777777): the scan gate could not read app from ECR: RepositoryNotFoundException"));
    });
});
