// Reads what ECR's scan found for a pushed digest: the images to check (each platform image of an index,
// since an index itself is not scanned), a wait for each scan that trusts neither the SDK's waiter nor a
// COMPLETE status without findings, and every page of DescribeImageScanFindings. No Pulumi.
import {
    BatchGetImageCommand,
    DescribeImageScanFindingsCommand,
    DescribeImageScanFindingsCommandOutput,
    ECRClient,
} from "@aws-sdk/client-ecr";
import { INDEX_MEDIA_TYPES, isIndexMediaType } from "../lifecycle/media-types";
import { shortDigest } from "../lifecycle/reasons";
import { findingsOfPage, ScannedImage } from "./verdict";

const MANIFEST_MEDIA_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];
/** BuildKit lists provenance and SBOM attestations in the index as manifests of this reference type. */
const ATTESTATION_REFERENCE_TYPE = "attestation-manifest";
/** Scan states that end without findings; each is a gate failure with ECR's reason. */
const FAILED_STATES = new Set(["FAILED", "UNSUPPORTED_IMAGE", "FINDINGS_UNAVAILABLE", "SCAN_ELIGIBILITY_EXPIRED", "LIMIT_EXCEEDED", "IMAGE_ARCHIVED"]);
/** COMPLETE for scan on push, ACTIVE for continuous (enhanced) scanning; the waiter knows only the first. */
const DONE_STATES = new Set(["COMPLETE", "ACTIVE"]);
const FIRST_POLL_MS = 1_000;
const MAX_POLL_MS = 10_000;
const PAGE_SIZE = 1000;

/** Where the pushed image is (the client is already in its region). */
export interface ScanTarget {
    registryId: string;
    repositoryName: string;
    digest: string;
}

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The gate cannot judge the image: the scan failed, or ECR could not be read. Its message is for the user. */
export class ScanGateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ScanGateError";
    }
}

export type ScanOutcome =
    | { done: true; images: ScannedImage[] }
    | { done: false; images: ScannedImage[]; waitingFor: string };

interface ImageToScan {
    digest: string;
    platform?: string;
}

/** The images of a pushed digest that ECR scans: the digest itself, or each platform image of an index. */
function imagesOfManifest(digest: string, mediaType: string | undefined, manifestText: string | undefined): ImageToScan[] {
    if (!isIndexMediaType(mediaType)) {
        return [{ digest }];
    }
    const index = JSON.parse(manifestText ?? "{}") as {
        manifests?: Array<{ digest?: string; platform?: { os?: string; architecture?: string; variant?: string }; annotations?: Record<string, string> }>;
    };
    return (index.manifests ?? [])
        .filter((entry) => typeof entry.digest === "string" && entry.annotations?.["vnd.docker.reference.type"] !== ATTESTATION_REFERENCE_TYPE)
        .map((entry) => ({
            digest: entry.digest!,
            ...(entry.platform?.os !== undefined ? { platform: [entry.platform.os, entry.platform.architecture, entry.platform.variant].filter(Boolean).join("/") } : {}),
        }));
}

/** "image sha256:…", or "the linux/arm64 image sha256:… of the index", for messages. */
function describeImage(image: ImageToScan): string {
    return image.platform !== undefined ? `the ${image.platform} image ${shortDigest(image.digest)} of the index` : `image ${shortDigest(image.digest)}`;
}

function pollDelay(attempt: number, deadline: number, clock: Clock): number {
    return Math.max(0, Math.min(FIRST_POLL_MS * 2 ** attempt, MAX_POLL_MS, deadline - clock.now()));
}

function errorName(error: unknown): string | undefined {
    return error instanceof Error ? error.name : undefined;
}

/** The images to scan; retried while ECR does not list the just-pushed digest yet. */
async function imagesToScan(client: ECRClient, target: ScanTarget, deadline: number, clock: Clock): Promise<ImageToScan[] | undefined> {
    for (let attempt = 0; ; attempt++) {
        const response = await client.send(new BatchGetImageCommand({
            registryId: target.registryId,
            repositoryName: target.repositoryName,
            imageIds: [{ imageDigest: target.digest }],
            acceptedMediaTypes: [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES],
        }));
        const image = response.images?.find((candidate) => candidate.imageId?.imageDigest === target.digest);
        if (image !== undefined) {
            return imagesOfManifest(target.digest, image.imageManifestMediaType, image.imageManifest);
        }
        if (clock.now() >= deadline) {
            return undefined;
        }
        await clock.sleep(pollDelay(attempt, deadline, clock));
    }
}

/** Every page of the scan's findings, once the first page shows a finished scan. */
async function remainingPages(client: ECRClient, request: ConstructorParameters<typeof DescribeImageScanFindingsCommand>[0],
    first: DescribeImageScanFindingsCommandOutput): Promise<DescribeImageScanFindingsCommandOutput[]> {
    const pages = [first];
    for (let token = first.nextToken; token !== undefined; token = pages[pages.length - 1].nextToken) {
        pages.push(await client.send(new DescribeImageScanFindingsCommand({ ...request, nextToken: token })));
    }
    return pages;
}

/** Waits for one image's scan; undefined when the deadline passes first. */
async function waitForScan(client: ECRClient, target: ScanTarget, image: ImageToScan, deadline: number, clock: Clock): Promise<ScannedImage | undefined> {
    const request = { registryId: target.registryId, repositoryName: target.repositoryName, imageId: { imageDigest: image.digest }, maxResults: PAGE_SIZE };
    for (let attempt = 0; ; attempt++) {
        let first: DescribeImageScanFindingsCommandOutput | undefined;
        try {
            first = await client.send(new DescribeImageScanFindingsCommand(request));
        } catch (error) {
            // Right after a push ECR may not know the scan (or the image) yet: keep waiting.
            if (errorName(error) !== "ScanNotFoundException" && errorName(error) !== "ImageNotFoundException") {
                throw error;
            }
        }
        const status = first?.imageScanStatus?.status;
        if (status !== undefined && FAILED_STATES.has(status)) {
            throw new ScanGateError(`ECR's scan of ${describeImage(image)} ended ${status}: ${first!.imageScanStatus?.description ?? "ECR gave no reason"}. ` +
                "The gate cannot judge an image it has no findings for, so the image does not pass.");
        }
        // Enhanced scanning can say COMPLETE before its findings exist: only a completion time proves them.
        if (status !== undefined && DONE_STATES.has(status) && first!.imageScanFindings?.imageScanCompletedAt !== undefined) {
            const pages = await remainingPages(client, request, first!);
            const enhanced = status === "ACTIVE" || pages.some((page) => page.imageScanFindings?.enhancedFindings !== undefined);
            return {
                digest: image.digest,
                ...(image.platform !== undefined ? { platform: image.platform } : {}),
                scanType: enhanced ? "ENHANCED" : "BASIC",
                completedAt: new Date(first!.imageScanFindings!.imageScanCompletedAt).toISOString(),
                findings: pages.flatMap((page) => findingsOfPage(page.imageScanFindings as Parameters<typeof findingsOfPage>[0])),
            };
        }
        if (clock.now() >= deadline) {
            return undefined;
        }
        await clock.sleep(pollDelay(attempt, deadline, clock));
    }
}

/**
 * Reads the scan of every image of `target.digest`, waiting until `deadline` (epoch ms) at most. Throws
 * `ScanGateError` for a scan that failed; AWS errors pass through for the caller to explain.
 */
export async function readScans(client: ECRClient, target: ScanTarget, deadline: number, clock: Clock = systemClock): Promise<ScanOutcome> {
    const images = await imagesToScan(client, target, deadline, clock);
    if (images === undefined) {
        return { done: false, images: [], waitingFor: `image ${shortDigest(target.digest)} to appear in the repository` };
    }
    if (images.length === 0) {
        throw new ScanGateError(`the index ${shortDigest(target.digest)} lists no image that ECR can scan (only attestations).`);
    }
    const scanned: ScannedImage[] = [];
    for (const image of images) {
        const result = await waitForScan(client, target, image, deadline, clock);
        if (result === undefined) {
            return { done: false, images: scanned, waitingFor: `ECR's scan of ${describeImage(image)}` };
        }
        scanned.push(result);
    }
    return { done: true, images: scanned };
}
