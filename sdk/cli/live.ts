// Live mode: read a repository's images, its lifecycle policy and its index manifests from ECR with the
// standard AWS credential chain. Loaded only in live mode, so that offline plans start without the SDK.
import {
    BatchGetImageCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    ImageDetail,
    paginateDescribeImages,
} from "@aws-sdk/client-ecr";
import { INDEX_MEDIA_TYPES, isIndexMediaType, shortDigest } from "../lifecycle/simulate";
import { UserError } from "./io";

export interface LiveTarget {
    repository: string;
    region?: string;
    registryId?: string;
    /** Overrides the endpoint; without it the SDK honours AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL. */
    endpointUrl?: string;
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
}

// BatchGetImage takes at most this many image ids per call.
const BATCH_GET_LIMIT = 100;

/** Reads everything a plan needs; AWS failures become `UserError`s that say what to do. */
export async function readRepository(target: LiveTarget, readPolicy: boolean): Promise<RepositorySnapshot> {
    const client = new ECRClient({
        ...(target.region !== undefined ? { region: target.region } : {}),
        ...(target.endpointUrl !== undefined ? { endpoint: target.endpointUrl } : {}),
    });
    const ids = { repositoryName: target.repository, ...(target.registryId !== undefined ? { registryId: target.registryId } : {}) };
    try {
        const images: ImageDetail[] = [];
        // Without the filter ECR lists only ACTIVE images, and archive rules would find nothing to act on.
        for await (const page of paginateDescribeImages({ client, pageSize: 1000 }, { ...ids, filter: { imageStatus: "ANY" } })) {
            images.push(...(page.imageDetails ?? []));
        }
        const policyText = readPolicy
            ? (await client.send(new GetLifecyclePolicyCommand(ids))).lifecyclePolicyText
            : undefined;
        const warnings: string[] = [];
        const indexDigests = images
            .filter((image) => isIndexMediaType(image.imageManifestMediaType) && image.imageDigest !== undefined)
            .map((image) => image.imageDigest!);
        const indexChildren = await readIndexChildren(client, ids, indexDigests, warnings);
        return { images, region: await client.config.region(), policyText, indexChildren, warnings };
    } catch (error) {
        throw explainAwsError(error, target);
    } finally {
        client.destroy();
    }
}

async function readIndexChildren(client: ECRClient, ids: { repositoryName: string; registryId?: string }, indexDigests: string[],
    warnings: string[]): Promise<Record<string, string[]>> {
    const indexChildren: Record<string, string[]> = {};
    for (let start = 0; start < indexDigests.length; start += BATCH_GET_LIMIT) {
        const imageIds = indexDigests.slice(start, start + BATCH_GET_LIMIT).map((imageDigest) => ({ imageDigest }));
        const response = await client.send(new BatchGetImageCommand({ ...ids, imageIds, acceptedMediaTypes: [...INDEX_MEDIA_TYPES] }));
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

/** Turns the failures a user can fix into one clear message; anything else is a bug and passes through. */
function explainAwsError(error: unknown, target: LiveTarget): unknown {
    if (!(error instanceof Error)) {
        return error;
    }
    const where = `${target.registryId !== undefined ? ` in registry ${target.registryId}` : ""}${target.region !== undefined ? ` in ${target.region}` : ""}`;
    const code = (error as { code?: string }).code;
    switch (error.name) {
        case "RepositoryNotFoundException":
            return new UserError(`repository "${target.repository}" was not found${where}: ${error.message}. ` +
                "Check --repository, --region and --registry-id.");
        case "LifecyclePolicyNotFoundException":
            return new UserError(`repository "${target.repository}" has no lifecycle policy: pass --policy FILE to plan one.`);
        case "CredentialsProviderError":
            return new UserError(`no AWS credentials found (${error.message}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
                "AWS_SECRET_ACCESS_KEY, or sign in with \"aws sso login\".");
    }
    if (error.message === "Region is missing") {
        return new UserError("no AWS region: pass --region or set AWS_REGION.");
    }
    if ((error as { $metadata?: unknown }).$metadata !== undefined && (error as { $fault?: unknown }).$fault !== undefined) {
        return new UserError(`ECR refused the request: ${error.name}: ${error.message}`);
    }
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
        return new UserError(`could not reach ECR${target.endpointUrl !== undefined ? ` at ${target.endpointUrl}` : ""}: ${error.message}`);
    }
    return error;
}
