// A local stand-in for a Kubernetes API server, enough for `--in-use kubernetes` through the official
// client: list calls across all namespaces, or in one, for pods, Deployments, StatefulSets, DaemonSets, Jobs
// and CronJobs, paged by `limit` and `continue`, with the API server's Status errors (403 Forbidden, 429 with
// Retry-After). Requests without the kubeconfig's bearer token get 401, as from a real server.
import { delay, replyJson, serveOnLoopback, throttler } from "./loopback";

/** The path of each list, and its kind. */
export const LISTS = {
    pods: { path: "/api/v1/pods", kind: "PodList", apiVersion: "v1" },
    deployments: { path: "/apis/apps/v1/deployments", kind: "DeploymentList", apiVersion: "apps/v1" },
    statefulsets: { path: "/apis/apps/v1/statefulsets", kind: "StatefulSetList", apiVersion: "apps/v1" },
    daemonsets: { path: "/apis/apps/v1/daemonsets", kind: "DaemonSetList", apiVersion: "apps/v1" },
    jobs: { path: "/apis/batch/v1/jobs", kind: "JobList", apiVersion: "batch/v1" },
    cronjobs: { path: "/apis/batch/v1/cronjobs", kind: "CronJobList", apiVersion: "batch/v1" },
} as const;

export type ListName = keyof typeof LISTS;

export interface FakeKubernetesOptions {
    token: string;
    /** The objects of each list, as the API server returns them. */
    objects: Partial<Record<ListName, unknown[]>>;
    /** The most items a page holds, whatever `limit` asks for. */
    pageSize?: number;
    /** List → how many of its first calls to answer with 429. */
    throttle?: Partial<Record<ListName, number>>;
    /** Lists the token's user may not read across all namespaces. */
    deny?: ListName[];
    /** Lists the token's user may not read in a single namespace either. */
    denyInNamespace?: ListName[];
    latencyMs?: number;
}

export interface KubernetesCall {
    list: ListName | string;
    /** Set for a list in one namespace. */
    namespace?: string;
    query: Record<string, string>;
    authorized: boolean;
    throttled: boolean;
}

export interface FakeKubernetes {
    endpoint: string;
    calls: KubernetesCall[];
    close(): Promise<void>;
}

export async function startFakeKubernetes(options: FakeKubernetesOptions): Promise<FakeKubernetes> {
    const calls: KubernetesCall[] = [];
    const throttles = throttler(options.throttle);
    const server = await serveOnLoopback(async (request, _body, response) => {
        const url = new URL(request.url ?? "/", "http://localhost");
        // `/apis/apps/v1/namespaces/shop/deployments` lists what `/apis/apps/v1/deployments` does, in one namespace.
        const scoped = /^(?<group>.*)\/namespaces\/(?<namespace>[^/]+)\/(?<resource>[a-z]+)$/.exec(url.pathname);
        const namespace = scoped?.groups!.namespace;
        const path = scoped === null ? url.pathname : `${scoped.groups!.group}/${scoped.groups!.resource}`;
        const list = (Object.keys(LISTS) as ListName[]).find((name) => LISTS[name].path === path);
        const query = Object.fromEntries(url.searchParams);
        const authorized = request.headers.authorization === `Bearer ${options.token}`;
        await delay(options.latencyMs ?? 0);
        const throttled = authorized && list !== undefined && throttles(list);
        calls.push({ list: list ?? url.pathname, ...(namespace !== undefined ? { namespace } : {}), query, authorized, throttled });
        if (!authorized) {
            return status(response, 401, "Unauthorized", "Unauthorized");
        }
        if (list === undefined || request.method !== "GET") {
            return status(response, 404, "NotFound", "the server could not find the requested resource");
        }
        if (throttled) {
            return status(response, 429, "TooManyRequests", "Too many requests, please try again later.", { "Retry-After": "0" });
        }
        if ((namespace === undefined ? options.deny : options.denyInNamespace)?.includes(list)) {
            const group = LISTS[list].apiVersion.includes("/") ? LISTS[list].apiVersion.split("/")[0] : "";
            return status(response, 403, "Forbidden", `${list} is forbidden: User "ci" cannot list resource "${list}" in API group "${group}" ` +
                (namespace === undefined ? "at the cluster scope" : `in the namespace "${namespace}"`));
        }
        const items = (options.objects[list] ?? []).filter((item) =>
            namespace === undefined || (item as { metadata?: { namespace?: string } }).metadata?.namespace === namespace);
        const start = query.continue === undefined ? 0 : Number(Buffer.from(query.continue, "base64").toString("utf8"));
        const end = start + Math.min(options.pageSize ?? Infinity, query.limit === undefined ? Infinity : Number(query.limit));
        replyJson(response, 200, {
            kind: LISTS[list].kind,
            apiVersion: LISTS[list].apiVersion,
            metadata: { resourceVersion: "1", ...(end < items.length ? { continue: Buffer.from(String(end)).toString("base64") } : {}) },
            items: items.slice(start, end),
        }, { "Content-Type": "application/json" });
    });
    return { ...server, calls };
}

function status(response: Parameters<typeof replyJson>[0], code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
    replyJson(response, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code },
        { "Content-Type": "application/json", ...headers });
}

/** A kubeconfig for the fake: one cluster, one token user, one context, current and in `namespace` if given. */
export function kubeconfigFor(fake: FakeKubernetes, token: string, context: string, namespace?: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: fake`,
        `  cluster:`,
        `    server: ${fake.endpoint}`,
        // The client speaks plain HTTP only when told that TLS is not verified.
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: ci",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        `- name: ${context}`,
        "  context:",
        "    cluster: fake",
        "    user: ci",
        ...(namespace !== undefined ? [`    namespace: ${namespace}`] : []),
        `current-context: ${context}`,
        "",
    ].join("\n");
}
