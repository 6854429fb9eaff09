// Runs the ecrx provider plugin the way the Pulumi CLI does for a `runtime: nodejs` plugin, and talks to it
// over gRPC as the engine would: `node <root>/node_modules/@pulumi/pulumi/cmd/run-plugin <root> <engine>`
// with the package root as working directory, the port read from the first line of stdout.
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as errorproto from "@pulumi/pulumi/proto/errors_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { MockEngine, WireValue } from "./mock-engine";

/** The repository root: the folder `pulumi package add` points at. */
export const ROOT = path.resolve(__dirname, "..", "..");
const ENTRY = "dist/provider/package-entry.js";
const RPC_DEADLINE_MS = 30_000;

function newestMtime(dir: string, matches: (file: string) => boolean): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            newest = Math.max(newest, newestMtime(full, matches));
        } else if (matches(entry.name)) {
            newest = Math.max(newest, fs.statSync(full).mtimeMs);
        }
    }
    return newest;
}

/**
 * Compiles the package (what `npm install` does through `prepare`) unless the compiled entry is newer than
 * every source, the schema and the compiler settings. Returns whether it built.
 */
export function ensureBuilt(root = ROOT): boolean {
    const entry = path.join(root, ENTRY);
    const sources = Math.max(
        newestMtime(path.join(root, "sdk"), (f) => f.endsWith(".ts")),
        newestMtime(path.join(root, "provider"), (f) => f.endsWith(".ts") || f.endsWith(".json")),
        fs.statSync(path.join(root, "tsconfig.json")).mtimeMs,
    );
    if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= sources) {
        return false;
    }
    try {
        execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
            { cwd: root, stdio: "pipe", timeout: 300_000 });
    } catch (error: any) {
        throw new Error(`building the package (tsc -p tsconfig.json) failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
    return true;
}

export interface ConstructOptions {
    /** `pulumi preview` (true) or `pulumi up` (false). */
    dryRun: boolean;
    /** The parent URN. Default: the engine's root stack. */
    parent?: string;
    /** Per-input dependencies, as the engine sends them. */
    inputDependencies?: Record<string, string[]>;
    config?: Record<string, string>;
    parallel?: number;
    acceptsOutputValues?: boolean;
    /** How long the answer may take. Default: 30 s. */
    deadlineMs?: number;
}

export interface CallOptions {
    dryRun: boolean;
    argDependencies?: Record<string, string[]>;
}

export interface ConstructResult {
    urn: string;
    state: Record<string, WireValue>;
    stateDependencies: Record<string, string[]>;
}

/** A gRPC failure with the `InputPropertiesError` details decoded, when the plugin sent some. */
export interface RpcFailure {
    code: grpc.status;
    details: string;
    /** From `grpc-status-details-bin`: the `pulumirpc.InputPropertiesError` entries, in order. */
    propertyErrors?: Array<{ propertyPath: string; reason: string }>;
    /** The message of the `google.rpc.Status` in `grpc-status-details-bin`. */
    statusMessage?: string;
}

/** Reads the `pulumirpc.InputPropertiesError` that the Pulumi SDK's provider server packs into the status details. */
export function decodeFailure(error: grpc.ServiceError): RpcFailure {
    const failure: RpcFailure = { code: error.code, details: error.details };
    const [bin] = error.metadata?.get("grpc-status-details-bin") ?? [];
    if (bin !== undefined) {
        const status = statusproto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
        failure.statusMessage = status.getMessage();
        for (const detail of status.getDetailsList() as anyproto.Any[]) {
            if (detail.getTypeName() === "pulumirpc.InputPropertiesError") {
                const decoded = errorproto.InputPropertiesError.deserializeBinary(detail.getValue_asU8());
                failure.propertyErrors = decoded.getErrorsList().map((e) => ({ propertyPath: e.getPropertyPath(), reason: e.getReason() }));
            }
        }
    }
    return failure;
}

function struct(value: Record<string, WireValue>): structproto.Struct {
    return structproto.Struct.fromJavaScript(value);
}

/** A running plugin and a `ResourceProvider` client connected to it. */
export class PluginProcess {
    /** performance.now() when the process was spawned, and when it printed its port. */
    readonly spawnedAt: number;
    readonly portAt: number;
    readonly port: number;
    private stderrText = "";
    private exited: Promise<number | null>;

    private constructor(private readonly child: ChildProcess, private readonly client: provrpc.ResourceProviderClient,
        readonly engine: MockEngine, timing: { spawnedAt: number; portAt: number; port: number }, stderr: { text: string },
        private readonly extraStdout: string[]) {
        this.spawnedAt = timing.spawnedAt;
        this.portAt = timing.portAt;
        this.port = timing.port;
        this.stderrText = stderr.text;
        child.stderr!.on("data", (chunk: Buffer) => { this.stderrText += chunk.toString(); });
        this.exited = new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
                resolve(child.exitCode);
            } else {
                child.once("exit", (code) => resolve(code));
            }
        });
    }

    /** Spawns the plugin as the CLI does and connects to the port it prints. */
    static async spawn(engine: MockEngine, root = ROOT, options: { env?: NodeJS.ProcessEnv; startTimeoutMs?: number } = {}): Promise<PluginProcess> {
        const runPlugin = path.join(root, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");
        const spawnedAt = performance.now();
        const child = spawn(process.execPath, [runPlugin, root, engine.address], {
            cwd: root,
            stdio: ["ignore", "pipe", "pipe"],
            env: options.env ?? process.env,
        });
        const stderr = { text: "" };
        const collectStderr = (chunk: Buffer) => { stderr.text += chunk.toString(); };
        child.stderr!.on("data", collectStderr);
        const lines = readline.createInterface({ input: child.stdout! });
        const extraStdout: string[] = [];
        try {
            const port = await new Promise<number>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`the plugin printed no port within ${options.startTimeoutMs ?? 30_000} ms`)),
                    options.startTimeoutMs ?? 30_000);
                let first = true;
                lines.on("line", (line) => {
                    if (!first) {
                        extraStdout.push(line);
                        return;
                    }
                    first = false;
                    clearTimeout(timer);
                    const parsed = Number(line.trim());
                    if (Number.isInteger(parsed) && parsed > 0 && parsed < 65536) {
                        resolve(parsed);
                    } else {
                        reject(new Error(`the plugin's first line of stdout is not a port: ${JSON.stringify(line)}`));
                    }
                });
                child.once("exit", (code, signal) => {
                    clearTimeout(timer);
                    reject(new Error(`the plugin exited (${signal ?? code}) before printing its port`));
                });
                child.once("error", reject);
            });
            const portAt = performance.now();
            const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
                "grpc.max_receive_message_length": 64 * 1024 * 1024,
            });
            child.stderr!.off("data", collectStderr);
            return new PluginProcess(child, client, engine, { spawnedAt, portAt, port }, stderr, extraStdout);
        } catch (error) {
            child.kill("SIGKILL");
            throw new Error(`${(error as Error).message}\n--- plugin stderr ---\n${stderr.text}`);
        }
    }

    /** The plugin's process ID (run-plugin loads the provider into that process). */
    get pid(): number {
        return this.child.pid!;
    }

    /** What the plugin wrote to stderr, and to stdout after the port. */
    get output(): string {
        return [this.stderrText, ...this.extraStdout].join("\n");
    }

    private unary<Req, Res>(method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>,
        callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req, deadlineMs = RPC_DEADLINE_MS): Promise<Res> {
        return new Promise((resolve, reject) => {
            method.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
                error ? reject(error) : resolve(response));
        });
    }

    async getPluginInfo(): Promise<{ version: string }> {
        const info = await this.unary<emptyproto.Empty, plugproto.PluginInfo>(this.client.getPluginInfo, new emptyproto.Empty());
        return { version: info.getVersion() };
    }

    async getSchema(): Promise<string> {
        const response = await this.unary<provproto.GetSchemaRequest, provproto.GetSchemaResponse>(this.client.getSchema,
            new provproto.GetSchemaRequest().setVersion(0));
        return response.getSchema();
    }

    /** What the CLI sends before anything else; the answer says whether secrets and resources may be sent. */
    async configure(): Promise<{ acceptSecrets: boolean; acceptResources: boolean; acceptOutputs: boolean }> {
        const response = await this.unary<provproto.ConfigureRequest, provproto.ConfigureResponse>(this.client.configure,
            new provproto.ConfigureRequest().setAcceptsecrets(true).setAcceptresources(true).setArgs(struct({})));
        return { acceptSecrets: response.getAcceptsecrets(), acceptResources: response.getAcceptresources(), acceptOutputs: response.getAcceptoutputs() };
    }

    /** A `Construct` as the engine sends it for a component in the user's program. */
    async construct(type: string, name: string, inputs: Record<string, WireValue>, options: ConstructOptions): Promise<ConstructResult> {
        this.engine.dryRun = options.dryRun;
        const request = new provproto.ConstructRequest()
            .setProject(this.engine.project)
            .setStack(this.engine.stack)
            .setOrganization("organization")
            .setDryrun(options.dryRun)
            .setParallel(options.parallel ?? 4)
            .setMonitorendpoint(this.engine.address)
            .setType(type)
            .setName(name)
            .setParent(options.parent ?? this.engine.stackUrn)
            .setInputs(struct(inputs))
            .setAcceptsOutputValues(options.acceptsOutputValues ?? false);
        for (const [key, value] of Object.entries(options.config ?? {})) {
            request.getConfigMap().set(key, value);
        }
        for (const [key, urns] of Object.entries(options.inputDependencies ?? {})) {
            request.getInputdependenciesMap().set(key, new provproto.ConstructRequest.PropertyDependencies().setUrnsList(urns));
        }
        const response = await this.unary<provproto.ConstructRequest, provproto.ConstructResponse>(this.client.construct, request, options.deadlineMs);
        const stateDependencies: Record<string, string[]> = {};
        response.getStatedependenciesMap().forEach((deps, key) => { stateDependencies[key] = deps.getUrnsList(); });
        return { urn: response.getUrn(), state: (response.getState()?.toJavaScript() ?? {}) as Record<string, WireValue>, stateDependencies };
    }

    /** A `Call` of a component method (the method's `__self__` is a resource reference). */
    async call(token: string, args: Record<string, WireValue>, options: CallOptions): Promise<{ outputs: Record<string, WireValue>; failures: Array<{ property: string; reason: string }> }> {
        this.engine.dryRun = options.dryRun;
        const request = new provproto.CallRequest()
            .setTok(token)
            .setArgs(struct(args))
            .setProject(this.engine.project)
            .setStack(this.engine.stack)
            .setOrganization("organization")
            .setDryrun(options.dryRun)
            .setParallel(4)
            .setMonitorendpoint(this.engine.address);
        for (const [key, urns] of Object.entries(options.argDependencies ?? {})) {
            request.getArgdependenciesMap().set(key, new provproto.CallRequest.ArgumentDependencies().setUrnsList(urns));
        }
        const response = await this.unary<provproto.CallRequest, provproto.CallResponse>(this.client.call, request);
        return {
            outputs: (response.getReturn()?.toJavaScript() ?? {}) as Record<string, WireValue>,
            failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** A `Create` of a custom resource the plugin serves, as the engine sends it in an update. */
    async create(urn: string, properties: Record<string, WireValue>): Promise<{ id: string; outputs: Record<string, WireValue> }> {
        const response = await this.unary<provproto.CreateRequest, provproto.CreateResponse>(this.client.create,
            new provproto.CreateRequest().setUrn(urn).setProperties(struct(properties)));
        return { id: response.getId(), outputs: (response.getProperties()?.toJavaScript() ?? {}) as Record<string, WireValue> };
    }

    /** A `Diff` of a custom resource the plugin serves: whether the engine would update it. */
    async diff(urn: string, id: string, olds: Record<string, WireValue>, news: Record<string, WireValue>): Promise<"none" | "some" | "unknown"> {
        const response = await this.unary<provproto.DiffRequest, provproto.DiffResponse>(this.client.diff,
            new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)));
        const changes = response.getChanges();
        return changes === provproto.DiffResponse.DiffChanges.DIFF_NONE ? "none" : changes === provproto.DiffResponse.DiffChanges.DIFF_SOME ? "some" : "unknown";
    }

    /** Runs an RPC that must fail, and returns its decoded failure; fails when the RPC succeeds. */
    static async failure(rpc: Promise<unknown>): Promise<RpcFailure> {
        try {
            await rpc;
        } catch (error) {
            if ((error as grpc.ServiceError).code === undefined) {
                throw error;
            }
            return decodeFailure(error as grpc.ServiceError);
        }
        throw new Error("expected the RPC to fail, but it succeeded");
    }

    /** Closes the connection and ends the process (SIGTERM, then SIGKILL after a grace period). */
    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null && this.child.signalCode === null) {
            this.child.kill("SIGTERM");
            const timer = setTimeout(() => this.child.kill("SIGKILL"), 3_000);
            await this.exited;
            clearTimeout(timer);
        }
        this.child.stdout?.destroy();
        this.child.stderr?.destroy();
    }
}

/** What a test file of the provider needs: a mock engine, the plugin configured against it, and a build context. */
export interface PluginFixture {
    engine: MockEngine;
    plugin: PluginProcess;
    /** A folder with a Dockerfile. */
    buildContext: string;
    stop(): Promise<void>;
}

/** Builds the package if stale, then starts the engine and the plugin as the CLI does (one process for the whole file). */
export async function startPluginFixture(): Promise<PluginFixture> {
    ensureBuilt();
    const buildContext = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-context-"));
    fs.writeFileSync(path.join(buildContext, "Dockerfile"), "FROM public.ecr.aws/docker/library/alpine:3.20\n");
    const engine = await MockEngine.start();
    const plugin = await PluginProcess.spawn(engine);
    await plugin.configure();
    return {
        engine, plugin, buildContext,
        stop: async () => {
            await plugin.close();
            await engine.close();
            fs.rmSync(buildContext, { recursive: true, force: true });
        },
    };
}

/** Starts the fixture before a mocha suite's tests (handing it to `onStart`) and stops it after them. */
export function withPluginFixture(onStart: (fixture: PluginFixture) => void): void {
    let fixture: PluginFixture | undefined;
    before(async function () {
        this.timeout(300_000); // a stale dist/ is rebuilt first
        fixture = await startPluginFixture();
        onStart(fixture);
    });
    after(async () => {
        await fixture?.stop();
    });
}
