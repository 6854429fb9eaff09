import { describeValue, isRecord, isStringList, joinPath, ProblemList } from "../validation/errors";
import { parsePolicyDocument, policyNotes, storageClassOf } from "./document";
import { describeUsers, ImageUser, InUseMap, readInUse } from "./in-use";
import { compileTagPattern } from "./tag-pattern";
import { DAY_MS, parseTimestamp, Timestamp, timestampProblem } from "./time";
import { PolicyDocument, PolicyRule, StorageClass } from "./types";

// The offline lifecycle evaluator: given a policy and the images of a repository, say which images ECR would
// expire or archive, and why. Pure and synchronous, so that it answers instantly and can be tested exhaustively.

/** `imageStatus` in `describe-images`: archived images live in the archive storage class; ACTIVATING ones are being restored. */
export type ImageStatus = "ACTIVE" | "ARCHIVED" | "ACTIVATING";

/**
 * One image, in the shape of an entry of `aws ecr describe-images` `imageDetails` (or the SDK's `ImageDetail`).
 * Fields that the lifecycle rules do not look at (sizes, scan results, ...) may be present and are ignored.
 */
export interface LifecycleImage {
    imageDigest: string;
    imageTags?: readonly string[] | null;
    imagePushedAt: Timestamp;
    /** Absent when ECR never recorded a pull; `sinceImagePulled` then counts from the push. */
    lastRecordedPullTime?: Timestamp | null;
    /** Default: ACTIVE. */
    imageStatus?: ImageStatus | null;
    /** When the image moved to archive; required for ARCHIVED images, which `sinceImageTransitioned` ages by it. */
    lastArchivedAt?: Timestamp | null;
    /**
     * When the image was last restored from archive. A restored image is ranked by it in place of its push
     * (it is as new as its restore), and `sinceImagePulled` counts from it when the image was not pulled since.
     */
    lastActivatedAt?: Timestamp | null;
    /** Set on referrers (signatures, SBOMs, attestations): the digest of the image they describe. */
    subjectManifestDigest?: string | null;
    /** An OCI image index or Docker manifest list marks a multi-architecture image (see `isIndexMediaType`). */
    imageManifestMediaType?: string | null;
    /** Accepted because describe-images reports it; the rules do not look at it. */
    artifactMediaType?: string | null;
}

export interface SimulateOptions {
    /** The moment the policy is evaluated at. Default: the current time. */
    now?: Timestamp;
    /**
     * Which child manifests each image index (multi-architecture image) references: index digest → child
     * digests, as listed in the index manifest (`manifests[].digest`). ECR neither expires nor archives a child
     * until every index that references it is deleted or archived, so such children are reported as kept;
     * an index that is archived, or that this evaluation expires or archives, no longer protects them.
     * `describe-images` does not list children; the CLI reads them with `BatchGetImage`.
     */
    indexChildren?: Readonly<Record<string, readonly string[]>>;
    /**
     * What runs each image: digest → users. An image in use that a rule would expire or archive still gets
     * that action, as ECR would not look, but carries its users in `inUse` and names the first in its reason.
     * List an index's children under their own digests too: they are pulled by digest as well.
     */
    inUse?: InUseMap;
}

export type SimulatedAction = "expire" | "archive" | "keep";

/** The verdict for one image. */
export interface SimulatedImage {
    imageDigest: string;
    /** The image's tags in input order; empty when untagged. It is the input's own array, not a copy (copies cost time at a million images): do not modify it. */
    imageTags: readonly string[];
    /**
     * The push time exactly as the input gave it (ISO string, epoch seconds or Date), so that a result reads
     * like its source, and no time goes into formatting dates that a caller may never look at.
     */
    imagePushedAt: Timestamp;
    action: SimulatedAction;
    /** The rule whose selection decided the image (for a referrer, its subject's); absent when no rule selects it. */
    rulePriority?: number;
    /** One line, e.g. `rule 2 (tag prefix beta, keep newest 1): 2nd newest of 3 matching`. */
    reason: string;
    /** Set only on images to expire or archive that `options.inUse` lists: what would break. */
    inUse?: readonly ImageUser[];
}

export interface SimulationResult {
    /**
     * Every input image exactly once, oldest first: by push time, or by restore time for an image restored
     * from archive (the order in which ECR expires them); equal times are ordered by digest.
     */
    images: SimulatedImage[];
    summary: Record<SimulatedAction, number>;
    /** Rules that may not mean what they seem to, such as a multi-entry tag list (AND, not OR). */
    notes: string[];
}

const HOUR_MS = 60 * 60 * 1000;
const IMAGE_STATUSES: ReadonlySet<string> = new Set<ImageStatus>(["ACTIVE", "ARCHIVED", "ACTIVATING"]);

/** The manifest media types of multi-architecture images: the OCI image index and the Docker manifest list. */
export const INDEX_MEDIA_TYPES: readonly string[] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/** Whether a manifest media type is a multi-architecture index. */
export function isIndexMediaType(mediaType: string | null | undefined): boolean {
    return typeof mediaType === "string" && INDEX_MEDIA_TYPES.includes(mediaType);
}

// Storage places, as stored in `ImageTable.storage`. RESTORING (ACTIVATING) images sit between the two
// storage classes, and no rule sees them.
const STANDARD = 0;
const ARCHIVE = 1;
const RESTORING = 2;
const STORAGE_CODES: Record<StorageClass, number> = { standard: STANDARD, archive: ARCHIVE };
const NO_TAGS: readonly string[] = Object.freeze([]);
const RULES_PER_BATCH = 16;

/**
 * The checked images as columns, one slot per input image. Typed arrays keep a million images cheap for the
 * garbage collector, and each pass over the images reads only the columns it needs.
 */
interface ImageTable {
    readonly digests: string[];
    readonly tags: (readonly string[])[];
    readonly pushedAsGiven: Timestamp[];
    readonly subjects: (string | undefined)[];
    readonly mediaTypes: (string | undefined)[];
    readonly pushedAt: Float64Array;
    /** NaN when never restored from archive. */
    readonly activatedAt: Float64Array;
    /** The time that ranks the image: its restore when restored, otherwise its push. */
    readonly newestAt: Float64Array;
    /** NaN when ECR recorded no pull. */
    readonly pulledAt: Float64Array;
    /** NaN when never archived. */
    readonly archivedAt: Float64Array;
    readonly storage: Uint8Array;
}

/** What the rules decided, per image slot. */
interface Decisions {
    /** The first rule, in priority order, whose selection matched the image; -1 for none. */
    readonly rule: Int32Array;
    /** The image's place, newest first, among the images its deciding rule selects. */
    readonly rank: Int32Array;
    /** 1 when the deciding rule's condition holds (the rule would act on the image). */
    readonly meetsCondition: Uint8Array;
    /** For an image its deciding rule keeps: the first later rule that would have acted on it; -1 for none. */
    readonly shadowedBy: Int32Array;
}

interface CompiledRule {
    readonly rule: PolicyRule;
    /** `rule 2 (tag prefix beta, keep newest 1): `, the start of every reason this rule gives. */
    readonly reasonPrefix: string;
    readonly storage: number;
    readonly action: "expire" | "archive";
    readonly selects: (tags: readonly string[]) => boolean;
    /** `, beyond the newest 5` or `, more than 90 days`: how an image that meets the condition stands. */
    readonly meetsSuffix: string;
    /** `, within the newest 5` or `, not more than 90 days`: why an image that does not is kept. */
    readonly keepsSuffix: string;
    /** How many images the selection matched, each counted whatever other rules do to it. */
    matched: number;
    /**
     * ` of 3 matching` followed by the meets and the keeps suffix: built once the rule has ranked its images,
     * so that a count rule's reason costs one join per image, not three.
     */
    matchedMeets: string;
    matchedKeeps: string;
}

/**
 * Evaluates an ECR lifecycle policy against the images of a repository, exactly as ECR documents it:
 * every rule ranks the images of its storage class that its selection matches (newest first, a restored
 * image by its restore); rules are then applied in ascending `rulePriority`, an image being decided by the
 * first rule whose selection matches it (a later rule still counts it, but cannot act on it); a child of an
 * image index is not acted on while an index that references it stays; referrers follow their subject,
 * and expire when it is gone.
 *
 * The policy is checked with the same rules as `buildPolicy` (`parsePolicyDocument`), then the images and
 * options; both throw `ValidationError` listing every problem. Runs in O(n log n) at worst for n images.
 */
export function simulate(policy: PolicyDocument, images: readonly LifecycleImage[], options?: SimulateOptions): SimulationResult {
    const document = parsePolicyDocument(policy);
    const problems = new ProblemList();
    if (options !== undefined && !isRecord(options)) {
        problems.add("options", `must be an object with now, indexChildren and/or inUse, or left out, but is ${describeValue(options)}.`);
    }
    const { now: givenNow, indexChildren, inUse } = isRecord(options) ? options as SimulateOptions : {} as SimulateOptions;
    const now = givenNow === undefined ? Date.now() : parseTimestamp(givenNow);
    if (Number.isNaN(now)) {
        problems.add("options.now", timestampProblem(givenNow));
    }
    const table = readImages(images, problems);
    reportRepeatedDigests(table, problems);
    const slotOf = slotsOfNamedDigests(table, indexChildren);
    const indexesOf = readIndexChildren(indexChildren, table, slotOf, problems);
    const usersOf = readInUse(inUse, problems);
    problems.throwIfAny("The simulation input");

    const rules = [...document.rules].sort((a, b) => a.rulePriority - b.rulePriority).map(compileRule);
    const order = pushTimeOrder(table.newestAt, table.digests);
    const decisions = applyRules(rules, table, order, now);
    const verdictOf = finalVerdicts(table, decisions, rules, now, slotOf, indexesOf);
    const summary: Record<SimulatedAction, number> = { expire: 0, archive: 0, keep: 0 };
    const results: SimulatedImage[] = new Array(order.length);
    for (let position = 0; position < order.length; position++) {
        let result = verdictOf(order[position]);
        const users = usersOf.size === 0 ? undefined : usersOf.get(table.digests[order[position]]);
        if (users !== undefined && result.action !== "keep") {
            result = { ...result, reason: `${result.reason}; ${describeUsers(users)}`, inUse: users };
        }
        summary[result.action]++;
        results[position] = result;
    }
    return { images: results, summary, notes: policyNotes(document) };
}

function readImages(images: readonly LifecycleImage[], problems: ProblemList): ImageTable {
    if (!Array.isArray(images)) {
        problems.add("images", `must be a list of images (the imageDetails of describe-images), but is ${describeValue(images)}.`);
        images = [];
    }
    const count = images.length;
    const table: ImageTable = {
        digests: new Array(count),
        tags: new Array(count),
        pushedAsGiven: new Array(count),
        subjects: new Array(count),
        mediaTypes: new Array(count),
        pushedAt: new Float64Array(count),
        activatedAt: new Float64Array(count),
        newestAt: new Float64Array(count),
        pulledAt: new Float64Array(count),
        archivedAt: new Float64Array(count),
        storage: new Uint8Array(count),
    };
    for (let slot = 0; slot < count; slot++) {
        const image: unknown = images[slot];
        if (!isRecord(image)) {
            problems.add(joinPath("images", slot), `must be an image object with imageDigest and imagePushedAt, but is ${describeValue(image)}.`);
            continue;
        }
        readImage(image as Record<string, unknown>, slot, table, problems);
    }
    return table;
}

/** Fills one slot of the table; on bad input adds problems instead (the table is then never used). */
function readImage(image: Record<string, unknown>, slot: number, table: ImageTable, problems: ProblemList): void {
    const digest = image.imageDigest;
    if (typeof digest !== "string" || digest === "") {
        problems.add(imagePath(slot, "imageDigest"), `is required and must be a digest string such as "sha256:…", but is ${describeValue(digest)}.`);
    }
    const tags = image.imageTags ?? NO_TAGS;
    if (!isStringList(tags)) {
        problems.add(imagePath(slot, "imageTags"), `must be a list of tag strings, but is ${describeValue(tags)}.`);
    }
    const status = image.imageStatus ?? "ACTIVE";
    if (typeof status !== "string" || !IMAGE_STATUSES.has(status)) {
        problems.add(imagePath(slot, "imageStatus"), `must be "ACTIVE", "ARCHIVED" or "ACTIVATING", but is ${describeValue(status)}.`);
    } else if (status === "ARCHIVED" && image.lastArchivedAt == null) {
        problems.add(imagePath(slot, "lastArchivedAt"),
            "is required for an ARCHIVED image: rules on archived images count the days since it was archived. describe-images reports it.");
    }
    table.digests[slot] = digest as string;
    table.tags[slot] = tags as string[];
    table.pushedAsGiven[slot] = image.imagePushedAt as Timestamp;
    // Each field is read by its name, not through `image[field]` in a shared helper: a keyed read that sees
    // every field name is slow to look up, and a million images pay for it once per field.
    table.pushedAt[slot] = readTime(image.imagePushedAt, "imagePushedAt", slot, problems);
    table.pulledAt[slot] = readTime(image.lastRecordedPullTime, "lastRecordedPullTime", slot, problems);
    table.archivedAt[slot] = readTime(image.lastArchivedAt, "lastArchivedAt", slot, problems);
    const activatedAt = readTime(image.lastActivatedAt, "lastActivatedAt", slot, problems);
    table.activatedAt[slot] = activatedAt;
    table.newestAt[slot] = Number.isNaN(activatedAt) ? table.pushedAt[slot] : activatedAt;
    table.storage[slot] = status === "ARCHIVED" ? ARCHIVE : status === "ACTIVATING" ? RESTORING : STANDARD;
    table.subjects[slot] = readOptionalString(image.subjectManifestDigest, "subjectManifestDigest", slot, problems);
    table.mediaTypes[slot] = readOptionalString(image.imageManifestMediaType, "imageManifestMediaType", slot, problems);
}


/** Built only for problems: a path per image would cost more than evaluating it. */
function imagePath(slot: number, field: string): string {
    return joinPath(joinPath("images", slot), field);
}

/** The field's time in epoch milliseconds; NaN when an optional time is absent (a missing push time is reported). */
function readTime(value: unknown, field: string, slot: number, problems: ProblemList): number {
    if ((value === undefined || value === null) && field !== "imagePushedAt") {
        return NaN;
    }
    const time = parseTimestamp(value);
    if (Number.isNaN(time)) {
        problems.add(imagePath(slot, field), timestampProblem(value));
    }
    return time;
}

function readOptionalString(value: unknown, field: string, slot: number, problems: ProblemList): string | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof value !== "string" || value === "") {
        problems.add(imagePath(slot, field), `must be a non-empty string, but is ${describeValue(value)}.`);
    }
    return value as string;
}

/**
 * Reports digests listed more than once: a repository holds each digest once. Sorts the slots by a hash
 * of each digest and compares digests only within runs of equal hashes: a Map of a million digests took
 * a sixth of a whole simulation, and grows the heap that every garbage collection then walks.
 */
function reportRepeatedDigests(table: ImageTable, problems: ProblemList): void {
    const { digests } = table;
    const hashes = Uint32Array.from(digests, (digest) => (typeof digest === "string" ? digestHash(digest) : 0));
    // Only strings are compared: a digest of another type (reported already) could not be ordered at all.
    const textOf = (slot: number) => (typeof digests[slot] === "string" ? digests[slot] : "");
    const byDigestThenSlot = (a: number, b: number) => (textOf(a) < textOf(b) ? -1 : textOf(a) > textOf(b) ? 1 : a - b);
    const firstSlotOf = new Map<number, number>(); // repeated slot → the first slot with its digest
    forEachRun(radixOrder(hashes, 1), (slot) => hashes[slot], (run) => {
        run.sort(byDigestThenSlot).forEach((slot, index) => {
            const previous = run[index - 1];
            if (index > 0 && typeof digests[slot] === "string" && digests[slot] === digests[previous]) {
                firstSlotOf.set(slot, firstSlotOf.get(previous) ?? previous);
            }
        });
    });
    for (const [slot, first] of [...firstSlotOf].sort(([a], [b]) => a - b)) {
        problems.add(imagePath(slot, "imageDigest"),
            `${describeValue(digests[slot])} is listed twice, also at images[${first}]; a repository holds each digest once: remove the repeat.`);
    }
}

/**
 * FNV-1a over the last 16 characters: the end of a digest is as random as any part of it, and reading all
 * 71 characters of a million digests would cost more than the check. Digests that share their ends only
 * make the runs to compare longer.
 */
function digestHash(digest: string): number {
    let hash = 0x811c9dc5;
    for (let at = Math.max(0, digest.length - 16); at < digest.length; at++) {
        hash = Math.imul(hash ^ digest.charCodeAt(at), 0x01000193);
    }
    return hash >>> 0;
}

/** Digest → slot, for just the digests that referrers and the index map name: nothing else is looked up. */
function slotsOfNamedDigests(table: ImageTable, indexChildren: SimulateOptions["indexChildren"]): Map<string, number> {
    const named = new Set<string>();
    for (const subject of table.subjects) {
        if (subject !== undefined) {
            named.add(subject);
        }
    }
    if (isRecord(indexChildren)) {
        for (const [index, children] of Object.entries(indexChildren)) {
            named.add(index);
            if (isStringList(children)) {
                children.forEach((child) => named.add(child));
            }
        }
    }
    const slotOf = new Map<string, number>();
    if (named.size > 0) {
        table.digests.forEach((digest, slot) => {
            if (named.has(digest) && !slotOf.has(digest)) {
                slotOf.set(digest, slot);
            }
        });
    }
    return slotOf;
}

/** Child digest → the indexes that reference it, in digest order so that reasons are stable. */
function readIndexChildren(indexChildren: SimulateOptions["indexChildren"], table: ImageTable, slotOf: Map<string, number>,
    problems: ProblemList): Map<string, string[]> {
    const protectingIndex = new Map<string, string[]>();
    if (indexChildren === undefined) {
        return protectingIndex;
    }
    if (!isRecord(indexChildren)) {
        problems.add("options.indexChildren", `must map index digests to lists of child digests, but is ${describeValue(indexChildren)}.`);
        return protectingIndex;
    }
    for (const [index, children] of Object.entries(indexChildren)) {
        const path = joinPath("options.indexChildren", index);
        const slot = slotOf.get(index);
        if (slot === undefined) {
            problems.add(path, "names no image in the list; an index protects its children only while it exists: remove the entry, or add the index image.");
            continue;
        }
        const mediaType = table.mediaTypes[slot];
        if (typeof mediaType === "string" && !isIndexMediaType(mediaType)) {
            problems.add(path, `is a ${mediaType} manifest, not an image index or manifest list, so it references no children: remove the entry.`);
        }
        if (!isStringList(children)) {
            problems.add(path, `must be a list of child digests, but is ${describeValue(children)}.`);
            continue;
        }
        for (const child of children) {
            const indexes = protectingIndex.get(child);
            if (indexes === undefined) {
                protectingIndex.set(child, [index]);
            } else if (!indexes.includes(index)) {
                indexes.push(index);
            }
        }
    }
    for (const indexes of protectingIndex.values()) {
        indexes.sort();
    }
    return protectingIndex;
}

/** Oldest push first, then by digest in code-unit order, so that the order does not depend on the locale. */
export function pushTimeComparator(pushedAt: Float64Array, digests: readonly string[]): (a: number, b: number) => number {
    return (a, b) => pushedAt[a] - pushedAt[b] || (digests[a] < digests[b] ? -1 : digests[a] > digests[b] ? 1 : 0);
}

const RADIX_BITS = 16;
const RADIX_BUCKETS = 1 << RADIX_BITS;
// Where the high 32 bits of a float64 sit when it is viewed as two 32-bit words: 1 on little-endian machines.
const HIGH_WORD = new Uint32Array(new Float64Array([-0]).buffer)[1] === 0x80000000 ? 1 : 0;
const LOW_WORD = 1 - HIGH_WORD;

/**
 * The slots in `pushTimeComparator` order: a radix sort on the bits of the push times, then a comparison
 * sort of each run of equal times. Several times faster than sorting with the comparator itself, which
 * was the largest single cost of a simulation.
 */
export function pushTimeOrder(pushedAt: Float64Array, digests: readonly string[]): Int32Array {
    const order = radixOrder(orderedBits(pushedAt), 2);
    const compare = pushTimeComparator(pushedAt, digests);
    forEachRun(order, (slot) => pushedAt[slot], (run) => run.sort(compare));
    return order;
}

/**
 * The slots sorted, stably, by unsigned keys of `wordsPerKey` 32-bit words each (least significant word
 * first), 16 bits a pass. A pass in which every key has the same digit (such as the top bits of times
 * close together) is skipped.
 */
function radixOrder(keys: Uint32Array, wordsPerKey: number): Int32Array {
    const count = keys.length / wordsPerKey;
    let order = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) {
        order[slot] = slot;
    }
    let spare = new Int32Array(count);
    const starts = new Int32Array(RADIX_BUCKETS + 1);
    for (let pass = 0; pass < wordsPerKey * 2; pass++) {
        const word = pass >> 1;
        const shift = (pass & 1) * RADIX_BITS;
        starts.fill(0);
        for (let slot = 0; slot < count; slot++) {
            starts[((keys[wordsPerKey * slot + word] >>> shift) & (RADIX_BUCKETS - 1)) + 1]++;
        }
        if (starts.includes(count)) {
            continue;
        }
        for (let bucket = 0; bucket < RADIX_BUCKETS; bucket++) {
            starts[bucket + 1] += starts[bucket];
        }
        for (let position = 0; position < count; position++) {
            const slot = order[position];
            spare[starts[(keys[wordsPerKey * slot + word] >>> shift) & (RADIX_BUCKETS - 1)]++] = slot;
        }
        [order, spare] = [spare, order];
    }
    return order;
}

/** Calls `visit` with each run (two or more) of neighbouring slots in `order` that have the same key, in place. */
function forEachRun(order: Int32Array, key: (slot: number) => number, visit: (run: Int32Array) => void): void {
    for (let start = 0, end = 1; start < order.length; start = end, end = start + 1) {
        while (end < order.length && key(order[end]) === key(order[start])) {
            end++;
        }
        if (end - start > 1) {
            visit(order.subarray(start, end));
        }
    }
}

/**
 * Each time's IEEE 754 bits as two unsigned 32-bit words, low then high, that compare like the numbers
 * do: the sign bit flipped for positive numbers, every bit flipped for negative ones.
 */
function orderedBits(times: Float64Array): Uint32Array {
    const native = new Uint32Array(times.buffer, times.byteOffset, times.length * 2);
    const keys = new Uint32Array(times.length * 2);
    for (let slot = 0; slot < times.length; slot++) {
        const low = native[2 * slot + LOW_WORD];
        const high = native[2 * slot + HIGH_WORD];
        const negative = (high & 0x80000000) !== 0;
        keys[2 * slot] = negative ? ~low : low;
        keys[2 * slot + 1] = negative ? ~high : high ^ 0x80000000;
    }
    return keys;
}

/**
 * First marks, for a batch of rules at a time, which images each rule's selection matches, visiting the
 * images in input order and reading each image's tags once for the whole batch: at a million images,
 * touching memory in order matters more than anything else. Then walks each rule's marks newest first,
 * so that a count rule's rank is a running counter. Batches bound the marks to RULES_PER_BATCH bytes per
 * image, however long the policy. Referrers are left out: they follow their subject rather than being
 * ranked beside real images.
 */
function applyRules(rules: CompiledRule[], table: ImageTable, order: Int32Array, now: number): Decisions {
    const count = order.length;
    const decisions: Decisions = {
        rule: new Int32Array(count).fill(-1),
        rank: new Int32Array(count),
        meetsCondition: new Uint8Array(count),
        shadowedBy: new Int32Array(count).fill(-1),
    };
    const marks = Array.from({ length: Math.min(RULES_PER_BATCH, rules.length) }, () => new Uint8Array(count));
    for (let first = 0; first < rules.length; first += RULES_PER_BATCH) {
        const batch = rules.slice(first, first + RULES_PER_BATCH);
        markSelections(batch, table, marks);
        batch.forEach((rule, offset) => rankAndDecide(rule, first + offset, marks[offset], table, order, now, decisions));
    }
    return decisions;
}

function markSelections(batch: CompiledRule[], table: ImageTable, marks: Uint8Array[]): void {
    const { storage, subjects, tags } = table;
    for (let slot = 0; slot < storage.length; slot++) {
        const imageStorage = storage[slot];
        const imageTags = tags[slot];
        const isReferrer = subjects[slot] !== undefined;
        for (let offset = 0; offset < batch.length; offset++) {
            const rule = batch[offset];
            marks[offset][slot] = !isReferrer && rule.storage === imageStorage && rule.selects(imageTags) ? 1 : 0;
        }
    }
}

function rankAndDecide(rule: CompiledRule, ruleIndex: number, selected: Uint8Array, table: ImageTable, order: Int32Array,
    now: number, decisions: Decisions): void {
    const { countType, countNumber } = rule.rule.selection;
    const ageLimit = countNumber * DAY_MS;
    let rank = 0;
    for (let position = order.length - 1; position >= 0; position--) {
        const slot = order[position];
        if (selected[slot] === 0) {
            continue;
        }
        rank++;
        const meetsCondition = countType === "imageCountMoreThan"
            ? rank > countNumber
            : now - agingStart(countType, table, slot) > ageLimit;
        if (decisions.rule[slot] === -1) {
            decisions.rule[slot] = ruleIndex;
            decisions.rank[slot] = rank;
            decisions.meetsCondition[slot] = meetsCondition ? 1 : 0;
        } else if (meetsCondition && decisions.meetsCondition[slot] === 0 && decisions.shadowedBy[slot] === -1) {
            decisions.shadowedBy[slot] = ruleIndex;
        }
    }
    rule.matched = rank;
    rule.matchedMeets = ` of ${rank} matching${rule.meetsSuffix}`;
    rule.matchedKeeps = ` of ${rank} matching${rule.keepsSuffix}`;
}

/**
 * The moment an age condition counts from. `sinceImagePulled` counts from the last pull, or, for an image
 * restored from archive and not pulled since, from its restore (`lastActivatedAt`); from the push when ECR
 * recorded neither. `sinceImagePushed` always counts from the push, a restored image's too: its name says
 * push, and the guide does not say otherwise (the reason says when an image was restored).
 */
function agingStart(countType: PolicyRule["selection"]["countType"], table: ImageTable, slot: number): number {
    switch (countType) {
        case "sinceImagePulled": {
            const pulledAt = table.pulledAt[slot];
            const activatedAt = table.activatedAt[slot];
            if (!Number.isNaN(activatedAt) && !(pulledAt > activatedAt)) {
                return activatedAt;
            }
            return Number.isNaN(pulledAt) ? table.pushedAt[slot] : pulledAt;
        }
        case "sinceImageTransitioned": return table.archivedAt[slot];
        default: return table.pushedAt[slot];
    }
}

/** What the rules alone decide for an image that is not a referrer, before index protection. */
function judge(slot: number, table: ImageTable, decisions: Decisions, rules: CompiledRule[], now: number): SimulatedImage {
    if (table.storage[slot] === RESTORING) {
        return verdict(table, slot, "keep", "being restored from archive (ACTIVATING): no rule acts on it until it is ACTIVE");
    }
    const ruleIndex = decisions.rule[slot];
    if (ruleIndex === -1) {
        return verdict(table, slot, "keep",
            table.storage[slot] === ARCHIVE ? "archived, and no rule for archived images selects it" : "no rule selects it");
    }
    const rule = rules[ruleIndex];
    const rulePriority = rule.rule.rulePriority;
    const meetsCondition = decisions.meetsCondition[slot] === 1;
    const standing = rule.reasonPrefix + describeStanding(rule, table, slot, decisions.rank[slot], now, meetsCondition);
    if (!meetsCondition) {
        const shadowedBy = decisions.shadowedBy[slot];
        if (shadowedBy === -1) {
            return verdict(table, slot, "keep", standing, rulePriority);
        }
        const later = rules[shadowedBy];
        return verdict(table, slot, "keep",
            `${standing}; rule ${later.rule.rulePriority} would ${later.action} it, but rule ${rulePriority} selected it first`, rulePriority);
    }
    return verdict(table, slot, rule.action, standing, rulePriority);
}

function verdict(table: ImageTable, slot: number, action: SimulatedAction, reason: string, rulePriority?: number): SimulatedImage {
    const imageDigest = table.digests[slot];
    const imageTags = table.tags[slot];
    const imagePushedAt = table.pushedAsGiven[slot];
    // Two literals rather than a property added later, so that JSON lists the fields in the documented order.
    return rulePriority === undefined
        ? { imageDigest, imageTags, imagePushedAt, action, reason }
        : { imageDigest, imageTags, imagePushedAt, action, rulePriority, reason };
}

/** Where the image stands against its rule's condition, and whether that means acting on it or keeping it. */
function describeStanding(rule: CompiledRule, table: ImageTable, slot: number, rank: number, now: number, meetsCondition: boolean): string {
    const verdictSuffix = meetsCondition ? rule.meetsSuffix : rule.keepsSuffix;
    const restored = table.activatedAt[slot];
    switch (rule.rule.selection.countType) {
        case "imageCountMoreThan": {
            const newest = rank === 1 ? "newest" : `${ordinal(rank)} newest`;
            return Number.isNaN(restored) ? newest + (meetsCondition ? rule.matchedMeets : rule.matchedKeeps)
                : `${newest} of ${rule.matched} matching (ranked by its restore from archive ${describeAge(now - restored)})${verdictSuffix}`;
        }
        case "sinceImagePushed":
            return `pushed ${describeAge(now - table.pushedAt[slot])}${verdictSuffix}` +
                (Number.isNaN(restored) ? "" : ` (restored from archive ${describeAge(now - restored)}; age counts from the push)`);
        case "sinceImagePulled": {
            const start = agingStart("sinceImagePulled", table, slot);
            const since = start === table.pulledAt[slot] ? `last pulled ${describeAge(now - start)}`
                : start === restored ? `restored from archive ${describeAge(now - start)} and not pulled since, so the restore counts`
                    : `no pull recorded, so its push counts: pushed ${describeAge(now - start)}`;
            return since + verdictSuffix;
        }
        case "sinceImageTransitioned":
            return `archived ${describeAge(now - table.archivedAt[slot])}${verdictSuffix}`;
    }
}

// Index nesting deeper than this (real indexes nest one level, attestations two) is treated as protecting,
// so that a malformed map cannot exhaust the stack.
const MAX_INDEX_DEPTH = 64;

/**
 * The final verdict of each image, computed on demand and remembered: what the rules decide, then index
 * protection (a child is kept while an index that references it stays: neither archived already nor
 * expired or archived by this evaluation), then referrers, which follow the final verdict of their subject.
 */
function finalVerdicts(table: ImageTable, decisions: Decisions, rules: CompiledRule[], now: number, slotOf: Map<string, number>,
    indexesOf: Map<string, string[]>): (slot: number) => SimulatedImage {
    if (indexesOf.size === 0 && !table.subjects.some((subject) => subject !== undefined)) {
        // Nothing to protect and nothing to follow: the rules' verdicts are final, and need no remembering.
        return (slot) => judge(slot, table, decisions, rules, now);
    }
    const resultOf: (SimulatedImage | undefined)[] = new Array(table.digests.length);
    const resolving = new Uint8Array(table.digests.length);

    const ruledVerdict = (slot: number, depth: number): SimulatedImage => {
        const result = resultOf[slot];
        if (result !== undefined) {
            return result;
        }
        const ruled = judge(slot, table, decisions, rules, now);
        const indexes = indexesOf.size === 0 ? undefined : indexesOf.get(table.digests[slot]);
        if (ruled.action === "keep" || indexes === undefined) {
            return (resultOf[slot] = ruled);
        }
        resolving[slot] = 1;
        const staying = indexes.find((index) => {
            const indexSlot = slotOf.get(index)!;
            if (table.storage[indexSlot] === ARCHIVE) {
                return false;
            }
            // An index still being resolved (a cycle) or nested too deep is taken to stay: keeping is the safe answer.
            return resolving[indexSlot] === 1 || depth >= MAX_INDEX_DEPTH || verdictOf(indexSlot, depth + 1).action === "keep";
        });
        resolving[slot] = 0;
        if (staying !== undefined) {
            return (resultOf[slot] = verdict(table, slot, "keep", `${ruled.reason}, but index ${shortDigest(staying)} references it and stays, ` +
                "and ECR acts on a child only once every index that references it is deleted or archived", ruled.rulePriority));
        }
        const gone = indexes.map((index) => {
            const indexSlot = slotOf.get(index)!;
            const fate = table.storage[indexSlot] === ARCHIVE ? "is archived"
                : resultOf[indexSlot]!.action === "expire" ? "expires in this run" : "is archived in this run";
            return `index ${shortDigest(index)} ${fate}`;
        });
        return (resultOf[slot] = verdict(table, slot, ruled.action,
            `${ruled.reason}; ${gone.join(" and ")}, so ${indexes.length === 1 ? "it no longer protects" : "none protects"} it`, ruled.rulePriority));
    };

    const verdictOf = (slot: number, depth = 0): SimulatedImage => {
        if (table.subjects[slot] === undefined) {
            return ruledVerdict(slot, depth);
        }
        return (resultOf[slot] ??= referrerVerdict(slot, table, slotOf, (root) => ruledVerdict(root, depth)));
    };
    return (slot) => verdictOf(slot);
}

/**
 * A referrer (signature, SBOM, attestation) shares its subject's fate, followed through chains of referrers
 * to the image at the root: the guide has referrers expired or archived "within 24 hours of the deletion or
 * archival of the subject image". So a referrer whose subject is gone expires, and one whose subject is or
 * becomes archived is archived.
 */
function referrerVerdict(slot: number, table: ImageTable, slotOf: Map<string, number>,
    subjectVerdict: (root: number) => SimulatedImage): SimulatedImage {
    const { subjects, storage } = table;
    const subjectOfSlot = subjects[slot]!;
    const seen = new Set<number>();
    let root = slot;
    for (let subject = subjects[root]; subject !== undefined; subject = subjects[root]) {
        seen.add(root);
        const next = slotOf.get(subject);
        if (next === undefined) {
            const via = root === slot ? "" : ` which refers on to ${shortDigest(subject)},`;
            return verdict(table, slot, "expire", `referrer of ${shortDigest(subjectOfSlot)},${via} which is not among the images: ` +
                "ECR deletes the referrers of a deleted subject within 24 hours");
        }
        if (seen.has(next)) {
            return verdict(table, slot, "keep", `referrer in a cycle of subjects through ${shortDigest(subject)}, so no rule acts on it`);
        }
        root = next;
    }
    const prefix = `referrer of ${shortDigest(subjectOfSlot)}`;
    if (storage[root] === RESTORING) {
        return verdict(table, slot, "keep", `${prefix}: kept while its subject is being restored from archive`);
    }
    const { action, rulePriority } = subjectVerdict(root);
    const subjectArchived = action === "archive" || (action === "keep" && storage[root] === ARCHIVE);
    const byRule = rulePriority !== undefined && action !== "keep" ? ` (rule ${rulePriority})` : "";
    if (action === "expire") {
        return verdict(table, slot, "expire", `${prefix}: expired with its subject${byRule}`, rulePriority);
    }
    if (subjectArchived) {
        return storage[slot] === ARCHIVE
            ? verdict(table, slot, "keep", `${prefix}: already archived, as its subject is`)
            : verdict(table, slot, "archive", `${prefix}: archived with its subject${byRule || " (archived already)"}`, rulePriority);
    }
    return verdict(table, slot, "keep", `${prefix}: kept with its subject`, rulePriority);
}

function compileRule(rule: PolicyRule): CompiledRule {
    // Spelt out rather than spread in: an object built with a spread got a slower shape, and every image
    // reads these fields (most of a 1.2× slowdown of the whole simulation at 100k images).
    const { meetsSuffix, keepsSuffix } = verdictSuffixes(rule.selection);
    return {
        rule,
        reasonPrefix: `${describeRule(rule)}: `,
        meetsSuffix,
        keepsSuffix,
        storage: STORAGE_CODES[storageClassOf(rule)],
        action: rule.action.type === "transition" ? "archive" : "expire",
        selects: compileSelection(rule.selection),
        matched: 0,
        matchedMeets: "",
        matchedKeeps: "",
    };
}

/** The text that says which way the rule's condition cuts, built once per rule rather than once per image. */
function verdictSuffixes({ countType, countNumber }: PolicyRule["selection"]): Pick<CompiledRule, "meetsSuffix" | "keepsSuffix"> {
    if (countType === "imageCountMoreThan") {
        return { meetsSuffix: `, beyond the newest ${countNumber}`, keepsSuffix: `, within the newest ${countNumber}` };
    }
    const days = `${countNumber} day${countNumber === 1 ? "" : "s"}`;
    return { meetsSuffix: `, more than ${days}`, keepsSuffix: `, not more than ${days}` };
}

/**
 * Builds the tag test once per rule. A tag list selects an image only if every entry of the list matches
 * some tag of the image; a pattern's `*` matches any run of characters, and the pattern spans the whole tag.
 */
function compileSelection(selection: PolicyRule["selection"]): (tags: readonly string[]) => boolean {
    if (selection.tagStatus === "any") {
        return () => true;
    }
    if (selection.tagStatus === "untagged") {
        return (tags) => tags.length === 0;
    }
    const tests: Array<(tag: string) => boolean> = selection.tagPrefixList !== undefined
        ? selection.tagPrefixList.map((prefix) => (tag: string) => tag.startsWith(prefix))
        : selection.tagPatternList!.map((pattern) => {
            const expression = compileTagPattern(pattern);
            return (tag: string) => expression.test(tag);
        });
    return (tags) => {
        if (tags.length === 0) {
            return false;
        }
        for (const test of tests) {
            let found = false;
            for (const tag of tags) {
                if (test(tag)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    };
}

/** `rule 2 (tag prefix beta, keep newest 1)`: enough to recognise the rule in a one-line reason. */
function describeRule(rule: PolicyRule): string {
    const { tagStatus, tagPrefixList, tagPatternList, countType, countNumber } = rule.selection;
    let selected: string;
    if (tagStatus === "any") {
        selected = "any image";
    } else if (tagStatus === "untagged") {
        selected = "untagged";
    } else if (tagPrefixList !== undefined) {
        selected = `tag prefix${tagPrefixList.length > 1 ? "es" : ""} ${joinWithAnd(tagPrefixList)}`;
    } else {
        selected = `tag pattern${tagPatternList!.length > 1 ? "s" : ""} ${joinWithAnd(tagPatternList!)}`;
    }
    if (storageClassOf(rule) === "archive") {
        selected += " in archive";
    }
    const days = `${countNumber} day${countNumber === 1 ? "" : "s"}`;
    const condition = countType === "imageCountMoreThan" ? `keep newest ${countNumber}`
        : countType === "sinceImagePushed" ? `pushed more than ${days} ago`
            : countType === "sinceImagePulled" ? `not pulled for ${days}`
                : `archived more than ${days} ago`;
    return `rule ${rule.rulePriority} (${selected}, ${condition})`;
}

function joinWithAnd(items: readonly string[]): string {
    return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function ordinal(n: number): string {
    const teen = n % 100 >= 11 && n % 100 <= 13;
    const suffix = teen ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
    return `${n}${suffix}`;
}

/** `10 days ago`, `2.5 days ago`, `5 hours ago`: precise enough to check against a rule's limit in days. */
function describeAge(ms: number): string {
    if (ms < 0) {
        return "in the future";
    }
    if (ms < HOUR_MS) {
        return "less than an hour ago";
    }
    if (ms < DAY_MS) {
        const hours = Math.floor(ms / HOUR_MS);
        return `${hours} hour${hours === 1 ? "" : "s"} ago`;
    }
    // Rounded up to a tenth, so that the shown age agrees with a rule's "more than N days": an image shown
    // as 5 days old is at most 5 days old, and one a little older shows as 5.1. Built from integers, which
    // turn into text much faster than fractions do.
    const tenths = Math.ceil(ms / DAY_MS * 10);
    const whole = Math.floor(tenths / 10);
    const fraction = tenths % 10;
    return fraction === 0 ? `${whole} day${whole === 1 ? "" : "s"} ago` : `${whole}.${fraction} days ago`;
}

export function shortDigest(digest: string): string {
    const separator = digest.indexOf(":");
    return digest.slice(0, separator + 1 + 12);
}
