// `npm run bench:provider`: cold starts of the provider plugin, spawned as the Pulumi CLI spawns it
// (run-plugin from the package root) against the mock engine. Each run is a fresh process that is asked,
// like a YAML deployment asks it, for the schema and then to construct a default Repository in a preview.
// Not a test: it prints the median, min and max of each phase. Target: first Construct answer < 1.5 s.
import { MockEngine } from "../tests/support/mock-engine";
import { ensureBuilt, PluginProcess } from "../tests/support/plugin";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 1500;

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

function stats(values: number[]): { median: number; min: number; max: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1] };
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

async function main(): Promise<void> {
    if (ensureBuilt()) {
        console.log("(compiled the package first)");
    }
    const engine = await MockEngine.start();
    const runs: Run[] = [];
    try {
        for (let i = 0; i < RUNS; i++) {
            runs.push(await once(engine));
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
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
