// The policy translation, validation and simulation are plain functions: usable (and testable) without a
// Pulumi runtime, and cheap to load for the CLI. Loading them must not pull in any Pulumi package.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const PURE_MODULES = ["sdk/lifecycle", "sdk/access", "sdk/image-plan", "sdk/repository-settings", "sdk/errors", "sdk/known",
    "sdk/scan-gate/settings", "sdk/scan-gate/verdict", "sdk/scan-gate/scan", "sdk/scan-gate/provider"];

describe("pure modules", () => {
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
