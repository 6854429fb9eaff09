// The policy translation, validation and simulation are plain functions: usable (and testable) without a
// Pulumi runtime, and cheap to load for the CLI. Loading them must not pull in any Pulumi package.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
/** The folders of pure logic: every module in them, now and later, must load without Pulumi. */
const PURE_FOLDERS = ["sdk/lifecycle", "sdk/validation", "sdk/scan-gate"];

function modulesUnder(folder: string): string[] {
    return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(folder, entry.name);
        return entry.isDirectory() ? modulesUnder(relative) : entry.name.endsWith(".ts") ? [relative] : [];
    });
}
const PURE_MODULES = PURE_FOLDERS.flatMap(modulesUnder);

describe("pure modules", () => {
    it("are found in every pure folder (the walk itself works)", () => {
        for (const folder of PURE_FOLDERS) {
            assert.ok(PURE_MODULES.some((module) => module.startsWith(`${folder}/`)), `no modules found under ${folder}`);
        }
        assert.ok(PURE_MODULES.includes("sdk/validation/repository-settings.ts"));
    });

    it("load without any @pulumi package, so the lifecycle logic and the CLI need no Pulumi runtime", () => {
        const script = `
require("ts-node/register/transpile-only");
for (const module of ${JSON.stringify(PURE_MODULES)}) require(require("path").join(${JSON.stringify(ROOT)}, module));
console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes("@pulumi"))));`;
        const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }));
        assert.deepEqual(loaded, []);
    });

    it("the check itself notices a Pulumi import (the component module loads @pulumi/pulumi)", () => {
        const script = `
require("ts-node/register/transpile-only");
require(require("path").join(${JSON.stringify(ROOT)}, "sdk/repository"));
console.log(JSON.stringify(Object.keys(require.cache).some((file) => file.includes("@pulumi"))));`;
        assert.equal(JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" })), true);
    });
});
