// `npm run bench:lifecycle`: times `simulate` on 10k, 100k and 1M images against a 10-rule policy, and
// compares it with the floor, which is sorting the same images by push time. Then the adversarial tag
// pattern (`*a*a*a*b` against 1,000 images with 300-character tags), against a prefix rule on the same
// images and against the backtracking regular expression patterns used to compile to. Not a test: it prints.
import { LifecycleImage, simulate } from "../sdk/lifecycle";
import { pushTimeComparator } from "../sdk/lifecycle/ordering";
import { PolicyDocument } from "../sdk/lifecycle/types";
import { cpus, loadavg } from "node:os";
import { median } from "./median";

const NOW = Date.parse("2025-06-01T00:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;
const RUNS: Record<number, number> = { 10_000: 15, 100_000: 9, 1_000_000: 3 };
const WARM_UP_RUNS = 2;

/** Mixed prefixes, patterns, counts, ages, pulls, an archive transition and an archived-image rule. */
const POLICY: PolicyDocument = {
    rules: [
        { rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["prod"], countType: "imageCountMoreThan", countNumber: 50 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "tagged", tagPrefixList: ["release"], countType: "sinceImagePushed", countUnit: "days", countNumber: 180 }, action: { type: "expire" } },
        { rulePriority: 3, selection: { tagStatus: "tagged", tagPatternList: ["feature-*-x*"], countType: "imageCountMoreThan", countNumber: 200 }, action: { type: "expire" } },
        { rulePriority: 4, selection: { tagStatus: "tagged", tagPatternList: ["*-rc*"], countType: "sinceImagePushed", countUnit: "days", countNumber: 30 }, action: { type: "expire" } },
        { rulePriority: 5, selection: { tagStatus: "tagged", tagPrefixList: ["dev"], countType: "sinceImagePulled", countUnit: "days", countNumber: 14 }, action: { type: "transition", targetStorageClass: "archive" } },
        { rulePriority: 6, selection: { tagStatus: "tagged", tagPrefixList: ["stage", "canary"], countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } },
        { rulePriority: 7, selection: { tagStatus: "tagged", tagPatternList: ["pr-*"], countType: "imageCountMoreThan", countNumber: 100 }, action: { type: "expire" } },
        { rulePriority: 8, selection: { tagStatus: "tagged", tagPrefixList: ["nightly"], countType: "sinceImagePushed", countUnit: "days", countNumber: 30 }, action: { type: "transition", targetStorageClass: "archive" } },
        { rulePriority: 9, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
        { rulePriority: 10, selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 180 }, action: { type: "expire" } },
    ],
};

/** A small seeded generator (mulberry32), so every run measures the same repository. */
function randomSource(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** AWS CLI v2 prints times like this, so parsing cost is part of what is measured. */
function cliTime(ms: number): string {
    return new Date(ms).toISOString().replace("Z", "000+00:00");
}

function makeImages(count: number): LifecycleImage[] {
    const random = randomSource(count);
    const hex = () => Math.floor(random() * 0x100000000).toString(16).padStart(8, "0");
    const families: Array<(i: number) => string[]> = [
        (i) => [`prod-${i}`, `v1.${i}`],
        (i) => [`release-${i}`],
        (i) => [`feature-${i % 97}-x${i}`],
        (i) => [`v${i}-rc1`],
        (i) => [`dev-${i}`],
        (i) => (i % 3 === 0 ? [`stage-${i}`] : [`stage-${i}`, `canary-${i}`]),
        (i) => [`pr-${i}`],
        (i) => [`nightly-${i}`],
        () => [],
        (i) => [`misc-${i}`],
    ];
    const images: LifecycleImage[] = [];
    for (let i = 0; i < count; i++) {
        const pushedAt = NOW - random() * 365 * DAY_MS;
        const image: LifecycleImage = {
            imageDigest: `sha256:${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}`,
            imageTags: families[Math.floor(random() * families.length)](i),
            imagePushedAt: cliTime(pushedAt),
        };
        if (random() < 0.5) {
            image.lastRecordedPullTime = cliTime(pushedAt + random() * (NOW - pushedAt));
        }
        if (random() < 0.05) {
            image.imageStatus = "ARCHIVED";
            image.lastArchivedAt = cliTime(pushedAt + random() * (NOW - pushedAt));
        }
        images.push(image);
    }
    return images;
}

function collectGarbage(): void {
    (globalThis as { gc?: () => void }).gc?.();
}

interface Timing {
    wallMs: number;
    /** This process's CPU time (all threads): unlike wall time, it does not grow while other work holds the CPUs. */
    cpuMs: number;
}

function time(run: () => unknown): Timing {
    collectGarbage();
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    run();
    const { user, system } = process.cpuUsage(cpu);
    return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (user + system) / 1000 };
}

/**
 * The floor: sorting the images by push time with the comparator `simulate` orders them by, as a plain
 * comparison sort. No evaluation can avoid ordering the images (simulate itself uses a faster radix sort).
 */
function sortFloor(images: LifecycleImage[]): number {
    const pushedAt = Float64Array.from(images, (image) => Date.parse(image.imagePushedAt as string));
    const compare = pushTimeComparator(pushedAt, images.map((image) => image.imageDigest));
    const slots = images.map((_, slot) => slot);
    return median(Array.from({ length: RUNS[100_000] * 2 }, () => time(() => slots.slice().sort(compare)).wallMs));
}

function megabytes(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

// ECR's longest tags, and the pattern with the most wildcards ECR allows that backtracks worst against them.
const ADVERSARIAL_TAG_LENGTH = 300;
const ADVERSARIAL_IMAGES = 1_000;
const ADVERSARIAL_PATTERN = "*a*a*a*b";
const ADVERSARIAL_RUNS = 15;
const REGEX_SAMPLES = 3;

function adversarialPolicy(selection: PolicyDocument["rules"][number]["selection"]): PolicyDocument {
    return { rules: [{ rulePriority: 1, selection, action: { type: "expire" } }] };
}

function adversarialImages(): LifecycleImage[] {
    const random = randomSource(ADVERSARIAL_IMAGES);
    return Array.from({ length: ADVERSARIAL_IMAGES }, (_, i) => ({
        imageDigest: `sha256:${i.toString(16).padStart(64, "0")}`,
        // All "a", no "b": every way of placing the pattern's "a"s is tried by a backtracking matcher.
        imageTags: ["a".repeat(ADVERSARIAL_TAG_LENGTH)],
        imagePushedAt: cliTime(NOW - random() * 365 * DAY_MS),
    }));
}

function medianWallMs(runs: number, run: () => unknown): number {
    for (let warmUp = 0; warmUp < WARM_UP_RUNS; warmUp++) {
        run();
    }
    return median(Array.from({ length: runs }, () => time(run).wallMs));
}

/** The adversarial pattern, timed three ways on the same images in this run. */
function benchAdversarialPattern(): void {
    const images = adversarialImages();
    const now = { now: new Date(NOW) };
    const patternPolicy = adversarialPolicy({ tagStatus: "tagged", tagPatternList: [ADVERSARIAL_PATTERN], countType: "imageCountMoreThan", countNumber: 1 });
    const prefixPolicy = adversarialPolicy({ tagStatus: "tagged", tagPrefixList: ["a"], countType: "imageCountMoreThan", countNumber: 1 });
    const glob = medianWallMs(ADVERSARIAL_RUNS, () => simulate(patternPolicy, images, now));
    const prefix = medianWallMs(ADVERSARIAL_RUNS, () => simulate(prefixPolicy, images, now));
    // What patterns compiled to before: ^.*a.*a.*a.*b$. A few tags are enough to time it; all 1,000 would take minutes.
    const backtracking = new RegExp(`^${ADVERSARIAL_PATTERN.split("*").join(".*")}$`);
    const regexPerTag = median(images.slice(0, REGEX_SAMPLES).map((image) => time(() => backtracking.test(image.imageTags![0])).wallMs));
    const regexAll = regexPerTag * ADVERSARIAL_IMAGES;
    console.log(`\nadversarial tag pattern: ${ADVERSARIAL_PATTERN} against ${ADVERSARIAL_IMAGES} images with ${ADVERSARIAL_TAG_LENGTH}-character tags ` +
        `(medians of ${ADVERSARIAL_RUNS} runs after ${WARM_UP_RUNS} warm-up runs)`);
    console.log(`  simulate, glob matcher:          ${glob.toFixed(2).padStart(9)} ms`);
    console.log(`  simulate, prefix rule (baseline): ${prefix.toFixed(2).padStart(8)} ms   glob/prefix ${(glob / prefix).toFixed(2)}×`);
    console.log(`  backtracking regex, one tag:     ${regexPerTag.toFixed(2).padStart(9)} ms   (median of ${REGEX_SAMPLES} tags; ` +
        `×${ADVERSARIAL_IMAGES} images ≈ ${(regexAll / 1000).toFixed(1)} s, ${(regexAll / glob).toFixed(0)}× the glob simulation)`);
}

function main(): void {
    if ((globalThis as { gc?: unknown }).gc === undefined) {
        console.log("(run with node --expose-gc, as npm run bench:lifecycle does, for steadier numbers)");
    }
    console.log(`simulate: ${POLICY.rules.length} rules; times are medians after ${WARM_UP_RUNS} warm-up runs; ` +
        "input heap is the images alone, peak heap adds simulate's work and result; peak RSS is the process's so far.");
    console.log(`${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}: wall times grow with other load, CPU times much less.\n`);
    console.log("images     runs  median ms  median CPU ms  µs/image  input heap  peak heap  peak RSS  vs sort floor");
    const medians = new Map<number, number>();
    for (const count of [10_000, 100_000, 1_000_000]) {
        const images = makeImages(count);
        collectGarbage();
        const inputHeap = process.memoryUsage().heapUsed;
        const floor = count === 100_000 ? sortFloor(images) : undefined;
        let peakHeap = 0;
        const timings: Timing[] = [];
        for (let run = -WARM_UP_RUNS; run < RUNS[count]; run++) {
            let result: ReturnType<typeof simulate> | undefined;
            const timing = time(() => { result = simulate(POLICY, images, { now: new Date(NOW) }); });
            peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
            if (result!.images.length !== count) {
                throw new Error(`simulate returned ${result!.images.length} images for ${count}`);
            }
            if (run >= 0) {
                timings.push(timing);
            }
        }
        const middle = median(timings.map((timing) => timing.wallMs));
        const middleCpu = median(timings.map((timing) => timing.cpuMs));
        medians.set(count, middle);
        const ratio = floor === undefined ? "" : `${(middle / floor).toFixed(1)}× (floor ${floor.toFixed(1)} ms)`;
        console.log(`${String(count).padEnd(10)} ${String(RUNS[count]).padStart(4)} ${middle.toFixed(1).padStart(10)} ${middleCpu.toFixed(1).padStart(14)} ` +
            `${(middle * 1000 / count).toFixed(2).padStart(9)} ${megabytes(inputHeap).padStart(11)} ${megabytes(peakHeap).padStart(10)} ` +
            `${megabytes(process.resourceUsage().maxRSS * 1024).padStart(9)}  ${ratio}`);
    }
    const nLogN = (n: number) => n * Math.log2(n);
    for (const [small, large] of [[10_000, 100_000], [100_000, 1_000_000]]) {
        console.log(`growth ${small} → ${large}: ×${(medians.get(large)! / medians.get(small)!).toFixed(1)} ` +
            `(n·log n grows ×${(nLogN(large) / nLogN(small)).toFixed(1)})`);
    }
    benchAdversarialPattern();
}

main();
