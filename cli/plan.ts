// `ecrx lifecycle plan`: gather a policy and the images (from files, or live from ECR), simulate, print.
import {
    compileTagPattern,
    describeUser,
    ImageUser,
    isIndexMediaType,
    LifecycleImage,
    parsePolicyText,
    PolicyDocument,
    shortDigest,
    simulate,
    SimulationResult,
    ValidationError,
} from "../sdk/lifecycle";
import type { PreviewComparison, PreviewSettings } from "./aws-preview";
import type { Denial, InUseOptions } from "./in-use";
import { readInputFile } from "./input-file";
import { CliIO, UserError } from "./io";
import { EXIT_PREVIEW_DISAGREES } from "./preview-options";
import type { LiveTarget } from "./live";
import { renderTable } from "./table";
import { printable, printableJson } from "./terminal-text";

/** The exit code when `--fail-on-expire` finds an image it guards among those to expire. */
export const EXIT_GUARD_TRIPPED = 2;

export interface PlanOptions {
    /** A policy document, or `get-lifecycle-policy` output. Required offline; live, it replaces the stored policy. */
    policyFile?: string;
    /** Offline: `describe-images` output or a bare list of images. */
    imagesFile?: string;
    /** Offline: a JSON object mapping index digests to their child digests. */
    indexChildrenFile?: string;
    /** Live: read images (and the policy, unless `policyFile`) from this repository. */
    live?: LiveTarget;
    format: "table" | "json";
    now: Date;
    /** Tag patterns (`*` wildcard) of images that must not expire. */
    failOnExpire: string[];
    /** Live: also run ECR's own lifecycle policy preview and report every image on which it and the plan differ. */
    compareAwsPreview?: PreviewSettings;
    /** Live: find the images that ECS, Lambda or Kubernetes use. */
    inUse?: InUseOptions;
    /** Exit with EXIT_GUARD_TRIPPED when an image in use would expire or archive, or the in-use check was incomplete. */
    failOnExpireInUse: boolean;
}

/** Where a policy or images came from, for messages. */
interface Sourced<T> {
    value: T;
    source: string;
}

interface PlanInput {
    policy: PolicyDocument;
    /** The policy's text exactly as read, which is what ECR's preview is given. */
    policyText: string;
    images: Sourced<LifecycleImage[]>;
    indexChildren?: Record<string, string[]>;
    /** Digest → users, when the images in use were looked for. */
    inUse?: Record<string, ImageUser[]>;
    /** The in-use sources' refused calls: what the check could not see. */
    denials: Denial[];
    warnings: string[];
    /** What reading the input did, beyond reading. */
    notices: string[];
}

export async function plan(options: PlanOptions, io: CliIO): Promise<number> {
    const input = options.live !== undefined ? await readLive(options.live, options, io) : readOffline(options);
    const result = validated(input.images.source, () => simulate(input.policy, input.images.value, {
        now: options.now,
        ...(input.indexChildren !== undefined ? { indexChildren: input.indexChildren } : {}),
        ...(input.inUse !== undefined ? { inUse: input.inUse } : {}),
    }));
    for (const notice of input.notices) {
        io.stderr.write(`ecrx: note: ${printable(notice)}\n`);
    }
    for (const warning of input.warnings) {
        io.stderr.write(`ecrx: warning: ${printable(warning)}\n`);
    }
    for (const note of result.notes) {
        io.stderr.write(`ecrx: note: ${note}\n`);
    }
    // Loaded only for a comparison: the preview needs the AWS SDK, which offline plans never load.
    let preview: typeof import("./aws-preview") | undefined;
    let comparison: PreviewComparison | undefined;
    if (options.compareAwsPreview !== undefined && options.live !== undefined) {
        preview = await import("./aws-preview");
        comparison = await preview.compareWithAwsPreview(options.live, input.policyText, result, options.compareAwsPreview,
            (line) => io.stderr.write(`ecrx: ${line}\n`));
    }
    if (options.format === "json") {
        io.stdout.write(`${printableJson(comparison === undefined ? result : { ...result, awsPreview: comparison })}\n`);
    } else {
        const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
        io.stdout.write(renderTable(result, options.now, color, input.inUse));
        if (preview !== undefined && comparison !== undefined) {
            io.stdout.write(preview.renderComparison(comparison, result.images.length));
        }
    }
    const tagGuard = checkGuards(result, options.failOnExpire, io);
    const inUseGuard = options.failOnExpireInUse ? checkInUseGuard(result, input.denials, io) : 0;
    const guard = Math.max(tagGuard, inUseGuard);
    // A disagreement comes first: a guard's verdict rests on a plan that ECR has just contradicted.
    return comparison !== undefined && comparison.disagreements.length > 0 ? EXIT_PREVIEW_DISAGREES : guard;
}

function readOffline(options: PlanOptions): PlanInput {
    const policyFile = policyFromFile(options.policyFile!);
    const policy = checkedPolicy(policyFile);
    const images = imagesFromFile(options.imagesFile!);
    const indexChildren = options.indexChildrenFile === undefined
        ? undefined : readJsonFile(options.indexChildrenFile, "--index-children").value as Record<string, string[]>;
    const warnings = [...images.warnings];
    const unresolved = images.value.filter((image) =>
        isIndexMediaType(image?.imageManifestMediaType) && indexChildren?.[image.imageDigest] === undefined).length;
    if (unresolved > 0) {
        warnings.push(`${unresolved} image${unresolved === 1 ? " is an image index" : "s are image indexes"} (multi-architecture) ` +
            "whose children describe-images does not list, so children may show as expired although ECR keeps them while " +
            "their index exists. Pass --index-children FILE, or plan live with --repository.");
    }
    // Problems in the index map are reported by the simulation, together with those of the images.
    const source = options.indexChildrenFile === undefined ? images.source : `${images.source} with ${options.indexChildrenFile}`;
    return { policy, policyText: policyFile.text, images: { value: images.value, source }, indexChildren, denials: [], warnings, notices: [] };
}

async function readLive(target: LiveTarget, options: PlanOptions, io: CliIO): Promise<PlanInput> {
    // The file first, so that a mistake in it shows before any call to AWS.
    const file = options.policyFile === undefined ? undefined : policyFromFile(options.policyFile);
    const filePolicy = file === undefined ? undefined : checkedPolicy(file);
    // Loaded here so that offline plans never pay for loading the AWS SDK.
    const { readRepository } = await import("./live");
    const inUse = options.inUse === undefined ? undefined : await import("./in-use");
    // Side by side: the workloads do not depend on the repository. Settled, so that nothing runs on after a failure.
    const [read, discovered] = await Promise.allSettled([
        readRepository(target, filePolicy === undefined),
        inUse?.discoverInUse(options.inUse!, target.region, io.stderr),
    ]);
    if (read.status === "rejected" || discovered.status === "rejected") {
        throw read.status === "rejected" ? read.reason : (discovered as PromiseRejectedResult).reason;
    }
    const snapshot = read.value;
    const storedPolicySource = `the lifecycle policy of repository "${target.repository}"`;
    const stored = file ?? { text: snapshot.policyText ?? "", source: storedPolicySource };
    const planInput: PlanInput = {
        policy: filePolicy ?? checkedPolicy({ ...stored, value: parseJson(stored.text, storedPolicySource) }),
        policyText: stored.text,
        images: { value: snapshot.images as LifecycleImage[], source: `repository "${target.repository}"` },
        indexChildren: snapshot.indexChildren,
        denials: [],
        warnings: snapshot.warnings,
        notices: [...snapshot.notices],
    };
    if (inUse === undefined || discovered.value === undefined) {
        return planInput;
    }
    const findings = inUse.findingsFor(discovered.value, {
        name: target.repository,
        registryId: snapshot.images.find((image) => image.registryId !== undefined)?.registryId ?? target.registryId ?? "",
        region: snapshot.region,
        images: snapshot.images,
        indexChildren: snapshot.indexChildren,
    });
    planInput.inUse = findings.inUse;
    planInput.denials = findings.denials;
    planInput.warnings.push(...findings.warnings);
    planInput.notices.push(...findings.notes);
    return planInput;
}

/** A policy, parsed, with the text it was parsed from. */
type SourcedPolicy = Sourced<unknown> & { text: string };

/**
 * Applies buildPolicy's checks (simulate applies them again, at no noticeable cost) to blame the right
 * source early; the length limit applies to the text as read, since that is what ECR would receive.
 */
function checkedPolicy(policy: SourcedPolicy): PolicyDocument {
    return validated(policy.source, () => parsePolicyText(policy.text));
}

/** A policy document, or `aws ecr get-lifecycle-policy` output, whose `lifecyclePolicyText` holds the document as a string. */
function policyFromFile(path: string): SourcedPolicy {
    const { value, text } = readJsonFile(path, "--policy");
    const { lifecyclePolicyText } = awsCliOutput(value);
    if (lifecyclePolicyText !== undefined) {
        if (typeof lifecyclePolicyText !== "string") {
            throw new UserError(`${path}: lifecyclePolicyText must be the policy JSON as a string, as get-lifecycle-policy prints it.`);
        }
        return { value: parseJson(lifecyclePolicyText, `${path}: lifecyclePolicyText`), text: lifecyclePolicyText, source: path };
    }
    return { value, text, source: path };
}

/** `aws ecr describe-images` output (`{"imageDetails": [...]}`) or a bare list of images. */
function imagesFromFile(path: string): Sourced<LifecycleImage[]> & { warnings: string[] } {
    const { value } = readJsonFile(path, "--images");
    if (Array.isArray(value)) {
        return { value, source: path, warnings: [] };
    }
    const { imageDetails, nextToken } = awsCliOutput(value);
    if (Array.isArray(imageDetails)) {
        const warnings = typeof nextToken === "string"
            ? [`${path} has a nextToken, so it is only the first page of images: run describe-images without --max-items to list them all.`]
            : [];
        return { value: imageDetails, source: path, warnings };
    }
    throw new UserError(`${path} must hold describe-images output ({"imageDetails": [...]}) or a list of images.`);
}

/** The fields the plan reads of `aws ecr get-lifecycle-policy` and `describe-images` output, each still to be checked. */
interface AwsCliOutput {
    lifecyclePolicyText?: unknown;
    imageDetails?: unknown;
    nextToken?: unknown;
}

/** A file's JSON as AWS CLI output. Any JSON value but null can be asked for a field: a list, a string or a number has none. */
function awsCliOutput(json: unknown): AwsCliOutput {
    return (json ?? {}) as AwsCliOutput;
}

function readJsonFile(path: string, option: string): { value: unknown; text: string } {
    const text = readInputFile(path, option);
    return { value: parseJson(text, path), text };
}

function parseJson(text: string, source: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        // Node 22 appends its own "(line 3 column 6)"; one wording on every Node version.
        const message = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, "");
        const position = /at position (\d+)/.exec(message);
        const where = position === null ? "" : ` (${lineAndColumn(text, Number(position[1]))})`;
        throw new UserError(`${source} is not valid JSON: ${message}${where}.`);
    }
}

function lineAndColumn(text: string, offset: number): string {
    const before = text.slice(0, offset).split("\n");
    return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

// A ValidationError can list thousands of problems (one per bad image); a terminal needs the first few.
const MAX_PROBLEMS_SHOWN = 20;

/** Runs a check, turning its ValidationError into a UserError that names where the input came from. */
function validated<T>(source: string, check: () => T): T {
    try {
        return check();
    } catch (error) {
        if (!ValidationError.isInstance(error)) {
            throw error;
        }
        throw new UserError(`${source}: ${error.format({ maxProblems: MAX_PROBLEMS_SHOWN })}`);
    }
}

// Enough of the guarded images to act on; the plan above them lists the rest.
const MAX_GUARDED_SHOWN = 10;

/** `--fail-on-expire-in-use`: trips on an image in use to expire or archive, or on an incomplete check when anything would. */
function checkInUseGuard(result: SimulationResult, denials: readonly Denial[], io: CliIO): number {
    const flagged = result.images.filter((image) => image.inUse !== undefined);
    if (flagged.length > 0) {
        const listed = flagged.slice(0, MAX_GUARDED_SHOWN).map((image) => `${shortDigest(image.imageDigest)} (${describeUser(image.inUse![0])})`);
        const more = flagged.length > MAX_GUARDED_SHOWN ? ` and ${flagged.length - MAX_GUARDED_SHOWN} more` : "";
        io.stderr.write(`ecrx: --fail-on-expire-in-use: ${flagged.length} image${flagged.length === 1 ? "" : "s"} in use would be ` +
            `expired or archived: ${listed.join(", ")}${more}\n`);
        return EXIT_GUARD_TRIPPED;
    }
    const actedOn = result.summary.expire + result.summary.archive;
    if (denials.length > 0 && actedOn > 0) {
        const permissions = [...new Set(denials.map((denial) => denial.permission))].sort();
        io.stderr.write(`ecrx: --fail-on-expire-in-use: the in-use check is incomplete (missing ${permissions.join(", ")}), so some of the ` +
            `${actedOn} image${actedOn === 1 ? "" : "s"} to expire or archive may be in use.\n`);
        return EXIT_GUARD_TRIPPED;
    }
    return 0;
}

function checkGuards(result: SimulationResult, patterns: string[], io: CliIO): number {
    if (patterns.length === 0) {
        return 0;
    }
    const tests = patterns.map(compileTagPattern);
    const guarded = result.images.filter((image) =>
        image.action === "expire" && image.imageTags.some((tag) => tests.some((test) => test.test(tag))));
    if (guarded.length === 0) {
        return 0;
    }
    const listed = guarded.slice(0, MAX_GUARDED_SHOWN).map((image) => `${shortDigest(image.imageDigest)} (${image.imageTags.join(", ")})`);
    const more = guarded.length > MAX_GUARDED_SHOWN ? ` and ${guarded.length - MAX_GUARDED_SHOWN} more` : "";
    io.stderr.write(`ecrx: --fail-on-expire: ${guarded.length} image${guarded.length === 1 ? "" : "s"} tagged like ` +
        `${patterns.join(" or ")} would expire: ${listed.join(", ")}${more}\n`);
    return EXIT_GUARD_TRIPPED;
}

