// `--in-use`: asks ECS, Lambda and Kubernetes, read-only and side by side, which images they run. Loaded
// only when asked for, so that other plans never load these SDKs.
import { discoverEcs } from "./ecs";
import { discoverKubernetes } from "./kubernetes";
import { discoverLambda } from "./lambda";
import { ImageUser } from "../../sdk/lifecycle";
import { matchReferences } from "./match";
import { TerminalProgress } from "./progress";
import { Denial, FoundReference, SourceName, sourceLabel, SourceReport } from "./source";

export type { Denial } from "./source";

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

/** The repository the plan is for, as read from ECR. */
export interface PlannedRepository {
    name: string;
    registryId: string;
    region: string;
    images: ReadonlyArray<{ imageDigest?: string; imageTags?: readonly string[] | null }>;
    indexChildren: Readonly<Record<string, readonly string[]>>;
}

export interface InUseFindings {
    /** Digest → users, for `simulate`. */
    inUse: Record<string, ImageUser[]>;
    denials: Denial[];
    warnings: string[];
    notes: string[];
}

// Enough broken references to act on; the rest are counted.
const MAX_MISSING_SHOWN = 10;

/** What discovery means for one repository: who uses which digest, and what the plan should warn about. */
export function findingsFor(discovery: Discovery, repository: PlannedRepository): InUseFindings {
    const matches = matchReferences(discovery.references, {
        id: { registryId: repository.registryId, region: repository.region, repository: repository.name },
        images: repository.images,
        indexChildren: repository.indexChildren,
    });
    const warnings = describeDenials(discovery.denials);
    const missing = matches.missing.length;
    if (missing > 0) {
        const shown = matches.missing.slice(0, MAX_MISSING_SHOWN);
        warnings.push(`${missing} workload${missing === 1 ? " names an image" : "s name images"} that repository "${repository.name}" ` +
            `does not hold, so ${missing === 1 ? "it" : "they"} cannot pull ${missing === 1 ? "it" : "them"} now: ${shown.join("; ")}` +
            `${missing > shown.length ? `; and ${missing - shown.length} more` : ""}.`);
    }
    const notes = matches.byTag === 0 ? [] : [`${matches.byTag} in-use reference${matches.byTag === 1 ? " names a tag and is" : "s name a tag and are"} ` +
        "matched to the image the tag points to now (\"as it points now\" in the reasons); a tag that moved since a deployment " +
        "is covered by the digests running ECS tasks and Kubernetes pods report, and by Lambda's resolved image."];
    return { inUse: matches.inUse, denials: discovery.denials, warnings, notes };
}

// A denied permission is usually denied everywhere; a few scopes are enough to show where.
const MAX_SCOPES_SHOWN = 3;

/** One warning per missing permission, naming it and what could not be seen. */
function describeDenials(denials: readonly Denial[]): string[] {
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
