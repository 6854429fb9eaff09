// Kubernetes, through the official client: the digests running pods resolved (`imageID`) and the images
// named by pod templates, which the next rollout, restart or CronJob run pulls.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, V1ObjectMeta, V1PodSpec } from "@kubernetes/client-node";
import { UserError } from "../io";
import { explainSourceError, ProgressSink, SourceReport } from "./source";

export interface KubernetesSettings {
    progress: ProgressSink;
    /** Default: KUBECONFIG, or ~/.kube/config. */
    kubeconfig?: string;
    /** Default: the kubeconfig's current context. */
    context?: string;
}

// Large enough to list a big cluster in few pages, small enough to keep each response modest.
const PAGE_SIZE = 500;
// The API server answers 429 when its priority-and-fairness queues are full; it says when to retry.
const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

/** A page of any list call: the items and the token for the next page. */
interface ListPage<Item> {
    items: Item[];
    metadata?: { _continue?: string };
}

type Lister<Item> = (request: { limit: number; _continue?: string }) => Promise<ListPage<Item>>;

interface Workload {
    metadata?: V1ObjectMeta;
}

export async function discoverKubernetes(settings: KubernetesSettings): Promise<SourceReport> {
    const config = loadKubeConfig(settings);
    const context = config.getCurrentContext();
    const core = config.makeApiClient(CoreV1Api);
    const apps = config.makeApiClient(AppsV1Api);
    const batch = config.makeApiClient(BatchV1Api);
    const report: SourceReport = { references: [], denials: [] };
    const where = `in context ${context}`;
    // The context's namespace, where a user without cluster-wide rights may still list.
    const namespace = config.getContextObject(context)?.namespace;
    // One listing at a time per resource, each paged; the six resources are listed side by side.
    const listings: Array<() => Promise<void>> = [
        () => list("pods", (request) => core.listPodForAllNamespaces(request),
            (request) => core.listNamespacedPod({ namespace: namespace!, ...request }), (pod) => {
                const name = `Pod ${qualified(pod.metadata)}`;
                const statuses = [...pod.status?.initContainerStatuses ?? [], ...pod.status?.containerStatuses ?? [],
                    ...pod.status?.ephemeralContainerStatuses ?? []];
                const resolved = new Set<string>();
                for (const status of statuses) {
                    if (status.imageID !== undefined && status.imageID !== "") {
                        report.references.push({ image: status.imageID, kind: "kubernetes", name, where, via: [`container ${status.name}`, "running"] });
                        resolved.add(status.name);
                    }
                }
                // A container not started yet has no imageID; its spec says what it will pull.
                templateReferences(name, pod.spec, resolved);
            }),
        () => list("deployments.apps", (request) => apps.listDeploymentForAllNamespaces(request),
            (request) => apps.listNamespacedDeployment({ namespace: namespace!, ...request }),
            (deployment) => templateReferences(`Deployment ${qualified(deployment.metadata)}`, deployment.spec?.template.spec)),
        () => list("statefulsets.apps", (request) => apps.listStatefulSetForAllNamespaces(request),
            (request) => apps.listNamespacedStatefulSet({ namespace: namespace!, ...request }),
            (set) => templateReferences(`StatefulSet ${qualified(set.metadata)}`, set.spec?.template.spec)),
        () => list("daemonsets.apps", (request) => apps.listDaemonSetForAllNamespaces(request),
            (request) => apps.listNamespacedDaemonSet({ namespace: namespace!, ...request }),
            (set) => templateReferences(`DaemonSet ${qualified(set.metadata)}`, set.spec?.template.spec)),
        () => list("jobs.batch", (request) => batch.listJobForAllNamespaces(request),
            (request) => batch.listNamespacedJob({ namespace: namespace!, ...request }),
            (job) => templateReferences(`Job ${qualified(job.metadata)}`, job.spec?.template.spec)),
        () => list("cronjobs.batch", (request) => batch.listCronJobForAllNamespaces(request),
            (request) => batch.listNamespacedCronJob({ namespace: namespace!, ...request }),
            (cronJob) => templateReferences(`CronJob ${qualified(cronJob.metadata)}`, cronJob.spec?.jobTemplate.spec?.template.spec)),
    ];
    let done = 0;
    await Promise.all(listings.map(async (listing) => {
        await listing();
        settings.progress.update("kubernetes", ++done, listings.length, "resource kinds");
    }));
    return report;

    function templateReferences(name: string, spec: V1PodSpec | undefined, resolved: ReadonlySet<string> = new Set()): void {
        const containers = [...spec?.initContainers ?? [], ...spec?.containers ?? [], ...spec?.ephemeralContainers ?? []];
        for (const container of containers) {
            if (container.image !== undefined && !resolved.has(container.name)) {
                report.references.push({ image: container.image, kind: "kubernetes", name, where, via: [`container ${container.name}`] });
            }
        }
    }

    /**
     * Lists the resource in all namespaces; when that is forbidden, in the context's namespace, recording
     * the cluster-wide denial all the same: the other namespaces stay unseen.
     */
    async function list<Item extends Workload>(resource: string, everywhere: Lister<Item>, inNamespace: Lister<Item>,
        visit: (item: Item) => void): Promise<void> {
        const forbidden = await listPages(resource, everywhere, visit);
        if (forbidden === undefined) {
            return;
        }
        const clusterWide = { source: "kubernetes" as const, permission: `list ${resource} at cluster scope`, message: forbidden };
        if (namespace === undefined) {
            report.denials.push({ ...clusterWide, scope: `context ${context}` });
            return;
        }
        report.denials.push({ ...clusterWide, scope: `context ${context} beyond its namespace ${namespace}` });
        const alsoForbidden = await listPages(resource, inNamespace, visit);
        if (alsoForbidden !== undefined) {
            report.denials.push({ source: "kubernetes", permission: `list ${resource} in namespace ${namespace}`, scope: `context ${context}`,
                message: alsoForbidden });
        }
    }

    /** Visits every item of every page; the API server's message when it forbids the listing, else undefined. */
    async function listPages<Item extends Workload>(resource: string, lister: Lister<Item>, visit: (item: Item) => void): Promise<string | undefined> {
        let token: string | undefined;
        do {
            const page = await withRetries(resource, () => lister({ limit: PAGE_SIZE, ...(token !== undefined ? { _continue: token } : {}) }));
            if (typeof page === "string") {
                return page;
            }
            page.items.forEach(visit);
            token = page.metadata?._continue;
        } while (token !== undefined && token !== "");
        return undefined;
    }

    /** The page, or the message of a 403; 429s are retried, anything else fails discovery. */
    async function withRetries<Item>(resource: string, send: () => Promise<ListPage<Item>>): Promise<ListPage<Item> | string> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await send();
            } catch (error) {
                const status = (error as { code?: unknown }).code;
                if (status === 403) {
                    return statusMessage(error);
                }
                if (status === 401) {
                    throw new UserError(`Kubernetes context "${context}" rejected the credentials while listing ${resource}: ` +
                        `${statusMessage(error)}. Refresh them (for EKS, "aws eks update-kubeconfig"), or choose another --context.`);
                }
                if (status !== 429 || attempt === MAX_ATTEMPTS) {
                    throw status === 429
                        ? new UserError(`Kubernetes context "${context}" kept throttling the listing of ${resource} after ${MAX_ATTEMPTS} attempts: try again later.`)
                        : explainKubernetesError(error, resource, context);
                }
                await new Promise((resolve) => setTimeout(resolve, backoff(error, attempt)));
            }
        }
    }
}


function loadKubeConfig(settings: KubernetesSettings): KubeConfig {
    if (settings.kubeconfig === undefined && !hasDefaultConfig()) {
        // Without any configuration the client would quietly try http://localhost:8080.
        throw new UserError("no kubeconfig: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod. " +
            "Pass --kubeconfig FILE, or drop kubernetes from --in-use.");
    }
    const config = new KubeConfig();
    try {
        if (settings.kubeconfig !== undefined) {
            config.loadFromFile(settings.kubeconfig);
        } else {
            config.loadFromDefault();
        }
    } catch (error) {
        throw new UserError(`cannot read the kubeconfig${settings.kubeconfig !== undefined ? ` ${settings.kubeconfig}` : ""}: ${(error as Error).message}`);
    }
    if (settings.context !== undefined) {
        if (config.getContextObject(settings.context) === null) {
            const known = config.getContexts().map((context) => context.name);
            throw new UserError(`--context ${settings.context} is not a context of the kubeconfig; ` +
                (known.length === 0 ? "it has none." : `use one of ${known.join(", ")}.`));
        }
        config.setCurrentContext(settings.context);
    }
    if (config.getCurrentContext() === "" || config.getCurrentContext() === undefined || config.getCurrentCluster() === null) {
        throw new UserError("the kubeconfig has no current context with a cluster: pass --context NAME (and --kubeconfig FILE), " +
            "or drop kubernetes from --in-use.");
    }
    return config;
}

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** What the client's loadFromDefault looks for: KUBECONFIG, ~/.kube/config, or a pod's service account. */
function hasDefaultConfig(): boolean {
    return (process.env.KUBECONFIG ?? "") !== "" || existsSync(path.join(homedir(), ".kube", "config")) || existsSync(IN_CLUSTER_TOKEN);
}

function qualified(metadata: V1ObjectMeta | undefined): string {
    return `${metadata?.namespace ?? "default"}/${metadata?.name ?? "?"}`;
}

/** The server's Retry-After when it gives one, else exponential backoff with jitter. */
function backoff(error: unknown, attempt: number): number {
    const retryAfter = Number((error as { headers?: Record<string, string> }).headers?.["retry-after"]);
    const exponential = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
    return Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(MAX_BACKOFF_MS, retryAfter * 1000) : exponential / 2 + Math.random() * exponential / 2;
}

/** The `message` of the Status object the API server sends with an error. */
function statusMessage(error: unknown): string {
    let body = (error as { body?: unknown }).body;
    if (typeof body === "string") {
        const text = body;
        try {
            body = JSON.parse(text);
        } catch {
            return text;
        }
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === "string" ? message : `HTTP ${String((error as { code?: unknown }).code)}`;
}

/** Whatever the client throws is about the cluster or the kubeconfig, never about ecrx's own logic. */
function explainKubernetesError(error: unknown, resource: string, context: string): unknown {
    const status = (error as { code?: unknown }).code;
    if (typeof status === "number") {
        return new UserError(`Kubernetes context "${context}" refused to list ${resource}: HTTP ${status}: ${statusMessage(error)}`);
    }
    const explained = explainSourceError(error, "kubernetes", `list ${resource}`);
    return explained instanceof UserError || !(error instanceof Error) ? explained
        : new UserError(`the Kubernetes client could not list ${resource} in context "${context}": ${error.message}`);
}
