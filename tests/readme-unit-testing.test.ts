// The README's "Unit-testing a program that uses ecrx" example, run as written, so that it cannot rot: in a
// user's project that installed ecrx (`npm install ../ecrx` makes a symlink), with a user's tsconfig, by the
// command its first line gives. ts-node type-checks it against the declarations `exports` points at.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBuilt, ROOT } from "./support/plugin";

const SECTION = "## Unit-testing a program that uses ecrx";

/** The section's first TypeScript block. */
function readmeExample(): string {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf(`\n${SECTION}\n`);
    assert.notEqual(start, -1, `README.md has no section "${SECTION}"`);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
    assert.ok(block !== null, `the section "${SECTION}" has no ts block`);
    return block[1];
}

/** What a user's project needs besides ecrx: the packages the example imports, and its test tools. */
const USER_DEPENDENCIES = ["@pulumi", "@types", "mocha", "ts-node", "typescript"];

/**
 * A project as a user's would be: ecrx installed from this checkout, a CommonJS package, and a tsconfig with
 * the module resolution that reads package.json `exports` (the default, "node10", ignores them).
 */
function userProject(): string {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-unit-tests-"));
    fs.mkdirSync(path.join(project, "node_modules"));
    fs.symlinkSync(ROOT, path.join(project, "node_modules", "ecrx"), "dir");
    for (const dependency of USER_DEPENDENCIES) {
        fs.symlinkSync(path.join(ROOT, "node_modules", dependency), path.join(project, "node_modules", dependency), "dir");
    }
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "infra", private: true }));
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
        compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, esModuleInterop: true, types: ["node", "mocha"] },
    }));
    // The example builds ./app.
    fs.mkdirSync(path.join(project, "app"));
    fs.writeFileSync(path.join(project, "app", "Dockerfile"), "FROM public.ecr.aws/docker/library/alpine:3.20\n");
    return project;
}

describe("the README's unit-testing example", function () {
    this.timeout(300_000); // a stale dist/ is rebuilt first
    let project: string | undefined;

    after(() => {
        if (project !== undefined) {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });

    it("type-checks and passes, run as its first line says", () => {
        const example = readmeExample();
        const usage = /^\/\/ (\S+); run with: npx (mocha .*)$/m.exec(example.split("\n")[0]);
        assert.ok(usage !== null, `the example's first line names its file and how to run it: ${example.split("\n")[0]}`);
        const [, file, command] = usage;
        const tests = example.match(/^\s+it\(/gm)?.length ?? 0;
        assert.ok(tests > 0, "the example has tests");

        ensureBuilt();
        project = userProject();
        fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
        fs.writeFileSync(path.join(project, file), example);
        const [, ...args] = command.split(" ");
        const run = spawnSync(process.execPath, [path.join(project, "node_modules", "mocha", "bin", "mocha.js"), ...args],
            { cwd: project, encoding: "utf8", timeout: 240_000 });
        const output = `${run.stdout}${run.stderr}`;
        assert.equal(run.status, 0, output);
        assert.match(output, new RegExp(`^ {2}${tests} passing`, "m"), output);
        assert.doesNotMatch(output, /failing|pending/, output);
    });
});
