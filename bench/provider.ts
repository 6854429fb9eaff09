// `npm run bench:provider`: the provider plugin spawned as the Pulumi CLI spawns it (run-plugin from the package
// root) against the mock engine.
//  1. Cold starts: each run is a fresh process asked, like a YAML deployment asks it, for the schema and then to
//     construct a default Repository in a preview. Target: first Construct answer < 1.5 s.
//  2. Load: 50, 100 and 200 concurrent Repository Constructs in one update, once all valid (the baseline) and once
//     with one bad request among them (a secret, invalid name), each round in a fresh process. Every valid request
//     must succeed and the bad one must fail alone as INVALID_ARGUMENT without its secret; prints p50/p95/max
//     latency and the process's peak RSS.
// Not a test: it prints figures.
import * as fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { MockEngine, outputValue } from "../tests/support/mock-engine";
import { ensureBuilt, PluginProcess, RpcFailure } from "../tests/support/plugin";
import { median } from "./median";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 1500;
const LOAD_LEVELS = [50, 100, 200];
const BAD_SECRET = "Bad_Name_that_is_a_SECRET";
/** 200 Constructs on a busy 2-core machine can take longer than the tests' 30 s deadline; a figure, not a failure. */
const LOAD_DEADLINE_MS = 180_000;

interface Run {
    /** Spawn → the port on stdout: Node, run-plugin (which loads TypeScript and ts-node), the package, the gRPC server. */
    port: number;
    /** The first GetSchema round trip. */
    getSchema: number;
    /** The first Construct round trip: SDK components, engine registrations, outputs. */
    construct: number;
    /** Spawn → the first Construct answer. */
    firstConstruct: number;
}

function stats(values: number[]): { median: number; min: number; max: number; p95: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
    return { median: median(sorted), min: sorted[0], max: sorted[sorted.length - 1], p95 };
}

async function once(engine: MockEngine): Promise<Run> {
    engine.beginDeployment({ dryRun: true });
    const plugin = await PluginProcess.spawn(engine);
    try {
        const schemaStart = performance.now();
        await plugin.getSchema();
        const schemaEnd = performance.now();
        await plugin.construct("ecrx:index:Repository", "bench", {}, { dryRun: true });
        const constructEnd = performance.now();
        if (engine.registrations.length !== 3 || engine.refusals.length > 0) {
            throw new Error(`unexpected deployment: ${engine.registrations.map((r) => r.type).join(", ")}; ${engine.refusals.join("; ")}`);
        }
        return {
            port: plugin.portAt - plugin.spawnedAt,
            getSchema: schemaEnd - schemaStart,
            construct: constructEnd - schemaEnd,
            firstConstruct: constructEnd - plugin.spawnedAt,
        };
    } finally {
        await plugin.close();
    }
}

/** The peak resident set of a process so far (Linux: VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

interface LoadRound {
    latencies: number[];
    badLatency?: number;
    peakRss: number;
}

/** `count` concurrent Constructs in one update of a fresh process; with `withBadRequest`, the middle one is invalid and secret. */
async function loadRound(engine: MockEngine, count: number, withBadRequest: boolean): Promise<LoadRound> {
    engine.beginDeployment({ dryRun: false });
    const plugin = await PluginProcess.spawn(engine);
    try {
        await plugin.configure();
        const bad = withBadRequest ? count >> 1 : -1;
        const timed = Array.from({ length: count }, async (_, index) => {
            const start = performance.now();
            if (index === bad) {
                const failure: RpcFailure = await PluginProcess.failure(plugin.construct("ecrx:index:Repository", "bad", {
                    name: outputValue({ value: BAD_SECRET, secret: true }),
                }, { dryRun: false, acceptsOutputValues: true, deadlineMs: LOAD_DEADLINE_MS }));
                if (failure.code !== grpc.status.INVALID_ARGUMENT || JSON.stringify(failure).includes(BAD_SECRET)) {
                    throw new Error(`the bad request failed wrongly: ${JSON.stringify(failure)}`);
                }
                return { index, ms: performance.now() - start };
            }
            await plugin.construct("ecrx:index:Repository", `repo-${index}`, {}, { dryRun: false, acceptsOutputValues: true, deadlineMs: LOAD_DEADLINE_MS });
            return { index, ms: performance.now() - start };
        });
        const results = await Promise.all(timed);
        const components = engine.ofType("ecrx:index:Repository").length;
        if (components !== count - (withBadRequest ? 1 : 0) || engine.refusals.length > 0 || plugin.output.includes(BAD_SECRET)) {
            throw new Error(`expected ${count - (withBadRequest ? 1 : 0)} Repositories, got ${components}; refusals: ${engine.refusals.join("; ")}`);
        }
        return {
            latencies: results.filter((r) => r.index !== bad).map((r) => r.ms),
            badLatency: results.find((r) => r.index === bad)?.ms,
            peakRss: peakRssMiB(plugin.pid),
        };
    } finally {
        await plugin.close();
    }
}

async function main(): Promise<void> {
    if (ensureBuilt()) {
        console.log("(compiled the package first)");
    }
    const engine = await MockEngine.start();
    const runs: Run[] = [];
    const load: Array<{ count: number; baseline: LoadRound; withBad: LoadRound }> = [];
    try {
        for (let i = 0; i < RUNS; i++) {
            runs.push(await once(engine));
        }
        for (const count of LOAD_LEVELS) {
            load.push({ count, baseline: await loadRound(engine, count, false), withBad: await loadRound(engine, count, true) });
        }
    } finally {
        await engine.close();
    }
    console.log(`provider plugin cold start, ${RUNS} spawns (node run-plugin <root> <engine>), milliseconds\n`);
    console.log("phase                                median       min       max");
    const rows: Array<[string, keyof Run]> = [
        ["spawn → port printed", "port"],
        ["GetSchema latency", "getSchema"],
        ["Construct latency (Repository)", "construct"],
        ["spawn → first Construct answer", "firstConstruct"],
    ];
    for (const [label, key] of rows) {
        const { median, min, max } = stats(runs.map((r) => r[key]));
        console.log(`${label.padEnd(34)} ${median.toFixed(1).padStart(9)} ${min.toFixed(1).padStart(9)} ${max.toFixed(1).padStart(9)}`);
    }
    const firstConstruct = stats(runs.map((r) => r.firstConstruct)).median;
    console.log(`\nfirst Construct answer: median ${firstConstruct.toFixed(0)} ms, target < ${TARGET_MS} ms: ${firstConstruct < TARGET_MS ? "met" : "NOT met"}`);

    console.log("\nconcurrent Repository Constructs in one update, fresh process per round, milliseconds (valid requests only)\n");
    console.log("requests  round               p50       p95       max   bad answered   peak RSS MiB   p50 vs baseline");
    for (const { count, baseline, withBad } of load) {
        const base = stats(baseline.latencies);
        const bad = stats(withBad.latencies);
        const line = (label: string, s: typeof base, round: LoadRound, ratio: string) =>
            console.log(`${String(count).padStart(8)}  ${label.padEnd(16)} ${s.median.toFixed(0).padStart(6)} ${s.p95.toFixed(0).padStart(9)} ` +
                `${s.max.toFixed(0).padStart(9)} ${(round.badLatency === undefined ? "-" : `${round.badLatency.toFixed(0)} ms`).padStart(14)} ` +
                `${round.peakRss.toFixed(0).padStart(14)}   ${ratio}`);
        line("all valid", base, baseline, "1.00");
        line("1 bad secret", bad, withBad, (bad.median / base.median).toFixed(2));
    }
    console.log(`\nevery valid request succeeded; the bad one failed alone as INVALID_ARGUMENT, its secret in no answer or log.`);
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
