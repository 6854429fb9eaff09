// `--in-use`: asks ECS, Lambda and Kubernetes, read-only and side by side, which images they run. Loaded
// only when asked for, so that other plans never load these SDKs.
import { discoverEcs } from "./ecs";
import { discoverKubernetes } from "./kubernetes";
import { discoverLambda } from "./lambda";
import { TerminalProgress } from "./progress";
import { Denial, FoundReference, SourceName, sourceLabel, SourceReport } from "./source";

export { matchReferences } from "./match";
export type { Denial } from "./source";
export type { Matches, RepositoryContents } from "./match";

export interface InUseOptions {
    sources: readonly SourceName[];
    /** ECS clusters by name or ARN; empty for all. */
    ecsClusters: readonly string[];
    kubeconfig?: string;
    kubeContext?: string;
    /** The most calls in flight to ECS and to Lambda. Default: 8. (Kubernetes gets one listing per resource kind at a time.) */
    concurrency?: number;
}

export interface Discovery {
    references: FoundReference[];
    denials: Denial[];
}

const DEFAULT_CONCURRENCY = 8;

export async function discoverInUse(options: InUseOptions, region: string | undefined,
    stderr: { write(text: string): unknown; isTTY?: boolean }): Promise<Discovery> {
    const progress = new TerminalProgress(stderr, stderr.isTTY === true);
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const discover: Record<SourceName, () => Promise<SourceReport>> = {
        ecs: () => discoverEcs({ region, concurrency, progress, clusters: options.ecsClusters }),
        lambda: () => discoverLambda({ region, concurrency, progress }),
        kubernetes: () => discoverKubernetes({ progress, kubeconfig: options.kubeconfig, context: options.kubeContext }),
    };
    try {
        // Settled, not raced: when one source fails, the others finish rather than run on unobserved.
        const settled = await Promise.allSettled(options.sources.map((source) => discover[source]()));
        const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
        if (failure !== undefined) {
            throw failure.reason;
        }
        const reports = settled.map((outcome) => (outcome as PromiseFulfilledResult<SourceReport>).value);
        return { references: reports.flatMap((report) => report.references), denials: reports.flatMap((report) => report.denials) };
    } finally {
        progress.finish();
    }
}

// A denied permission is usually denied everywhere; a few scopes are enough to show where.
const MAX_SCOPES_SHOWN = 3;

/** One warning per missing permission, naming it and what could not be seen. */
export function describeDenials(denials: readonly Denial[]): string[] {
    const byPermission = new Map<string, Denial[]>();
    for (const denial of denials) {
        const key = `${denial.source}\n${denial.permission}`;
        byPermission.set(key, [...byPermission.get(key) ?? [], denial]);
    }
    // Sorted, because the sources' calls finish in no fixed order.
    return [...byPermission.keys()].sort().map((key) => byPermission.get(key)!).map((group) => {
        const { source, permission, message } = group[0];
        const scopes = [...new Set(group.map((denial) => denial.scope))];
        const shown = scopes.slice(0, MAX_SCOPES_SHOWN).join(", ") + (scopes.length > MAX_SCOPES_SHOWN ? ` and ${scopes.length - MAX_SCOPES_SHOWN} more` : "");
        return `the in-use check is incomplete: ${sourceLabel(source)} denied ${shown} (${message}). ` +
            `Grant the ${source === "kubernetes" ? "RBAC" : "IAM"} permission ${permission}; until then, images that only ` +
            "what it hides uses are not flagged as in use.";
    });
}
