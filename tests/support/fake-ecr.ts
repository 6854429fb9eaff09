// A local stand-in for the ECR API, enough for `ecrx lifecycle plan` in live mode: the AWS JSON 1.1
// protocol (POST /, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`) for DescribeImages
// (paginated), GetLifecyclePolicy, BatchGetImage, the lifecycle policy preview (StartLifecyclePolicyPreview,
// GetLifecyclePolicyPreview with its in-progress states and pages) and DescribeImageScanFindings (paginated, in
// the basic and the enhanced shape, with scans that progress through the states a test scripts), with ECR's
// error shapes. It listens on 127.0.0.1 only, and refuses requests that are not SigV4-signed, so a test proves
// that the real SDK signed them.
import { AwsJsonError, pageOf, serveAwsJson } from "./aws-json";

const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921";

/** An image as ECR stores it; times in epoch seconds, which is how the JSON protocol carries them. */
export interface FakeImage {
    imageDigest: string;
    imageTags?: string[];
    imagePushedAt: number;
    imageManifestMediaType?: string;
    imageStatus?: "ACTIVE" | "ARCHIVED" | "ACTIVATING";
    lastArchivedAt?: number;
    lastRecordedPullTime?: number;
    lastActivatedAt?: number;
    subjectManifestDigest?: string;
}

/**
 * What ECR's own lifecycle policy preview finds in a repository. The fake does not evaluate policies (that
 * is what is being checked): a test states ECR's answer, as a real repository would give it.
 */
export interface FakePreview {
    /** The images the preview acts on; every other image it keeps. */
    results: Array<{ imageDigest: string; action: "EXPIRE" | "TRANSITION"; appliedRulePriority: number }>;
    /** How many GetLifecyclePolicyPreview calls answer IN_PROGRESS before the preview ends. Default 0. */
    checksInProgress?: number;
    /** How the preview ends. Default COMPLETE. */
    outcome?: "COMPLETE" | "FAILED" | "EXPIRED";
    /** Results per page of GetLifecyclePolicyPreview, below its own maximum of 100. Default 100. */
    pageSize?: number;
    /** Another preview is running, so StartLifecyclePolicyPreview is refused. */
    busy?: boolean;
}

/** A preview as StartLifecyclePolicyPreview left it. */
interface StartedPreview {
    policyText: string;
    checks: number;
}

/** A finding of basic scanning, as DescribeImageScanFindings returns it in `findings`. */
export interface FakeBasicFinding {
    name: string;
    severity: string;
    attributes?: Array<{ key: string; value: string }>;
}

/** A finding of enhanced scanning (Amazon Inspector), as returned in `enhancedFindings`. */
export interface FakeEnhancedFinding {
    severity: string;
    status?: string;
    title?: string;
    fixAvailable?: "YES" | "NO" | "PARTIAL";
    packageVulnerabilityDetails: {
        vulnerabilityId: string;
        vulnerablePackages?: Array<{ name: string; version: string; fixedInVersion?: string }>;
    };
}

/**
 * What DescribeImageScanFindings answers for one digest at one moment. `notFound` is ECR's ScanNotFoundException
 * (no scan started yet). A done state without `completedAt` is enhanced scanning's COMPLETE before its findings exist.
 */
export type FakeScanState =
    | { notFound: true }
    | { status: "IN_PROGRESS" | "PENDING" }
    | { status: "FAILED" | "UNSUPPORTED_IMAGE"; description: string }
    | { status: "COMPLETE" | "ACTIVE"; completedAt?: number; findings?: FakeBasicFinding[]; enhancedFindings?: FakeEnhancedFinding[] };

export interface FakeRepository {
    registryId: string;
    images: FakeImage[];
    lifecyclePolicyText?: string;
    /** Manifest JSON by digest, for BatchGetImage. */
    manifests?: Record<string, string>;
    /** ECR's answer to a lifecycle policy preview; without it the preview finds nothing to do. */
    preview?: FakePreview;
    /**
     * The scan of each digest, as the states successive DescribeImageScanFindings calls see (a call with a
     * nextToken reads the same state as the call that started the listing); the last state lasts.
     */
    scans?: Record<string, FakeScanState[]>;
}

export interface RecordedRequest {
    operation: string;
    body: Record<string, unknown>;
    accessKey: string;
    region: string;
}

export interface FakeEcr {
    /** `http://127.0.0.1:<port>`. */
    endpoint: string;
    /** Every signed request, in arrival order. */
    requests: RecordedRequest[];
    /** Requests refused because they were not signed (should stay empty). */
    unsigned: string[];
    close(): Promise<void>;
}

/** Starts the fake on a free loopback port. DescribeImages returns at most `pageSize` images per page. */
export async function startFakeEcr(repositories: Record<string, FakeRepository>, pageSize: number): Promise<FakeEcr> {
    const requests: RecordedRequest[] = [];
    const previews = new Map<string, StartedPreview>();
    const server = await serveAwsJson(TARGET_PREFIX, "ecr", (operation, body, signature) => {
        requests.push({ operation, body, ...signature });
        return handle(operation, body, repositories, pageSize, previews);
    });
    return { ...server, requests };
}

function handle(operation: string, body: Record<string, unknown>, repositories: Record<string, FakeRepository>, pageSize: number,
    previews: Map<string, StartedPreview>): unknown {
    const name = String(body.repositoryName);
    const repository = repositories[name];
    if (repository === undefined || (body.registryId !== undefined && body.registryId !== repository.registryId)) {
        throw new AwsJsonError("RepositoryNotFoundException",
            `The repository with name '${name}' does not exist in the registry with id '${String(body.registryId ?? "123456789012")}'`);
    }
    switch (operation) {
        case "DescribeImages": return describeImages(name, repository, body, pageSize);
        case "GetLifecyclePolicy":
            if (repository.lifecyclePolicyText === undefined) {
                throw new AwsJsonError("LifecyclePolicyNotFoundException",
                    `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${repository.registryId}'`);
            }
            return { registryId: repository.registryId, repositoryName: name, lifecyclePolicyText: repository.lifecyclePolicyText };
        case "BatchGetImage": return batchGetImage(name, repository, body);
        case "StartLifecyclePolicyPreview": return startPreview(name, repository, body, previews);
        case "GetLifecyclePolicyPreview": return getPreview(name, repository, body, previews);
        case "DescribeImageScanFindings": return describeImageScanFindings(name, repository, body, pageSize);
        default: throw new AwsJsonError("UnknownOperationException", `unknown operation ${operation}`);
    }
}

/** Like ECR, lists only ACTIVE images unless `filter.imageStatus` asks for others ("ANY" for all). */
function describeImages(name: string, repository: FakeRepository, body: Record<string, unknown>, pageSize: number): unknown {
    const wanted = (body.filter as { imageStatus?: string } | undefined)?.imageStatus ?? "ACTIVE";
    const listed = repository.images.filter((image) => wanted === "ANY" || (image.imageStatus ?? "ACTIVE") === wanted);
    const { page, continuation } = pageOf(listed, body, pageSize, 100);
    return {
        imageDetails: page.map((image) => ({ registryId: repository.registryId, repositoryName: name, ...image })),
        ...continuation,
    };
}

function batchGetImage(name: string, repository: FakeRepository, body: Record<string, unknown>): unknown {
    const imageIds = body.imageIds as Array<{ imageDigest: string }>;
    if (imageIds.length > 100) {
        throw new AwsJsonError("InvalidParameterException", "imageIds may hold at most 100 entries");
    }
    const found = imageIds.filter((id) => repository.manifests?.[id.imageDigest] !== undefined);
    return {
        images: found.map((id) => ({
            registryId: repository.registryId,
            repositoryName: name,
            imageId: { imageDigest: id.imageDigest },
            imageManifest: repository.manifests![id.imageDigest],
            imageManifestMediaType: JSON.parse(repository.manifests![id.imageDigest]).mediaType,
        })),
        failures: imageIds.filter((id) => !found.includes(id))
            .map((id) => ({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" })),
    };
}

function startPreview(name: string, repository: FakeRepository, body: Record<string, unknown>, previews: Map<string, StartedPreview>): unknown {
    if (repository.preview?.busy === true) {
        throw new AwsJsonError("LifecyclePolicyPreviewInProgressException",
            "The previous lifecycle policy preview request has not completed. Wait and try again.");
    }
    const policyText = typeof body.lifecyclePolicyText === "string" ? body.lifecyclePolicyText : repository.lifecyclePolicyText;
    if (policyText === undefined) {
        throw new AwsJsonError("LifecyclePolicyNotFoundException",
            `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${repository.registryId}'`);
    }
    previews.set(name, { policyText, checks: 0 });
    return { registryId: repository.registryId, repositoryName: name, lifecyclePolicyText: policyText, status: "IN_PROGRESS" };
}

/** In progress for `checksInProgress` calls, then the outcome; a COMPLETE preview's results come in pages. */
function getPreview(name: string, repository: FakeRepository, body: Record<string, unknown>, previews: Map<string, StartedPreview>): unknown {
    const started = previews.get(name);
    if (started === undefined) {
        throw new AwsJsonError("LifecyclePolicyPreviewNotFoundException",
            `There is no dry run for the repository with name '${name}' in the registry with id '${repository.registryId}'`);
    }
    const preview = repository.preview ?? { results: [] };
    const envelope = { registryId: repository.registryId, repositoryName: name, lifecyclePolicyText: started.policyText };
    if (body.nextToken === undefined && started.checks++ < (preview.checksInProgress ?? 0)) {
        return { ...envelope, status: "IN_PROGRESS" };
    }
    const outcome = preview.outcome ?? "COMPLETE";
    if (outcome !== "COMPLETE") {
        return { ...envelope, status: outcome };
    }
    const { page, continuation } = pageOf(preview.results, body, preview.pageSize ?? 100, 100);
    const byDigest = new Map(repository.images.map((image) => [image.imageDigest, image]));
    const transitions = preview.results.filter((result) => result.action === "TRANSITION").length;
    return {
        ...envelope,
        status: "COMPLETE",
        previewResults: page.map((result) => ({
            imageDigest: result.imageDigest,
            imageTags: byDigest.get(result.imageDigest)?.imageTags ?? [],
            imagePushedAt: byDigest.get(result.imageDigest)?.imagePushedAt,
            action: result.action === "TRANSITION" ? { type: "TRANSITION", targetStorageClass: "ARCHIVE" } : { type: "EXPIRE" },
            appliedRulePriority: result.appliedRulePriority,
            storageClass: byDigest.get(result.imageDigest)?.imageStatus === "ARCHIVED" ? "ARCHIVE" : "STANDARD",
        })),
        ...continuation,
        summary: {
            expiringImageTotalCount: preview.results.length - transitions,
            ...(transitions > 0 ? { transitioningImageTotalCounts: [{ targetStorageClass: "ARCHIVE", imageTotalCount: transitions }] } : {}),
        },
    };
}

/** How many listings of each digest's scan have started, so that successive calls move through its states. */
const scanReads = new WeakMap<FakeRepository, Map<string, number>>();

function describeImageScanFindings(name: string, repository: FakeRepository, body: Record<string, unknown>, pageSize: number): unknown {
    const digest = (body.imageId as { imageDigest?: string } | undefined)?.imageDigest ?? "";
    const states = repository.scans?.[digest];
    if (!repository.images.some((image) => image.imageDigest === digest) && repository.manifests?.[digest] === undefined) {
        throw new AwsJsonError("ImageNotFoundException", `The image with imageId {imageDigest:'${digest}'} does not exist within the repository with name '${name}'`);
    }
    const reads = scanReads.get(repository) ?? new Map<string, number>();
    scanReads.set(repository, reads);
    const started = reads.get(digest) ?? 0;
    if (body.nextToken === undefined) {
        reads.set(digest, started + 1);
    }
    const state = states?.[Math.min(body.nextToken === undefined ? started : started - 1, (states?.length ?? 1) - 1)];
    if (state === undefined || "notFound" in state) {
        throw new AwsJsonError("ScanNotFoundException", `Image scan does not exist for the image with '{imageDigest:'${digest}'}' in the repository with name '${name}'`);
    }
    const base = { registryId: repository.registryId, repositoryName: name, imageId: { imageDigest: digest } };
    if (!("status" in state && (state.status === "COMPLETE" || state.status === "ACTIVE"))) {
        return { ...base, imageScanStatus: { status: state.status, description: "description" in state ? state.description : "The scan is in progress." } };
    }
    const status = { status: state.status, description: "The scan was completed successfully." };
    if (state.completedAt === undefined) {
        return { ...base, imageScanStatus: status };
    }
    const key = state.enhancedFindings !== undefined ? "enhancedFindings" : "findings";
    const all: Array<{ severity: string }> = state.enhancedFindings ?? state.findings ?? [];
    const { page, continuation } = pageOf(all, body, pageSize, 100);
    const severityCounts: Record<string, number> = {};
    for (const finding of all) {
        severityCounts[finding.severity] = (severityCounts[finding.severity] ?? 0) + 1;
    }
    return {
        ...base,
        imageScanStatus: status,
        imageScanFindings: {
            imageScanCompletedAt: state.completedAt,
            vulnerabilitySourceUpdatedAt: state.completedAt,
            findingSeverityCounts: severityCounts,
            [key]: page,
        },
        ...continuation,
    };
}
