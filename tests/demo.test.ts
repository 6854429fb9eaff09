// `npm start` is the README's first command: it must run offline, exit 0, and print a plan that is exact where
// it can be (the lifecycle policy, the build inputs) and honest where it cannot (unknowns, secrets).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadExample, REPO_ROOT } from "../demo/example-loader";
import { buildPolicy, simulate } from "../sdk/lifecycle";
import { FAKE_PASSWORD } from "../sdk/testing";

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function npmStart(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn("npm", ["start", "--silent", ...(args.length > 0 ? ["--", ...args] : [])], { cwd: REPO_ROOT });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

/** The lines of a section: from its title (and underline) to the next blank line followed by a title. */
function section(output: string, title: string): string {
    const start = output.indexOf(`\n${title}`);
    assert.notEqual(start, -1, `no section starting with ${JSON.stringify(title)}:\n${output}`);
    const body = output.slice(output.indexOf("\n", output.indexOf("\n", start + 1) + 1) + 1);
    const end = body.search(/\n\n[^\s]/);
    return end === -1 ? body : body.slice(0, end);
}

/** The simulation table's rows by image digest prefix: [action, tags]. */
function simulatedRows(output: string): Map<string, { action: string; tags: string }> {
    const rows = section(output, "Lifecycle simulation").split("\n").slice(1)
        .map((line) => /^ {2}(\w+)\s+(sha256:[0-9a-f]{12})\s+(\S+)\s/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null);
    return new Map(rows.map(([, action, digest, tags]) => [digest, { action, tags }]));
}

const SAMPLE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "demo", "sample-images.json"), "utf8")).imageDetails;

describe("the offline demo (npm start)", function () {
    this.timeout(60_000);
    let run: Run;
    let later: Run;
    const laterNow = "2025-06-09T00:00:00Z";

    before(async () => {
        [run, later] = await Promise.all([npmStart(), npmStart("--now", laterNow)]);
    });

    it("exits 0 and leaks no secret", () => {
        assert.equal(run.code, 0, run.stderr);
        assert.equal(later.code, 0, later.stderr);
        for (const { stdout, stderr } of [run, later]) {
            assert.ok(!stdout.includes(FAKE_PASSWORD) && !stderr.includes(FAKE_PASSWORD), "the registry password was printed");
        }
    });

    it("lists the resources of the ECS example under their parents, as pulumi preview does", () => {
        const tree = section(run.stdout, "Resources that `pulumi preview` would create");
        const row = (type: string, name: string) => new RegExp(`^ \\+ {3}([│├└─ ]*)${type.replace(/[/:]/g, "\\$&")}\\s+${name}$`, "m");
        for (const [type, name] of [
            ["aws:ecs/cluster:Cluster", "cluster"], ["aws:ecs/taskDefinition:TaskDefinition", "app"], ["aws:ecs/service:Service", "app"],
            ["aws:lb/loadBalancer:LoadBalancer", "web"], ["aws:lb/listener:Listener", "web"], ["aws:iam/role:Role", "task-execution"],
        ]) {
            assert.match(tree, row(type, name));
        }
        assert.equal(row("ecrx:index:Repository", "app").exec(tree)?.[1], "", "the Repository is at the top level");
        assert.equal(row("ecrx:index:Image", "app").exec(tree)?.[1], "├─ ", "the Image is the Repository's child");
        assert.match(row("docker-build:index:Image", "app").exec(tree)?.[1] ?? "", /^│ {2}[├└]─ $/, "docker-build's Image is the Image's child");
        const created = /^Resources:\n {4}\+ (\d+) to create$/m.exec(run.stdout);
        assert.equal(Number(created?.[1]), tree.split("\n").filter((line) => line.startsWith(" +   ")).length);
    });

    it("prints the exact lifecycle policy that the example's rules build", () => {
        const policy = section(run.stdout, "Lifecycle policy");
        const json = policy.slice(policy.indexOf("\n{") + 1);
        const { retentionRules } = loadExample("ecs-fargate", "retention");
        assert.equal(json, JSON.stringify(buildPolicy({ rules: retentionRules }), null, 2));
    });

    it("prints the docker-build plan, with the registry password as [secret]", () => {
        const build = section(run.stdout, "Docker build and push");
        assert.match(build, /^ {2}context +examples\/ecs-fargate\/app$/m);
        assert.match(build, /^ {2}dockerfile +examples\/ecs-fargate\/app\/Dockerfile$/m);
        assert.match(build, /^ {2}platforms +linux\/amd64$/m);
        assert.match(build, /^ {2}tags +\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/app-\w+:latest$/m);
        assert.match(build, /^ {2}cacheFrom +registry\(ref=\S+\/build-cache:buildcache\)$/m);
        assert.match(build, /^ {2}cacheTo +registry\(imageManifest=true mode=max ociMediaTypes=true ref=\S+\/build-cache:buildcache\)$/m);
        assert.match(build, /^ {2}registries +address=\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com password=\[secret\] username=AWS$/m);
    });

    it("shows the container image and the outputs as unknown in a preview, never a made-up digest", () => {
        assert.match(section(run.stdout, "ECS container image"), /^ {2}image +\(known after apply\)$/m);
        const outputs = section(run.stdout, "Stack outputs");
        assert.match(outputs, /^ {2}imageUri +\(known after apply\)$/m);
        assert.match(outputs, /^ {2}url +\(known after apply\)$/m);
        assert.doesNotMatch(run.stdout, /@sha256:/);
    });

    it("prints the simulator's verdict for every sample image, at the --now given", () => {
        const { retentionRules } = loadExample("ecs-fargate", "retention");
        const policy = buildPolicy({ rules: retentionRules })!;
        for (const [output, now] of [[run.stdout, "2025-06-01T00:00:00Z"], [later.stdout, laterNow]]) {
            const rows = simulatedRows(output);
            const expected = simulate(policy, SAMPLE, { now }).images;
            assert.equal(rows.size, SAMPLE.length);
            assert.deepEqual([...rows.values()].map((row) => row.action), expected.map((image) => image.action));
        }
    });

    it("expires what the policy says: old releases past the newest 10, week-old untagged images, other images past 90 days", () => {
        const actions = [...simulatedRows(run.stdout).values()].map(({ action, tags }) => `${action} ${tags}`);
        for (const release of ["v1.0.0", "v1.4.0"]) {
            assert.ok(actions.includes(`expire ${release}`), `${release} is an 11th-or-older release`);
        }
        // The 10th newest release is older than 90 days, but the release rule selected it first.
        assert.ok(actions.includes("keep v1.5.0"));
        assert.ok(actions.includes("expire pr-97") && actions.includes("keep pr-142"));
        const untagged = (output: string) => [...simulatedRows(output).values()].filter((row) => row.tags === "<untagged>").map((row) => row.action);
        // Pushed 95, 61, 33, 19, 11, 8, 6.5, 4 and 2.5 days before the sample's listing; 8 days later all are over a week old.
        assert.deepEqual(untagged(run.stdout), ["expire", "expire", "expire", "expire", "expire", "expire", "keep", "keep", "keep"]);
        assert.deepEqual(untagged(later.stdout), Array(9).fill("expire"));
    });
});
