// The simulator's input, checked and laid out for evaluation: the images as columns of one table, and the
// digests that referrers and the index map name. Every problem with the input is reported here, together.
import { describeValue, isRecord, isStringList, joinPath, ProblemList } from "../validation/errors";
import { ImageTimes } from "./aging";
import { isOneOf } from "./document";
import { isIndexMediaType } from "./media-types";
import { repeatedDigests } from "./ordering";
import type { LifecycleImage, SimulateOptions } from "./simulate";
import { parseTimestamp, Timestamp, timestampProblem } from "./time";
import { IMAGE_STATUSES, StorageClass } from "./types";

// Storage places, as stored in `ImageTable.storage`. RESTORING (ACTIVATING) images sit between the two
// storage classes, and no rule sees them.
const STANDARD = 0;
export const ARCHIVE = 1;
export const RESTORING = 2;
export const STORAGE_CODES: Record<StorageClass, number> = { standard: STANDARD, archive: ARCHIVE };
const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * The checked images as columns, one slot per input image. Typed arrays keep a million images cheap for the
 * garbage collector, and each pass over the images reads only the columns it needs.
 */
export interface ImageTable extends ImageTimes {
    readonly digests: string[];
    readonly tags: (readonly string[])[];
    readonly pushedAsGiven: Timestamp[];
    readonly subjects: (string | undefined)[];
    readonly mediaTypes: (string | undefined)[];
    /** The time that ranks the image: its restore when restored, otherwise its push. */
    readonly newestAt: Float64Array;
    readonly storage: Uint8Array;
}

export function readImages(images: readonly LifecycleImage[], problems: ProblemList): ImageTable {
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
    if (!isOneOf(IMAGE_STATUSES, status)) {
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

/** Reports digests listed more than once: a repository holds each digest once. */
export function reportRepeatedDigests(table: ImageTable, problems: ProblemList): void {
    for (const [slot, first] of repeatedDigests(table.digests)) {
        problems.add(imagePath(slot, "imageDigest"),
            `${describeValue(table.digests[slot])} is listed twice, also at images[${first}]; a repository holds each digest once: remove the repeat.`);
    }
}

/** Digest → slot, for just the digests that referrers and the index map name: nothing else is looked up. */
export function slotsOfNamedDigests(table: ImageTable, indexChildren: SimulateOptions["indexChildren"]): Map<string, number> {
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
export function readIndexChildren(indexChildren: SimulateOptions["indexChildren"], table: ImageTable, slotOf: Map<string, number>,
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
