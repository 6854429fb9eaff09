// Running `ecrx` in-process as a user would, and an AWS environment that can reach nothing but the fakes.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { main } from "../../cli/main";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** `tty` makes stdout a terminal; `stderrTty`, stderr. */
export async function runCli(args: string[], { tty = false, stderrTty = false, env = {} }: { tty?: boolean; stderrTty?: boolean; env?: Record<string, string> } = {}):
    Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const code = await main(args, {
        stdout: { write: (text: string) => (stdout += text), isTTY: tty },
        stderr: { write: (text: string) => (stderr += text), isTTY: stderrTty },
        env,
    });
    return { code, stdout, stderr };
}

const REPO_ROOT = path.resolve(__dirname, "../..");

/** Runs `ecrx` as its own `node` process, to prove the real exit code and streams. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
    return new Promise((resolve) => {
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "cli/main.ts"), ...args],
            { cwd: REPO_ROOT, env }, (error, stdout, stderr) => {
                resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
            });
    });
}

/** Asserts a clean failure: exit code 1, a message on stderr that contains `fragment`, no stack trace. */
export function assertFailsWith(run: CliRun, fragment: string | RegExp): void {
    assert.equal(run.code, 1, `expected exit code 1; stderr: ${run.stderr}`);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^ecrx: /);
    if (typeof fragment === "string") {
        assert.ok(run.stderr.includes(fragment), `stderr lacks ${JSON.stringify(fragment)}:\n${run.stderr}`);
    } else {
        assert.match(run.stderr, fragment);
    }
    assert.doesNotMatch(run.stderr, /^\s+at /m, "a user mistake must not print a stack trace");
}

export const DUMMY_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDECRXTEST", AWS_SECRET_ACCESS_KEY: "not-a-secret", AWS_REGION: "eu-west-1" };

/**
 * The environment the SDK sees: dummy credentials, no shared config files, no instance metadata, and
 * none of the caller's AWS settings, so nothing can send a request anywhere but the fake.
 */
export function isolatedAwsEnv(folder: string, extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
        if (!name.startsWith("AWS_")) {
            env[name] = value;
        }
    }
    return {
        ...env,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SHARED_CREDENTIALS_FILE: path.join(folder, "no-credentials"),
        AWS_CONFIG_FILE: path.join(folder, "no-config"),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...extra,
    };
}

/** Runs `action` with `process.env` replaced (the SDK reads it directly), then puts it back. */
export async function withEnv<T>(env: NodeJS.ProcessEnv, action: () => Promise<T>): Promise<T> {
    const saved = process.env;
    process.env = env;
    try {
        return await action();
    } finally {
        process.env = saved;
    }
}
