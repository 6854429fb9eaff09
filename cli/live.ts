// Live mode: read a repository's images, its lifecycle policy and (when asked) its index manifests from ECR
// with the standard AWS credential chain. Loaded only in live mode, so that offline plans start without the SDK.
import {
    BatchGetImageCommand,
    DescribeImagesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    ImageDetail,
} from "@aws-sdk/client-ecr";
import { INDEX_MEDIA_TYPES, isIndexMediaType, shortDigest } from "../sdk/lifecycle";
import { UserError } from "./io";
import { maskedEndpoint, withoutUserInfo } from "./terminal-text";

export interface LiveTarget {
    repository: string;
    region?: string;
    registryId?: string;
    /** Overrides the endpoint; without it the SDK honours AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL. */
    endpointUrl?: string;
    /** How long one request to ECR may take, in milliseconds. */
    timeoutMs: number;
    /**
     * Read the manifests of image indexes with BatchGetImage, to protect their children. ECR serves image
     * pulls through BatchGetImage, so the read may count as a pull of each index (see `PULL_NOTICE`).
     */
    readIndexManifests: boolean;
}

export interface RepositorySnapshot {
    images: ImageDetail[];
    /** The region the client resolved, which image references to the repository name. */
    region: string;
    /** The stored policy text; undefined when it was not asked for. */
    policyText?: string;
    indexChildren: Record<string, string[]>;
    /** Things the plan cannot account for, such as an index manifest that could not be read. */
    warnings: string[];
    /** What the reads did beyond reading, said before the plan. */
    notices: string[];
}

// BatchGetImage takes at most this many image ids per call.
const BATCH_GET_LIMIT = 100;
const DESCRIBE_PAGE_SIZE = 1000;
/**
 * ECR's default quota is 100,000 images per repository (adjustable): ten times that in pages of 1,000 is a
 * listing no real repository needs, and a bound for an endpoint that never stops paging.
 */
const IMAGES_PER_REPOSITORY_QUOTA = 100_000;
const MAX_DESCRIBE_PAGES = (10 * IMAGES_PER_REPOSITORY_QUOTA) / DESCRIBE_PAGE_SIZE;

/** The operation a failure happened in, for its message. */
class DuringOperation extends Error {
    constructor(readonly operation: string, readonly cause: unknown) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

/** The repository's name and registry, as every ECR request about it names them. */
export type RepositoryIds = { repositoryName: string; registryId?: string };

/** A client for the target's region and endpoint, and the ids that name its repository; destroy the client when done. */
export function connect(target: LiveTarget): { client: ECRClient; ids: RepositoryIds } {
    const client = new ECRClient({
        ...(target.region !== undefined ? { region: target.region } : {}),
        ...(target.endpointUrl !== undefined ? { endpoint: target.endpointUrl } : {}),
        // Without these a silent endpoint, or one that stalls mid-answer, holds the plan forever.
        requestHandler: { connectionTimeout: target.timeoutMs, requestTimeout: target.timeoutMs },
    });
    return { client, ids: { repositoryName: target.repository, ...(target.registryId !== undefined ? { registryId: target.registryId } : {}) } };
}

/** Reads everything a plan needs; AWS failures become `UserError`s that say what to do. */
export async function readRepository(target: LiveTarget, readPolicy: boolean): Promise<RepositorySnapshot> {
    const { client, ids } = connect(target);
    /** One request, abandoned after the timeout however slowly its answer trickles in. */
    const send = async <T>(operation: string, command: unknown): Promise<T> => {
        try {
            return await client.send(command as any, { abortSignal: AbortSignal.timeout(target.timeoutMs) as any }) as T;
        } catch (error) {
            throw new DuringOperation(operation, error);
        }
    };
    try {
        const images = await listImages(send, ids);
        const policyText = readPolicy
            ? (await send<{ lifecyclePolicyText?: string }>("GetLifecyclePolicy", new GetLifecyclePolicyCommand(ids))).lifecyclePolicyText
            : undefined;
        const warnings: string[] = [];
        const notices: string[] = [];
        const indexDigests = images
            .filter((image) => isIndexMediaType(image.imageManifestMediaType) && image.imageDigest !== undefined)
            .map((image) => image.imageDigest!);
        let indexChildren: Record<string, string[]> = {};
        if (indexDigests.length > 0 && target.readIndexManifests) {
            notices.push(pullNotice(indexDigests.length));
            indexChildren = await readIndexChildren(send, ids, indexDigests, warnings);
        } else if (indexDigests.length > 0) {
            warnings.push(`${indexDigests.length} image${indexDigests.length === 1 ? " is an image index" : "s are image indexes"} (multi-architecture) ` +
                "whose children this plan does not know, so children may show as expired although ECR keeps them while their index exists. " +
                "Knowing them takes BatchGetImage, which ECR may record as a pull of each index: pass --read-index-manifests to read them anyway.");
        }
        return { images, region: await client.config.region(), policyText, indexChildren, warnings, notices };
    } catch (error) {
        throw explainAwsError(error, target);
    } finally {
        client.destroy();
    }
}

/**
 * What reading index manifests does to the repository. ECR serves a pull's manifest through BatchGetImage and
 * updates lastRecordedPullTime on every pull except Amazon Inspector's and those of principals in the registry's
 * pull-time update exclusions, so each index read may look pulled now to sinceImagePulled rules.
 */
function pullNotice(indexes: number): string {
    return `reading ${indexes} index manifest${indexes === 1 ? "" : "s"} with BatchGetImage. ECR may record that as a pull of each index, ` +
        "refreshing its lastRecordedPullTime, so sinceImagePulled rules would keep those indexes longer. To read without that, run the plan " +
        "as an IAM role or user in the registry's pull-time update exclusions: " +
        "aws ecr register-pull-time-update-exclusion --principal-arn arn:aws:iam::<account>:role/<plan-role>.";
}

type Send = <T>(operation: string, command: unknown) => Promise<T>;

/**
 * Every image, ARCHIVED ones too (without the filter ECR lists only ACTIVE images, and archive rules would
 * find nothing to act on). Stops on a next-page token seen before and after a bound on the pages: an
 * endpoint that never stops paging must not run the plan out of memory.
 */
async function listImages(send: Send, ids: RepositoryIds): Promise<ImageDetail[]> {
    const images: ImageDetail[] = [];
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 1; ; page++) {
        const answer = await send<{ imageDetails?: ImageDetail[]; nextToken?: string }>("DescribeImages",
            new DescribeImagesCommand({ ...ids, filter: { imageStatus: "ANY" }, maxResults: DESCRIBE_PAGE_SIZE, ...(nextToken !== undefined ? { nextToken } : {}) }));
        images.push(...(answer.imageDetails ?? []));
        nextToken = answer.nextToken;
        if (nextToken === undefined || nextToken === "") {
            return images;
        }
        if (seenTokens.has(nextToken)) {
            throw new UserError(`ECR answered DescribeImages page ${page} with a next-page token it had given before, so the listing would never end; ` +
                "stopped. Check --endpoint-url, or retry later.");
        }
        if (page >= MAX_DESCRIBE_PAGES) {
            throw new UserError(`ECR kept paging DescribeImages past ${MAX_DESCRIBE_PAGES} pages (${images.length} images, ten times ECR's ` +
                `default quota of ${IMAGES_PER_REPOSITORY_QUOTA} images per repository); stopped. Check --endpoint-url.`);
        }
        seenTokens.add(nextToken);
    }
}

async function readIndexChildren(send: Send, ids: RepositoryIds, indexDigests: string[],
    warnings: string[]): Promise<Record<string, string[]>> {
    const indexChildren: Record<string, string[]> = {};
    for (let start = 0; start < indexDigests.length; start += BATCH_GET_LIMIT) {
        const imageIds = indexDigests.slice(start, start + BATCH_GET_LIMIT).map((imageDigest) => ({ imageDigest }));
        const response = await send<import("@aws-sdk/client-ecr").BatchGetImageCommandOutput>("BatchGetImage",
            new BatchGetImageCommand({ ...ids, imageIds, acceptedMediaTypes: [...INDEX_MEDIA_TYPES] }));
        for (const failure of response.failures ?? []) {
            warnings.push(`could not read index ${shortDigest(failure.imageId?.imageDigest ?? "?")} ` +
                `(${failure.failureCode}: ${failure.failureReason}); its children are not protected in this plan.`);
        }
        for (const image of response.images ?? []) {
            const digest = image.imageId?.imageDigest ?? "?";
            const children = childDigests(image.imageManifest);
            if (children === undefined) {
                warnings.push(`index ${shortDigest(digest)} has a manifest without a manifests list; its children are not protected in this plan.`);
            } else {
                indexChildren[digest] = children;
            }
        }
    }
    return indexChildren;
}

/** The digests an index manifest lists (`manifests[].digest`), or undefined when it is not one. */
function childDigests(manifest: string | undefined): string[] | undefined {
    try {
        const parsed = JSON.parse(manifest ?? "") as { manifests?: Array<{ digest?: unknown }> };
        return Array.isArray(parsed.manifests)
            ? parsed.manifests.map((entry) => entry.digest).filter((digest): digest is string => typeof digest === "string")
            : undefined;
    } catch {
        return undefined;
    }
}

const NETWORK_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"]);

/** Turns the failures a user can fix into one clear line; anything else is a bug and passes through. */
export function explainAwsError(failure: unknown, target: LiveTarget): unknown {
    const operation = failure instanceof DuringOperation ? failure.operation : undefined;
    const error = failure instanceof DuringOperation ? failure.cause : failure;
    const explained = explain(error, operation, target);
    if (explained instanceof UserError) {
        return new UserError(withoutUserInfo(explained.message, target.endpointUrl));
    }
    return explained;
}

function explain(error: unknown, operation: string | undefined, target: LiveTarget): unknown {
    if (!(error instanceof Error) || error instanceof UserError) {
        return error;
    }
    const where = `${target.registryId !== undefined ? ` in registry ${target.registryId}` : ""}${target.region !== undefined ? ` in ${target.region}` : ""}`;
    const endpoint = target.endpointUrl !== undefined ? ` at ${maskedEndpoint(target.endpointUrl)}` : "";
    const code = (error as { code?: string }).code;
    const firstLine = (text: string) => text.split("\n")[0].slice(0, 200);
    switch (error.name) {
        case "RepositoryNotFoundException":
            return new UserError(`repository "${target.repository}" was not found${where}: ${firstLine(error.message)}. ` +
                "Check --repository, --region and --registry-id.");
        case "LifecyclePolicyNotFoundException":
            return new UserError(`repository "${target.repository}" has no lifecycle policy: pass --policy FILE to plan one.`);
        case "CredentialsProviderError":
            return new UserError(`no AWS credentials found (${firstLine(error.message)}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
                "AWS_SECRET_ACCESS_KEY, or sign in with \"aws sso login\".");
        case "TimeoutError":
        case "AbortError":
            return new UserError(`ECR${endpoint} did not answer ${operation ?? "a request"} within ${target.timeoutMs / 1000} s; stopped. ` +
                "Check the network or --endpoint-url, or allow longer with --timeout SECONDS.");
    }
    if (error.message === "Region is missing") {
        return new UserError("no AWS region: pass --region or set AWS_REGION.");
    }
    const response = (error as { $response?: { statusCode?: number; headers?: Record<string, string> } }).$response;
    if (error.name === "SyntaxError" || (response !== undefined && (error as { $metadata?: unknown }).$metadata === undefined)) {
        const status = response?.statusCode ?? (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const type = response?.headers?.["content-type"];
        return new UserError(`ECR's answer to ${operation ?? "a request"}${endpoint} could not be read (HTTP ${status ?? "?"}` +
            `${type !== undefined ? `, ${type}` : ""}): it is not ECR's JSON, perhaps a proxy's page or a cut-off answer. ` +
            "Check --endpoint-url and any proxy, or retry.");
    }
    if ((error as { $metadata?: unknown }).$metadata !== undefined && (error as { $fault?: unknown }).$fault !== undefined) {
        return new UserError(`ECR refused ${operation ?? "the request"}: ${error.name}: ${firstLine(error.message)}`);
    }
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
        return new UserError(`could not reach ECR${endpoint}: ${firstLine(error.message)}`);
    }
    return error;
}
