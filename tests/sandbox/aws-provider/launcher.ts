// TEST DOUBLE, NEVER SHIPPED: writes the launcher that the sandbox installs as the `aws` plugin binary:
//
//   pulumi plugin install resource aws 7.48.0 --file "$(node -r ts-node/register/transpile-only \
//       tests/sandbox/aws-provider/launcher.ts <dir>)"
//
// The launcher is a shell script that runs main.ts under ts-node with absolute paths, so it works from whatever
// directory the Pulumi CLI starts plugins in, and passes the CLI's arguments (the engine address, log flags) on.
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (this file is tests/sandbox/aws-provider/launcher.ts). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The launcher's text, for a repository at `root` and the Node.js at `node`. */
export function launcherScript(root = ROOT, node = process.execPath): string {
    return [
        "#!/bin/sh",
        "# TEST DOUBLE, NEVER SHIPPED: the sandbox's stand-in for pulumi-resource-aws 7.48.0 (tests/sandbox/aws-provider).",
        `TS_NODE_PROJECT=${quote(path.join(root, "tsconfig.json"))}`,
        "export TS_NODE_PROJECT",
        `exec ${quote(node)} -r ${quote(path.join(root, "node_modules", "ts-node", "register", "transpile-only"))} ` +
            `${quote(path.join(root, "tests", "sandbox", "aws-provider", "main.ts"))} "$@"`,
        "",
    ].join("\n");
}

/** Writes `<dir>/pulumi-resource-aws` (mode 0755) and returns its path. */
export function writeLauncher(dir: string, root = ROOT): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "pulumi-resource-aws");
    fs.writeFileSync(file, launcherScript(root), { mode: 0o755 });
    fs.chmodSync(file, 0o755);
    return file;
}

if (require.main === module) {
    const dir = process.argv[2];
    if (dir === undefined) {
        console.error("usage: launcher.ts <directory to write pulumi-resource-aws into>");
        process.exit(2);
    }
    console.log(writeLauncher(path.resolve(dir)));
}
