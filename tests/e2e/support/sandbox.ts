// The end-to-end suite's view of the sandbox (npm run sandbox:up): its environment, Pulumi stacks of
// real programs run with the real CLI, and what the registry and moto (the ECR API) hold.
import { strict as assert } from "node:assert";
import { DescribeImagesCommand, ECRClient, GetLifecyclePolicyCommand, ImageDetail } from "@aws-sdk/client-ecr";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const SANDBOX_ENV_FILE = path.join(REPO_ROOT, ".sandbox", "env");

let cachedEnv: Record<string, string> | undefined;

/** The variables .sandbox/env sets, read by the shell that would source it. */
export function sandboxEnv(): Record<string, string> {
    if (cachedEnv === undefined) {
        if (!fs.existsSync(SANDBOX_ENV_FILE)) {
            throw new Error(`${SANDBOX_ENV_FILE} is missing: run npm run sandbox:up first.`);
        }
        const dump = execFileSync("bash", ["-c", 'set -a; . "$1"; env -0', "_", SANDBOX_ENV_FILE],
            { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "inherit"] });
        cachedEnv = Object.fromEntries(dump.toString().split("\0").filter(Boolean).map((line) => {
            const at = line.indexOf("=");
            return [line.slice(0, at), line.slice(at + 1)];
        }));
    }
    return cachedEnv;
}

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, in that order: what a user sees. */
    output: string;
    seconds: number;
}

/**
 * Runs a command with the sandbox's environment (and nothing of the caller's AWS or Pulumi settings).
 * `input` is its standard input.
 */
export function runInSandbox(command: string, args: string[], cwd: string, input?: string): CommandResult {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, {
        cwd,
        input,
        env: { HOME: process.env.HOME ?? os.homedir(), ...sandboxEnv(), NO_COLOR: "1" },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error !== undefined) {
        throw result.error;
    }
    return {
        code: result.status ?? 1,
        stdout: result.stdout,
        stderr: result.stderr,
        output: result.stdout + result.stderr,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
}

/** The packages a program's node_modules links to this repository's copies, so there is one @pulumi/pulumi. */
const LINKED_PACKAGES = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/docker-build", "@types/node"];

/** What installing a program writes into its folder; a copy starts without them. */
const GENERATED_FOLDERS = ["node_modules", "sdks", "venv", "target"];

/**
 * A copy's Pulumi.yaml names its local packages (`ecrx: ../..`) from the original's folder, since
 * the copy lives elsewhere; only the `packages:` block's relative paths change.
 */
function rebasePackagePaths(programDir: string, copyDir: string): void {
    const projectFile = path.join(copyDir, "Pulumi.yaml");
    const text = fs.readFileSync(projectFile, "utf8");
    const rebased = text.replace(/^(packages:\n)((?:[ \t]+.*\n|#.*\n)*)/m, (_, head: string, body: string) =>
        head + body.replace(/^([ \t]+[\w-]+:[ \t]*)(\.{1,2}\/\S*|\.{1,2})[ \t]*$/gm,
            (_line: string, key: string, relative: string) => key + path.resolve(programDir, relative)));
    fs.writeFileSync(projectFile, rebased);
}

export interface StackOptions {
    /** The stack's name. Default: "e2e". */
    stack?: string;
    /** More packages of this repository's node_modules for the program to use, such as "@pulumi/kubernetes". */
    packages?: string[];
    config?: Record<string, string>;
    secrets?: Record<string, string>;
}

/**
 * A stack of a program directory, deployed from a copy in a temporary folder. The copy's node_modules
 * holds ecrx as a user installs it (package.json and the compiled dist/) and links to this repository's
 * dependencies, so the engine finds exactly their plugins and nothing else of the repository.
 */
export class ProgramStack {
    readonly dir: string;
    readonly name: string;

    private constructor(dir: string, name: string) {
        this.dir = dir;
        this.name = name;
    }

    static create(programDir: string, options: StackOptions = {}): ProgramStack {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ecrx-e2e-${path.basename(programDir)}-`));
        try {
            return ProgramStack.initialize(programDir, dir, options);
        } catch (error) {
            fs.rmSync(dir, { recursive: true, force: true });
            throw error;
        }
    }

    private static initialize(programDir: string, dir: string, options: StackOptions): ProgramStack {
        fs.cpSync(programDir, dir, { recursive: true, filter: (source) => !GENERATED_FOLDERS.includes(path.basename(source)) });
        rebasePackagePaths(programDir, dir);
        const modules = path.join(dir, "node_modules");
        for (const name of [...LINKED_PACKAGES, ...(options.packages ?? [])]) {
            fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules", name), path.join(modules, name), "dir");
        }
        fs.mkdirSync(path.join(modules, "ecrx"));
        fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(modules, "ecrx", "package.json"));
        fs.symlinkSync(path.join(REPO_ROOT, "dist"), path.join(modules, "ecrx", "dist"), "dir");

        const stack = new ProgramStack(dir, options.stack ?? "e2e");
        const init = runInSandbox("pulumi", ["stack", "init", stack.name, "--non-interactive"], dir);
        if (init.code !== 0) {
            throw new Error(`pulumi stack init ${stack.name} exited with ${init.code}:\n${init.output}`);
        }
        for (const [key, value] of Object.entries(options.config ?? {})) {
            stack.pulumiOk(["config", "set", key, value]);
        }
        // A secret goes in on standard input, so neither the process list nor a failure's message shows it.
        for (const [key, value] of Object.entries(options.secrets ?? {})) {
            stack.pulumiOk(["config", "set", "--secret", key], value);
        }
        return stack;
    }

    pulumi(args: string[], input?: string): CommandResult {
        return runInSandbox("pulumi", [...args, "--stack", this.name, "--non-interactive"], this.dir, input);
    }

    /** Runs pulumi and fails with its whole output when it does not succeed. */
    pulumiOk(args: string[], input?: string): CommandResult {
        const result = this.pulumi(args, input);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}:\n${result.output}`);
        }
        return result;
    }

    /** `pulumi package add` of this repository, as a user of another language installs ecrx; fails with its output. */
    addEcrxPackage(): CommandResult {
        const added = runInSandbox("pulumi", ["package", "add", REPO_ROOT], this.dir);
        if (added.code !== 0) {
            throw new Error(`pulumi package add ${REPO_ROOT} exited with ${added.code}:\n${added.output}`);
        }
        return added;
    }

    up(): CommandResult {
        return this.pulumiOk(["up", "--yes", "--skip-preview"]);
    }

    /** The engine's own account of a preview: its steps, as `pulumi preview --json` prints them. */
    previewJson(): { steps: Array<{ op: string; urn: string }>; changeSummary: Record<string, number>; diagnostics?: Array<{ urn?: string; message: string; severity: string }> } {
        return JSON.parse(this.pulumiOk(["preview", "--json"]).stdout);
    }

    outputs(): Record<string, any> {
        return JSON.parse(this.pulumiOk(["stack", "output", "--json"]).stdout);
    }

    exportText(): string {
        return this.pulumiOk(["stack", "export"]).stdout;
    }

    /** The resources in the stack's state. */
    resources(): Array<{ urn: string; type: string; inputs?: Record<string, any>; outputs?: Record<string, any>; retainOnDelete?: boolean }> {
        return JSON.parse(this.exportText()).deployment.resources ?? [];
    }

    resource(type: string, name?: string) {
        const found = this.resources().filter((r) => r.type === type && (name === undefined || r.urn.endsWith(`::${name}`)));
        if (found.length !== 1) {
            throw new Error(`expected one ${type}${name ? ` named ${name}` : ""} in the state, found ${found.length}`);
        }
        return found[0];
    }

    /**
     * Destroys what is left and removes the stack and the copy; for after-hooks, so it never throws. A
     * repository a failed scenario left holding images is deleted by an update to `forceDelete` first.
     */
    dispose(): void {
        if (this.pulumi(["destroy", "--yes", "--skip-preview"]).code !== 0) {
            this.pulumi(["config", "set", "forceDelete", "true"]);
            this.pulumi(["up", "--yes", "--skip-preview"]);
            this.pulumi(["destroy", "--yes", "--skip-preview"]);
        }
        this.pulumi(["stack", "rm", "--yes", "--force"]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The sandbox registry's HTTP API, as an OCI client sees it (over TLS, trusting the sandbox's CA). */
export class SandboxRegistry {
    private readonly host: string;
    private readonly authorization: string;
    private readonly ca: Buffer;

    constructor() {
        const env = sandboxEnv();
        this.host = env.ECRX_SANDBOX_REGISTRY;
        this.authorization = `Basic ${Buffer.from(`${env.ECRX_SANDBOX_REGISTRY_USER}:${env.ECRX_SANDBOX_REGISTRY_PASSWORD}`).toString("base64")}`;
        this.ca = fs.readFileSync(env.NODE_EXTRA_CA_CERTS);
    }

    /** A repository name from a URL `<host>/<name>`. */
    static nameOf(repositoryUrl: string): string {
        return repositoryUrl.slice(repositoryUrl.indexOf("/") + 1);
    }

    private get(pathname: string, accept?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
        return new Promise((resolve, reject) => {
            const request = https.get(`https://${this.host}/v2/${pathname}`, {
                ca: this.ca,
                headers: { authorization: this.authorization, ...(accept !== undefined ? { accept } : {}) },
            }, (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
            });
            request.on("error", reject);
        });
    }

    /** The manifest at a tag or digest, or undefined when the registry has none. */
    async manifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string; body: any } | undefined> {
        const response = await this.get(`${repository}/manifests/${reference}`, [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ].join(", "));
        if (response.status === 404) {
            return undefined;
        }
        if (response.status !== 200) {
            throw new Error(`GET ${repository}/manifests/${reference}: HTTP ${response.status} ${response.body}`);
        }
        return { digest: String(response.headers["docker-content-digest"] ?? ""), mediaType: String(response.headers["content-type"] ?? ""), body: JSON.parse(response.body) };
    }

    async tags(repository: string): Promise<string[]> {
        const response = await this.get(`${repository}/tags/list`);
        if (response.status === 404) {
            return [];
        }
        return (JSON.parse(response.body) as { tags?: string[] | null }).tags ?? [];
    }
}

/** moto's ECR API, the sandbox's control plane. */
export function sandboxEcr(): ECRClient {
    const env = sandboxEnv();
    return new ECRClient({
        region: env.AWS_REGION,
        endpoint: env.AWS_ENDPOINT_URL_ECR,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
}

export async function storedLifecyclePolicy(repositoryName: string): Promise<string | undefined> {
    return (await sandboxEcr().send(new GetLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText;
}

export async function recordedImages(repositoryName: string): Promise<ImageDetail[]> {
    return (await sandboxEcr().send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? [];
}

/** Fails when `output` holds a Node stack frame: nothing of a program's or the provider's workings may reach the user. */
export function assertNoStackFrames(output: string): void {
    assert.doesNotMatch(output, /^\s+at .+\(.+:\d+:\d+\)$/m, "no stack frames");
}
