// npm run test:e2e — the end-to-end suite on the real Pulumi engine. It starts the sandbox when it is
// not running (and then stops it again afterwards), compiles ecrx as a user installs it, runs every
// tests/e2e/*.e2e.ts scenario and closes with "N passed, N failed".
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

const root = path.resolve(__dirname, "../..");

function run(command: string, args: string[]): void {
    const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
    }
}

function sandboxRunning(): boolean {
    return spawnSync("bash", ["sandbox/status.sh"], { cwd: root, stdio: "ignore" }).status === 0;
}

/** Runs the suite; stops the sandbox afterwards when it started it. A failing stop fails the run too. */
async function main(): Promise<number> {
    const startedHere = !sandboxRunning();
    let code = 1;
    try {
        run("bash", ["sandbox/up.sh"]);
        run("npm", ["run", "--silent", "build"]);
        const mocha = new Mocha({ reporter: "spec", timeout: 10 * 60_000, slow: 60_000 });
        const only = process.argv.slice(2);
        for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith(".e2e.ts")).sort()) {
            if (only.length === 0 || only.some((name) => file.includes(name))) {
                mocha.addFile(path.join(__dirname, file));
            }
        }
        const started = Date.now();
        const stats = await new Promise<Mocha.Stats>((resolve) => {
            const runner = mocha.run(() => resolve(runner.stats!));
        });
        console.log(`\ne2e suite took ${Math.round((Date.now() - started) / 1000)} s`);
        console.log(`${stats.passes} passed, ${stats.failures} failed`);
        code = stats.failures === 0 && stats.passes > 0 ? 0 : 1;
    } finally {
        if (startedHere) {
            // Reported, not thrown: a failing stop must not hide the suite's result.
            try {
                run("bash", ["sandbox/down.sh"]);
            } catch (error) {
                console.error(`e2e: ${error instanceof Error ? error.message : error}`);
                code = 1;
            }
        }
    }
    return code;
}

main().then((code) => process.exit(code), (error) => {
    console.error(`e2e: ${error instanceof Error ? error.message : error}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
});
