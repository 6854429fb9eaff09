// The policy translation, validation and simulation are plain functions: usable (and testable) without a
// Pulumi runtime, and cheap to load for the CLI. Loading them must not pull in any Pulumi package, and none
// of them may touch the filesystem: what is on disk is the components' (or the CLI's) to look at.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { modulesUnder } from "./support/modules";

const ROOT = path.resolve(__dirname, "..");
/** The folders of pure logic: every module in them, now and later, must load without Pulumi and use no filesystem. */
const PURE_FOLDERS = ["sdk/lifecycle", "sdk/validation", "sdk/scan-gate"];

const PURE_MODULES = PURE_FOLDERS.flatMap((folder) => modulesUnder(path.join(ROOT, folder)).map((file) => path.relative(ROOT, file)));

interface Loaded {
    /** Files of @pulumi packages that loading the modules loaded. */
    pulumiFiles: string[];
    /** This repository's modules (relative paths) that required the filesystem, directly. */
    filesystemUsers: string[];
}

/** Loads `modules` in a fresh process and reports what they pulled in. */
function load(modules: string[]): Loaded {
    const script = `
require("ts-node/register/transpile-only");
const Module = require("module");
const path = require("path");
const root = ${JSON.stringify(ROOT)};
const filesystemUsers = new Set();
const loadModule = Module._load;
Module._load = function (request, parent, ...rest) {
    const own = parent && parent.filename.startsWith(root + path.sep) && !parent.filename.includes(path.sep + "node_modules" + path.sep);
    if (own && ["fs", "node:fs", "fs/promises", "node:fs/promises"].includes(request)) filesystemUsers.add(path.relative(root, parent.filename));
    return loadModule.call(this, request, parent, ...rest);
};
for (const module of ${JSON.stringify(modules)}) require(path.join(root, module));
console.log(JSON.stringify({
    pulumiFiles: Object.keys(require.cache).filter((file) => file.includes("@pulumi")),
    filesystemUsers: [...filesystemUsers].sort(),
}));`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }));
}

describe("pure modules", () => {
    it("are found in every pure folder (the walk itself works)", () => {
        for (const folder of PURE_FOLDERS) {
            assert.ok(PURE_MODULES.some((module) => module.startsWith(`${folder}/`)), `no modules found under ${folder}`);
        }
        assert.ok(PURE_MODULES.includes("sdk/validation/repository-settings.ts"));
    });

    it("load without any @pulumi package and use no filesystem, so the checks and the CLI need no Pulumi runtime and do no I/O", () => {
        const loaded = load(PURE_MODULES);
        assert.deepEqual(loaded.pulumiFiles, []);
        assert.deepEqual(loaded.filesystemUsers.filter((module) => PURE_FOLDERS.some((folder) => module.startsWith(`${folder}/`))), []);
    });

    it("the check itself notices a Pulumi import and a filesystem user (the components load @pulumi/pulumi, and look at the build context)", () => {
        const loaded = load(["sdk/image.ts"]);
        assert.ok(loaded.pulumiFiles.length > 0, "sdk/image.ts loaded no @pulumi package");
        assert.deepEqual(loaded.filesystemUsers, ["sdk/local-files.ts"]);
    });
});
