// `npm run bench:e2e`: the wall time of preview, first up (with the image build), no-op up and destroy
// on the real engine in the sandbox, for the end-to-end program through ecrx and for the same resources
// written by hand (bench/programs/by-hand), measured in the same run, alternating, so that the ratio is
// the components' overhead. Then the `pulumi preview` wall time of the same program in TypeScript (the
// e2e suite's twin), Python and YAML (the examples), alternating, with the ratio to TypeScript: what a
// language's SDK and host add. Not a test: it prints medians. BENCH_RUNS sets the rounds (default 3).
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramStack, REPO_ROOT, sandboxEnv } from "../tests/e2e/support/sandbox";
import { median } from "./median";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PHASES = ["preview", "first up", "no-op up", "destroy"] as const;
type Phase = typeof PHASES[number];

const APP = path.join(__dirname, "..", "tests", "e2e", "programs", "app");
const PROGRAMS = { ecrx: APP, "by hand": path.join(__dirname, "programs", "by-hand") };

/** The custom resources a stack holds, by type: what both programs must register alike for the ratio to mean anything. */
function customResources(stack: ProgramStack): string {
    return stack.resources().map((r) => r.type).filter((type) => !type.startsWith("pulumi:") && !type.startsWith("ecrx:")).sort().join(", ");
}

const registered: Record<string, string> = {};

function round(programDir: string, index: number): Record<Phase, number> {
    const stack = ProgramStack.create(programDir, { stack: `bench${index}`, secrets: { buildToken: "bench" }, config: { forceDelete: "true" } });
    try {
        if (!fs.existsSync(path.join(stack.dir, "context"))) {
            fs.cpSync(path.join(APP, "context"), path.join(stack.dir, "context"), { recursive: true });
        }
        // A context no earlier round built, so the first up really builds.
        fs.writeFileSync(path.join(stack.dir, "context", "message.txt"), `bench ${process.pid} ${index}\n`);
        const preview = stack.pulumiOk(["preview"]).seconds;
        const firstUp = stack.up().seconds;
        registered[programDir] = customResources(stack);
        return {
            "preview": preview,
            "first up": firstUp,
            "no-op up": stack.up().seconds,
            "destroy": stack.pulumiOk(["destroy", "--yes", "--skip-preview"]).seconds,
        };
    } finally {
        stack.dispose();
    }
}

function main(): void {
    const times: Record<string, Record<Phase, number[]>> = {};
    for (const name of Object.keys(PROGRAMS)) {
        times[name] = Object.fromEntries(PHASES.map((phase) => [phase, []])) as unknown as Record<Phase, number[]>;
    }
    for (let i = 0; i < RUNS; i++) {
        for (const [name, dir] of Object.entries(PROGRAMS)) {
            const result = round(dir, i);
            for (const phase of PHASES) {
                times[name][phase].push(result[phase]);
            }
            console.log(`round ${i + 1}/${RUNS} ${name}: ${PHASES.map((p) => `${p} ${result[p].toFixed(1)} s`).join(", ")}`);
        }
    }
    const [ecrxResources, byHandResources] = Object.values(PROGRAMS).map((dir) => registered[dir]);
    if (ecrxResources !== byHandResources) {
        throw new Error(`the programs register different resources:\n  ecrx:    ${ecrxResources}\n  by hand: ${byHandResources}`);
    }
    console.log(`\nboth register: ${ecrxResources}`);
    console.log(`medians of ${RUNS} rounds (seconds)`);
    console.log(`${"phase".padEnd(10)} ${"ecrx".padStart(8)} ${"by hand".padStart(8)} ${"ratio".padStart(7)}`);
    for (const phase of PHASES) {
        const ecrx = median(times.ecrx[phase]);
        const byHand = median(times["by hand"][phase]);
        console.log(`${phase.padEnd(10)} ${ecrx.toFixed(1).padStart(8)} ${byHand.toFixed(1).padStart(8)} ${(ecrx / byHand).toFixed(2).padStart(6)}×`);
    }
}

/** The same program's preview, in each language with a host here that runs it without a build step. */
function languagePreviews(): void {
    const baseImage = sandboxEnv().ECRX_SANDBOX_BASE_IMAGE;
    const examples = path.join(REPO_ROOT, "examples");
    const programs: Record<string, { dir: string; config?: Record<string, string>; addsEcrxPackage?: boolean }> = {
        TypeScript: { dir: path.join(REPO_ROOT, "tests", "e2e", "programs", "twin"), config: { context: path.join(examples, "go", "app") } },
        Python: { dir: path.join(examples, "python"), addsEcrxPackage: true },
        YAML: { dir: path.join(examples, "yaml") },
    };
    const stacks: Record<string, ProgramStack> = {};
    try {
        for (const [language, program] of Object.entries(programs)) {
            stacks[language] = ProgramStack.create(program.dir, { stack: "bench-preview", config: { baseImage, "ecrx:buildOnPreview": "false", ...program.config } });
            if (program.addsEcrxPackage) {
                stacks[language].addEcrxPackage();
            }
            stacks[language].pulumiOk(["preview"]); // Warm: first runs compile and load caches.
        }
        const times: Record<string, number[]> = Object.fromEntries(Object.keys(programs).map((language) => [language, []]));
        for (let i = 0; i < RUNS; i++) {
            for (const language of Object.keys(programs)) {
                times[language].push(stacks[language].pulumiOk(["preview"]).seconds);
            }
        }
        console.log(`\npulumi preview of the same program, medians of ${RUNS} rounds (seconds)`);
        const typescript = median(times.TypeScript);
        for (const language of Object.keys(programs)) {
            console.log(`${language.padEnd(10)} ${median(times[language]).toFixed(1).padStart(8)} ${(median(times[language]) / typescript).toFixed(2).padStart(6)}×`);
        }
    } finally {
        Object.values(stacks).forEach((stack) => stack.dispose());
    }
}

main();
languagePreviews();
