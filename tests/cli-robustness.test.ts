// `ecrx lifecycle plan` under a flaky network and hostile input (issue #14): it never hangs or pages forever,
// explains unreadable answers in one line, keeps long or nasty tags out of the terminal, reads the files
// PowerShell writes, refuses devices, ends quietly when its reader goes, masks credentials in URLs, and does
// not read index manifests (which ECR may record as pulls) unless asked.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { assertFailsWith, DUMMY_CREDENTIALS, isolatedAwsEnv, runCli, withEnv } from "./support/cli";
import { startFakeEcr } from "./support/fake-ecr";
import { Misbehaviour, startUnrulyEcr } from "./support/unruly-ecr";

const NOW = "2025-06-01T12:00:00Z";
const POLICY = { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }] };
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;

describe("ecrx lifecycle plan under faults and hostile input", function () {
    this.timeout(60_000);
    let folder: string;
    const file = (name: string, content: string | Buffer) => {
        const target = path.join(folder, name);
        writeFileSync(target, content);
        return target;
    };

    before(() => {
        folder = mkdtempSync(path.join(tmpdir(), "ecrx-robust-"));
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    const livePlan = (endpoint: string, ...extra: string[]) =>
        ["lifecycle", "plan", "--repository", "app", "--endpoint-url", endpoint, "--policy", file("policy.json", JSON.stringify(POLICY)), "--now", NOW, ...extra];

    async function againstUnruly(misbehaviour: Misbehaviour, ...extra: string[]) {
        const endpoint = await startUnrulyEcr(misbehaviour);
        try {
            const run = await withEnv(isolatedAwsEnv(folder, { ...DUMMY_CREDENTIALS, AWS_MAX_ATTEMPTS: "1" }), () => runCli(livePlan(endpoint.endpoint, ...extra)));
            return { run, requests: endpoint.requests, endpoint: endpoint.endpoint };
        } finally {
            await endpoint.close();
        }
    }

    const oneLine = (stderr: string) => assert.equal(stderr.trimEnd().split("\n").length, 1, `more than one line:\n${stderr}`);

    describe("timeouts", () => {
        it("a silent endpoint: gives up after --timeout with one line naming the request and the flag", async () => {
            const { run, endpoint } = await againstUnruly("silent", "--timeout", "0.5");
            assertFailsWith(run, `ecrx: ECR at ${endpoint} did not answer DescribeImages within 0.5 s; stopped. ` +
                "Check the network or --endpoint-url, or allow longer with --timeout SECONDS.\n");
            oneLine(run.stderr);
        });

        it("an answer that stalls mid-body: the same", async () => {
            const { run } = await againstUnruly("stall-mid-body", "--timeout", "0.5");
            assertFailsWith(run, /^ecrx: ECR at .* did not answer DescribeImages within 0\.5 s; stopped\./);
            oneLine(run.stderr);
        });

        it("the default is 30 s, shown in --help; a --timeout that is not a number is a usage error", async () => {
            assert.match((await runCli(["--help"])).stdout, /--timeout SECONDS +give up on a request ECR does not answer in time \(default: 30\)/);
            assertFailsWith(await runCli(livePlan("http://127.0.0.1:9", "--timeout", "soon")), "--timeout must be a number of seconds");
            assertFailsWith(await runCli(["lifecycle", "plan", "--policy", "p", "--images", "i", "--timeout", "5"]), "--timeout only applies to live plans");
        });
    });

    describe("pagination that never ends", () => {
        it("a next-page token seen before stops the listing at once", async () => {
            const { run, requests } = await againstUnruly("repeated-token");
            assertFailsWith(run, "ecrx: ECR answered DescribeImages page 2 with a next-page token it had given before, so the listing would never end; stopped.");
            assert.equal(requests, 2);
        });

        it("fresh tokens forever stop at the page bound derived from ECR's images-per-repository quota", async () => {
            const { run, requests } = await againstUnruly("endless-fresh-tokens");
            assertFailsWith(run, "ecrx: ECR kept paging DescribeImages past 1000 pages (1000 images, ten times ECR's default quota of 100000 images per repository); stopped.");
            assert.equal(requests, 1000);
        });
    });

    describe("answers that are not ECR's JSON", () => {
        for (const [misbehaviour, status] of [["not-json", "HTTP 200, application/x-amz-json-1.1"], ["truncated-json", "HTTP 200, application/x-amz-json-1.1"], ["html-503", "HTTP 503, text/html"]] as const) {
            it(`${misbehaviour}: one clear line, no stack`, async () => {
                const { run } = await againstUnruly(misbehaviour);
                assertFailsWith(run, new RegExp(`^ecrx: ECR.s answer to DescribeImages at http://127\\.0\\.0\\.1:\\d+ could not be read \\(${status.replace(".", "\\.")}\\): ` +
                    "it is not ECR's JSON, perhaps a proxy's page or a cut-off answer\\. Check --endpoint-url and any proxy, or retry\\.\\n$"));
                assert.doesNotMatch(run.stderr, /unexpected error/);
            });
        }
    });

    describe("long and hostile tags in the table", () => {
        const imagesWith = (count: number, hugeTag: string, at: number) => JSON.stringify(Array.from({ length: count }, (_, i) => ({
            imageDigest: digest(i + 1), imageTags: [i === at ? hugeTag : `v${i}`], imagePushedAt: 1_700_000_000 + i,
        })));

        it("one 1 MB tag among 1,000 images: the table prints, the tag cut to the column", async () => {
            const run = await runCli(["lifecycle", "plan", "--policy", file("p.json", JSON.stringify(POLICY)), "--images", file("i.json", imagesWith(1000, "t".repeat(1024 * 1024), 500)), "--now", NOW]);
            assert.equal(run.code, 0, run.stderr.slice(0, 500));
            assert.ok(run.stdout.length < 1000 * 200, `${run.stdout.length} characters of output`);
            assert.ok(run.stdout.includes(`${"t".repeat(37)}...`));
        });

        it("one 100 KB tag among 5,000 images: a table of normal size, not 500 MB", async () => {
            const run = await runCli(["lifecycle", "plan", "--policy", file("p.json", JSON.stringify(POLICY)), "--images", file("i.json", imagesWith(5000, "u".repeat(100 * 1024), 10)), "--now", NOW]);
            assert.equal(run.code, 0, run.stderr.slice(0, 500));
            assert.ok(run.stdout.length < 5000 * 200, `${run.stdout.length} characters of output`);
        });

        it("terminal control characters in a tag are shown as escapes, never sent", async () => {
            const nasty = "ok\u001b]0;pwned\u0007\u001b[2J\u009b31m";
            const run = await runCli(["lifecycle", "plan", "--policy", file("p.json", JSON.stringify(POLICY)), "--images", file("i.json", JSON.stringify([
                { imageDigest: digest(1), imageTags: [nasty], imagePushedAt: 1_700_000_000 },
            ])), "--now", NOW]);
            assert.equal(run.code, 0, run.stderr);
            assert.doesNotMatch(run.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
            assert.ok(run.stdout.includes("ok\\u001b]0;pwned"), run.stdout);
        });

        it("and in the JSON output, which keeps the tag's value", async () => {
            const nasty = "ok\u001b[2J\u009b31m\u007f";
            const run = await runCli(["lifecycle", "plan", "--policy", file("p.json", JSON.stringify(POLICY)), "--images", file("i.json", JSON.stringify([
                { imageDigest: digest(1), imageTags: [nasty], imagePushedAt: 1_700_000_000 },
            ])), "--now", NOW, "--format", "json"]);
            assert.equal(run.code, 0, run.stderr);
            assert.doesNotMatch(run.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
            assert.deepEqual(JSON.parse(run.stdout).images[0].imageTags, [nasty]);
        });

        it("and in an error that quotes the input", async () => {
            const run = await runCli(["lifecycle", "plan", "--policy", file("bad.json", "{\"rules\": \u001b[31m}"), "--images", file("i.json", "[]"), "--now", NOW]);
            assertFailsWith(run, "is not valid JSON");
            assert.doesNotMatch(run.stderr, /\u001b/);
        });
    });

    describe("input files", () => {
        const images = JSON.stringify([{ imageDigest: digest(1), imagePushedAt: 1_700_000_000 }, { imageDigest: digest(2), imagePushedAt: 1_700_000_100 }]);
        const planFiles = (policy: string, imagesFile: string) => runCli(["lifecycle", "plan", "--policy", policy, "--images", imagesFile, "--now", NOW, "--format", "json"]);

        it("UTF-8 with a byte-order mark, and UTF-16 as PowerShell's > writes it (LE with a mark), and UTF-16BE", async () => {
            const expected = await planFiles(file("plain-p.json", JSON.stringify(POLICY)), file("plain-i.json", images));
            assert.equal(expected.code, 0, expected.stderr);
            const utf8Bom = await planFiles(file("bom-p.json", `\ufeff${JSON.stringify(POLICY)}`), file("bom-i.json", `\ufeff${images}`));
            const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
            const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
            const powershell = await planFiles(file("ps-p.json", utf16(JSON.stringify(POLICY))), file("ps-i.json", utf16(images)));
            const bigEndian = await planFiles(file("be-p.json", utf16be(JSON.stringify(POLICY))), file("be-i.json", utf16be(images)));
            for (const run of [utf8Bom, powershell, bigEndian]) {
                assert.equal(run.code, 0, run.stderr);
                assert.equal(run.stdout, expected.stdout);
            }
        });

        it("refuses a device such as /dev/zero at once, instead of reading it until memory runs out", async () => {
            const run = await planFiles(file("p.json", JSON.stringify(POLICY)), "/dev/zero");
            assertFailsWith(run, "ecrx: cannot read the --images file /dev/zero: it is not a regular file or a pipe (it is a device or a socket).\n");
        });

        it("a closed stdout (| head) ends quietly, without an EPIPE stack", async () => {
            const many = file("many.json", JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ imageDigest: digest(i + 1), imageTags: [`v${i}`], imagePushedAt: 1_700_000_000 + i }))));
            const policy = file("p.json", JSON.stringify(POLICY));
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "..", "cli/main.ts"),
                "lifecycle", "plan", "--policy", policy, "--images", many, "--now", NOW], { cwd: path.join(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
            child.stdout.once("data", () => child.stdout.destroy()); // the reader goes after its first line, as `head -1` does
            const code = await new Promise<number | null>((resolve) => child.once("close", (exitCode) => resolve(exitCode)));
            assert.equal(stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?\n\n[\s\S]*?trace-warnings[^\n]*\n/g, ""), "");
            assert.equal(code, 0);
        });
    });

    describe("credentials in --endpoint-url", () => {
        it("are masked in an error that names the endpoint", async () => {
            const closed = await startUnrulyEcr("silent");
            await closed.close();
            const withUserInfo = closed.endpoint.replace("http://", "http://AKIAUSERINFO:TopSecretValue@");
            const run = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(livePlan(withUserInfo)));
            assertFailsWith(run, /^ecrx: could not reach ECR at http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+/);
            assert.ok(!run.stderr.includes("TopSecretValue") && !run.stderr.includes("AKIAUSERINFO"), run.stderr);
        });
    });

    describe("a plan does not change what it measures", () => {
        it("live, by default: no BatchGetImage (a pull, to ECR), and a warning saying what is not known and how to read it", async () => {
            const index = "application/vnd.oci.image.index.v1+json";
            const fake = await startFakeEcr({
                app: {
                    registryId: "123456789012",
                    images: [{ imageDigest: digest(1), imageTags: ["v1"], imagePushedAt: 1_700_000_000, imageManifestMediaType: index }, { imageDigest: digest(2), imagePushedAt: 1_700_000_000 }],
                    manifests: { [digest(1)]: JSON.stringify({ schemaVersion: 2, mediaType: index, manifests: [{ digest: digest(2) }] }) },
                },
            }, 100);
            try {
                const run = await withEnv(isolatedAwsEnv(folder, DUMMY_CREDENTIALS), () => runCli(livePlan(fake.endpoint, "--format", "json")));
                assert.equal(run.code, 0, run.stderr);
                assert.deepEqual(fake.requests.map((r) => r.operation), ["DescribeImages"]);
                assert.match(run.stderr, /^ecrx: warning: 1 image is an image index \(multi-architecture\) whose children this plan does not know, .* Knowing them takes BatchGetImage, which ECR may record as a pull of each index: pass --read-index-manifests to read them anyway\.\n$/);
            } finally {
                await fake.close();
            }
        });
    });
});
