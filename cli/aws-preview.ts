// `ecrx lifecycle plan --repository R --compare-aws-preview`: ask ECR itself what the policy would do
// (StartLifecyclePolicyPreview, then GetLifecyclePolicyPreview until it completes, every page), and set its
// answer beside the simulator's, image by image. Loaded only when asked for, like live mode.
import {
    ECRClient,
    GetLifecyclePolicyPreviewCommand,
    GetLifecyclePolicyPreviewResponse,
    LifecyclePolicyPreviewResult,
    StartLifecyclePolicyPreviewCommand,
} from "@aws-sdk/client-ecr";
import { shortDigest, SimulatedAction, SimulationResult } from "../sdk/lifecycle";
import { UserError } from "./io";
import { connect, explainAwsError, LiveTarget, RepositoryIds } from "./live";

/** The exit code when ECR's preview and the plan disagree on some image. */

export interface PreviewSettings {
    /** Give up waiting for the preview after this long. */
    timeoutMs: number;
    /** How long to wait between two status checks. */
    pollIntervalMs: number;
}

/** One image on which ECR's preview and ecrx differ. */
export interface PreviewDisagreement {
    imageDigest: string;
    imageTags: readonly string[];
    ecrx: { action: SimulatedAction | "absent"; rulePriority?: number; reason?: string };
    ecr: { action: SimulatedAction; rulePriority?: number };
}

export interface PreviewComparison {
    /** Images that ECR's preview acts on (it lists no others). */
    actedOnByEcr: number;
    disagreements: PreviewDisagreement[];
}

// GetLifecyclePolicyPreview returns at most this many results per page.
const PAGE_SIZE = 100;

/**
 * Runs ECR's preview of `policyText` (the stored policy when undefined) on the target repository and
 * compares it with `result`. Reports progress through `progress`; AWS failures, a failed or expired
 * preview and the timeout become `UserError`s that say what to do.
 */
export async function compareWithAwsPreview(target: LiveTarget, policyText: string | undefined, result: SimulationResult,
    settings: PreviewSettings, progress: (line: string) => void): Promise<PreviewComparison> {
    const { client, ids } = connect(target);
    try {
        await client.send(new StartLifecyclePolicyPreviewCommand({ ...ids, ...(policyText !== undefined ? { lifecyclePolicyText: policyText } : {}) }));
        progress(`started ECR's lifecycle policy preview of repository "${target.repository}"`);
        const first = await waitForCompletion(client, ids, settings, progress);
        const previewResults = await readAllPages(client, ids, first);
        return compare(result, previewResults);
    } catch (error) {
        if (error instanceof Error && error.name === "LifecyclePolicyPreviewInProgressException") {
            throw new UserError(`ECR is already previewing a lifecycle policy for repository "${target.repository}" (${error.message}): ` +
                "ECR runs one preview per repository at a time, so wait for it to finish, then run the plan again.");
        }
        throw explainAwsError(error, target);
    } finally {
        client.destroy();
    }
}

/** Polls until the preview is COMPLETE and returns that first page; other end states and the timeout are errors. */
async function waitForCompletion(client: ECRClient, ids: RepositoryIds, settings: PreviewSettings,
    progress: (line: string) => void): Promise<GetLifecyclePolicyPreviewResponse> {
    const started = Date.now();
    for (let check = 1; ; check++) {
        let response: GetLifecyclePolicyPreviewResponse | undefined;
        try {
            response = await client.send(new GetLifecyclePolicyPreviewCommand({ ...ids, maxResults: PAGE_SIZE }));
        } catch (error) {
            // Just after the start, ECR may not know the preview yet: that is one more reason to wait.
            if (!(error instanceof Error && error.name === "LifecyclePolicyPreviewNotFoundException" && check === 1)) {
                throw error;
            }
        }
        const status = response?.status ?? "IN_PROGRESS";
        if (status === "COMPLETE") {
            progress(`ECR's preview is complete (${seconds(Date.now() - started)})`);
            return response!;
        }
        if (status === "FAILED") {
            throw new UserError("ECR's lifecycle policy preview FAILED, so there is nothing to compare with: run the plan again, " +
                "and if it fails again, check the policy with \"aws ecr start-lifecycle-policy-preview\".");
        }
        if (status === "EXPIRED") {
            throw new UserError("ECR's lifecycle policy preview EXPIRED before it could be read: run the plan again.");
        }
        const elapsed = Date.now() - started;
        if (elapsed + settings.pollIntervalMs > settings.timeoutMs) {
            throw new UserError(`ECR's lifecycle policy preview was still ${status} after ${seconds(elapsed)}: ` +
                "raise --preview-timeout, or run the plan again later.");
        }
        progress(`waiting for ECR's preview: ${status} after ${seconds(elapsed)}`);
        await new Promise((resolve) => setTimeout(resolve, settings.pollIntervalMs));
    }
}

async function readAllPages(client: ECRClient, ids: RepositoryIds, first: GetLifecyclePolicyPreviewResponse): Promise<LifecyclePolicyPreviewResult[]> {
    const results = [...first.previewResults ?? []];
    const seenTokens = new Set<string>();
    for (let token = first.nextToken; token !== undefined && token !== ""; ) {
        if (seenTokens.has(token)) {
            throw new UserError("ECR returned the same page token twice while listing the preview's results; run the plan again.");
        }
        seenTokens.add(token);
        const page = await client.send(new GetLifecyclePolicyPreviewCommand({ ...ids, maxResults: PAGE_SIZE, nextToken: token }));
        results.push(...page.previewResults ?? []);
        token = page.nextToken;
    }
    return results;
}

/** ECR lists only the images its preview acts on; every other image it keeps. */
function compare(result: SimulationResult, previewResults: LifecyclePolicyPreviewResult[]): PreviewComparison {
    const ecrVerdicts = new Map<string, PreviewDisagreement["ecr"] & { imageTags: readonly string[] }>();
    for (const entry of previewResults) {
        if (entry.imageDigest !== undefined) {
            ecrVerdicts.set(entry.imageDigest, {
                action: entry.action?.type === "TRANSITION" ? "archive" : "expire",
                ...(entry.appliedRulePriority !== undefined ? { rulePriority: entry.appliedRulePriority } : {}),
                imageTags: entry.imageTags ?? [],
            });
        }
    }
    const disagreements: PreviewDisagreement[] = [];
    for (const image of result.images) {
        const ecr = ecrVerdicts.get(image.imageDigest);
        ecrVerdicts.delete(image.imageDigest);
        const ecrAction = ecr?.action ?? "keep";
        if (ecrAction !== image.action) {
            disagreements.push({
                imageDigest: image.imageDigest,
                imageTags: image.imageTags,
                ecrx: { action: image.action, ...(image.rulePriority !== undefined ? { rulePriority: image.rulePriority } : {}), reason: image.reason },
                ecr: { action: ecrAction, ...(ecr?.rulePriority !== undefined ? { rulePriority: ecr.rulePriority } : {}) },
            });
        }
    }
    // Images ECR acted on that the plan never saw (pushed since it read the repository, for instance).
    for (const [imageDigest, { imageTags, ...ecr }] of ecrVerdicts) {
        disagreements.push({ imageDigest, imageTags, ecrx: { action: "absent" }, ecr });
    }
    return { actedOnByEcr: previewResults.length, disagreements };
}

/** The comparison as lines for a terminal, after the plan's table. */
export function renderComparison(comparison: PreviewComparison, imageCount: number): string {
    const { disagreements } = comparison;
    if (disagreements.length === 0) {
        return `\nECR's lifecycle policy preview agrees with this plan on all ${imageCount} image${imageCount === 1 ? "" : "s"}.\n`;
    }
    const verdict = (side: { action: string; rulePriority?: number }) =>
        side.action === "absent" ? "not among the images planned" : `${side.action}${side.rulePriority !== undefined ? ` (rule ${side.rulePriority})` : ""}`;
    const lines = disagreements.map(({ imageDigest, imageTags, ecrx, ecr }) =>
        `  ${shortDigest(imageDigest)} ${imageTags.length === 0 ? "(untagged)" : `(${imageTags.join(", ")})`}: ` +
        `ecrx ${verdict(ecrx)}, ECR ${verdict(ecr)}${ecrx.reason !== undefined ? `; ecrx: ${ecrx.reason}` : ""}`);
    return `\nECR's lifecycle policy preview disagrees with this plan on ${disagreements.length} image${disagreements.length === 1 ? "" : "s"}:\n` +
        `${lines.join("\n")}\n`;
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}
