// A local stand-in for the ECR API, enough for `ecrx lifecycle plan` in live mode: the AWS JSON 1.1
// protocol (POST /, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`) for DescribeImages
// (paginated), GetLifecyclePolicy and BatchGetImage, with ECR's error shapes. It listens on 127.0.0.1
// only, and refuses requests that are not SigV4-signed, so a test proves that the real SDK signed them.
import { AwsJsonError, serveAwsJson } from "./aws-json";

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
    subjectManifestDigest?: string;
}

export interface FakeRepository {
    registryId: string;
    images: FakeImage[];
    lifecyclePolicyText?: string;
    /** Manifest JSON by digest, for BatchGetImage. */
    manifests?: Record<string, string>;
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
    const server = await serveAwsJson(TARGET_PREFIX, "ecr", (operation, body, signature) => {
        requests.push({ operation, body, ...signature });
        return handle(operation, body, repositories, pageSize);
    });
    return { ...server, requests };
}

function handle(operation: string, body: Record<string, unknown>, repositories: Record<string, FakeRepository>, pageSize: number): unknown {
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
        default: throw new AwsJsonError("UnknownOperationException", `unknown operation ${operation}`);
    }
}

/** Like ECR, lists only ACTIVE images unless `filter.imageStatus` asks for others ("ANY" for all). */
function describeImages(name: string, repository: FakeRepository, body: Record<string, unknown>, pageSize: number): unknown {
    const wanted = (body.filter as { imageStatus?: string } | undefined)?.imageStatus ?? "ACTIVE";
    const listed = repository.images.filter((image) => wanted === "ANY" || (image.imageStatus ?? "ACTIVE") === wanted);
    const start = body.nextToken === undefined ? 0 : Number(Buffer.from(String(body.nextToken), "base64").toString("utf8"));
    const end = start + Math.min(pageSize, Number(body.maxResults ?? 100));
    return {
        imageDetails: listed.slice(start, end).map((image) => ({ registryId: repository.registryId, repositoryName: name, ...image })),
        ...(end < listed.length ? { nextToken: Buffer.from(String(end)).toString("base64") } : {}),
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
