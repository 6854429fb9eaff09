/*
 * sandbox/registry/bridge.ts — registry → moto bridge for the ecrx sandbox.
 *
 * A real ECR records every pushed image in its control plane; the sandbox's data plane is a
 * distribution registry and its control plane is moto. The registry's `notifications` endpoint
 * (sandbox/registry/registry.sh, SBX_BRIDGE=1) POSTs event envelopes here, and this bridge mirrors:
 *   - manifest push (target.mediaType is a manifest type): fetch the manifest bytes from the
 *     registry by digest, check sha256(bytes) == target.digest, then ECR PutImage(repositoryName,
 *     imageManifest, imageManifestMediaType, imageDigest, imageTag?) — imageDigest is passed
 *     explicitly because moto otherwise derives a digest from the layer digests (ecr/models.py
 *     Image._create_digest), which is not the registry's. Untagged pushes (children of an index)
 *     become untagged images, like ECR. ImageAlreadyExists is treated as done.
 *     When the repository scans on push, a new image manifest (not an index, which ECR cannot scan) is
 *     then scanned: StartImageScan, after which moto's DescribeImageScanFindings answers (its canned
 *     result has one HIGH finding), as ECR's basic scanning does.
 *   - delete with target.digest: BatchDeleteImage [{imageDigest}]; with target.tag only: [{imageTag}].
 * The registry repository name is the ECR repository name (optionally minus BRIDGE_REPO_PREFIX).
 *
 * Run: node -r ts-node/register/transpile-only sandbox/registry/bridge.ts
 *      (registry.sh bridge-start does it, with a PID file).
 * Env: BRIDGE_PORT (5057), REGISTRY_URL (http://127.0.0.1:5055), REGISTRY_USER,
 *      REGISTRY_PASSWORD or REGISTRY_PASSWORD_FILE, AWS_ENDPOINT_URL_ECR (moto, required),
 *      AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, BRIDGE_REPO_PREFIX (optional).
 * HTTP: POST /events (registry envelopes), GET /healthz, GET /stats (counters + recent errors, JSON).
 * Listens on 127.0.0.1 only. Always answers 200 to the registry (its queue would otherwise retry
 * one failing event forever and hold back the rest); failures are logged and kept in /stats.
 */
import * as http from "http";
import * as fs from "fs";
import * as crypto from "crypto";
import {
    ECRClient, PutImageCommand, BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand,
    ImageIdentifier, StartImageScanCommand,
} from "@aws-sdk/client-ecr";

const port = Number(process.env.BRIDGE_PORT ?? "5057");
const registryUrl = (process.env.REGISTRY_URL ?? "http://127.0.0.1:5055").replace(/\/+$/, "");
const registryUser = process.env.REGISTRY_USER ?? "ecrx";
const registryPassword = process.env.REGISTRY_PASSWORD
    ?? (process.env.REGISTRY_PASSWORD_FILE ? fs.readFileSync(process.env.REGISTRY_PASSWORD_FILE, "utf8").trim() : "");
const repoPrefix = process.env.BRIDGE_REPO_PREFIX ?? "";
const ecrEndpoint = process.env.AWS_ENDPOINT_URL_ECR;
if (!ecrEndpoint) {
    console.error("bridge: AWS_ENDPOINT_URL_ECR is required (moto's endpoint)");
    process.exit(2);
}
const ecr = new ECRClient({
    endpoint: ecrEndpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
    },
    maxAttempts: 3,
});

const MANIFEST_TYPES = new Set([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v1+json",
]);

interface RegistryEvent {
    id?: string;
    action?: string;
    target?: { mediaType?: string; digest?: string; size?: number; repository?: string; tag?: string };
}

const stats = { received: 0, putImage: 0, alreadyExists: 0, deleted: 0, ignored: 0, errors: 0, lastErrors: [] as string[] };

function log(msg: string): void {
    console.log(`${new Date().toISOString()} ${msg}`);
}

function fail(msg: string): void {
    stats.errors++;
    stats.lastErrors.push(`${new Date().toISOString()} ${msg}`);
    if (stats.lastErrors.length > 20) stats.lastErrors.shift();
    log(`ERROR ${msg}`);
}

function ecrName(repository: string): string {
    return repoPrefix && repository.startsWith(repoPrefix) ? repository.slice(repoPrefix.length) : repository;
}

async function fetchManifest(repository: string, digest: string): Promise<{ body: Buffer; mediaType: string }> {
    const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, {
        headers: {
            Accept: [...MANIFEST_TYPES].join(", "),
            Authorization: "Basic " + Buffer.from(`${registryUser}:${registryPassword}`).toString("base64"),
        },
    });
    if (!res.ok) throw new Error(`GET manifest ${repository}@${digest}: HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
    return { body, mediaType };
}

async function onPush(ev: RegistryEvent): Promise<void> {
    const t = ev.target!;
    const { body, mediaType } = await fetchManifest(t.repository!, t.digest!);
    const actual = "sha256:" + crypto.createHash("sha256").update(body).digest("hex");
    if (actual !== t.digest) throw new Error(`manifest ${t.repository}@${t.digest}: registry bytes hash to ${actual}`);
    const repositoryName = ecrName(t.repository!);
    const untaggedByThisPush = t.tag ? await imageLosingItsLastTag(repositoryName, t.tag, t.digest!) : undefined;
    try {
        const out = await ecr.send(new PutImageCommand({
            repositoryName,
            imageManifest: body.toString("utf8"),
            imageManifestMediaType: t.mediaType || mediaType,
            imageDigest: t.digest,
            ...(t.tag ? { imageTag: t.tag } : {}),
        }));
        const got = out.image?.imageId?.imageDigest;
        if (got !== t.digest) throw new Error(`moto recorded ${repositoryName}@${got}, registry has ${t.digest}`);
        stats.putImage++;
        log(`PutImage ${repositoryName}${t.tag ? ":" + t.tag : ""}@${t.digest}`);
        if (untaggedByThisPush !== undefined) {
            await ecr.send(new PutImageCommand({ repositoryName, ...untaggedByThisPush }));
            log(`PutImage ${repositoryName}@${untaggedByThisPush.imageDigest}: kept untagged after ${t.tag} moved`);
        }
        await scanOnPush(repositoryName, t.digest!, t.mediaType || mediaType);
    } catch (e: any) {
        if (e?.name === "ImageAlreadyExistsException") {
            stats.alreadyExists++;
            log(`PutImage ${repositoryName}${t.tag ? ":" + t.tag : ""}@${t.digest}: already recorded`);
            return;
        }
        throw e;
    }
}

const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

/** ECR's scan on push: a new image manifest in a repository with scanOnPush is scanned. */
async function scanOnPush(repositoryName: string, digest: string, mediaType: string): Promise<void> {
    if (INDEX_TYPES.has(mediaType)) {
        return;
    }
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    if (described.repositories?.[0]?.imageScanningConfiguration?.scanOnPush === true) {
        await ecr.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest: digest } }));
        log(`StartImageScan ${repositoryName}@${digest} (scan on push)`);
    }
}

/**
 * The image a push takes `tag` from, when that was its only tag. ECR keeps such an image, untagged (it is
 * what the lifecycle policy's untagged rules are about); moto's PutImage deletes it. So the bridge reads it
 * before the push and records it again afterwards, untagged. Its push time becomes the time of that record.
 */
async function imageLosingItsLastTag(repositoryName: string, tag: string, digest: string) {
    const found = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: tag }], acceptedMediaTypes: [...MANIFEST_TYPES] }));
    const previous = found.images?.[0];
    const previousDigest = previous?.imageId?.imageDigest;
    if (previous === undefined || previousDigest === undefined || previousDigest === digest) {
        return undefined;
    }
    const described = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: previousDigest }] }));
    if ((described.imageDetails?.[0]?.imageTags ?? []).length !== 1) {
        return undefined;
    }
    return { imageManifest: previous.imageManifest, imageManifestMediaType: previous.imageManifestMediaType, imageDigest: previousDigest };
}

async function onDelete(ev: RegistryEvent): Promise<void> {
    const t = ev.target!;
    const repositoryName = ecrName(t.repository!);
    let imageIds: ImageIdentifier[];
    if (t.digest) imageIds = [{ imageDigest: t.digest }];
    else if (t.tag) imageIds = [{ imageTag: t.tag }];
    else { stats.ignored++; log(`ignored repository delete event for ${repositoryName}`); return; }
    const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds }));
    for (const f of out.failures ?? []) {
        // a blob delete event looks like a manifest delete (digest only): ImageNotFound is expected then
        log(`BatchDeleteImage ${repositoryName} ${JSON.stringify(imageIds)}: ${f.failureCode} ${f.failureReason}`);
    }
    if ((out.imageIds ?? []).length > 0) {
        stats.deleted++;
        log(`BatchDeleteImage ${repositoryName} ${JSON.stringify(imageIds)}: deleted ${JSON.stringify(out.imageIds)}`);
    }
}

// Events are handled one at a time, in arrival order, so a push and a later delete do not race.
let chain: Promise<void> = Promise.resolve();

async function handle(ev: RegistryEvent): Promise<void> {
    stats.received++;
    const t = ev.target;
    if (!t?.repository) { stats.ignored++; return; }
    try {
        if (ev.action === "push" && t.digest && t.mediaType && MANIFEST_TYPES.has(t.mediaType)) await onPush(ev);
        else if (ev.action === "delete") await onDelete(ev);
        else stats.ignored++;
    } catch (e: any) {
        fail(`${ev.action} ${t.repository}${t.tag ? ":" + t.tag : ""}@${t.digest ?? ""}: ${e?.name ?? ""} ${e?.message ?? e}`);
    }
}

const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") { res.writeHead(200).end("ok\n"); return; }
    if (req.method === "GET" && req.url === "/stats") {
        // resolves after every event received so far was handled: a test can GET /stats to wait
        chain.then(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats) + "\n"));
        return;
    }
    if (req.method !== "POST" || req.url !== "/events") { res.writeHead(404).end(); return; }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
        let events: RegistryEvent[] = [];
        try {
            events = JSON.parse(Buffer.concat(chunks).toString("utf8")).events ?? [];
        } catch (e: any) {
            fail(`bad envelope: ${e?.message ?? e}`);
        }
        for (const ev of events) chain = chain.then(() => handle(ev));
        // answer once handled, so the registry's queue order is the handling order
        chain.then(() => res.writeHead(200).end());
    });
});

server.listen(port, "127.0.0.1", () => log(`bridge listening on 127.0.0.1:${port}, registry ${registryUrl}, ECR ${ecrEndpoint}`));

for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.on(sig, () => { log(`${sig}: closing`); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
}
