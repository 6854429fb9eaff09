// The command-line options of --compare-aws-preview, checked before anything is read or sent.
import type { PreviewSettings } from "./aws-preview";
import { UsageError } from "./io";
import { readSeconds } from "./seconds-option";

/** How long the plan waits for ECR's preview, and how often it asks, unless told otherwise. */
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 300;
export const DEFAULT_PREVIEW_POLL_INTERVAL_SECONDS = 5;
/** A day: a larger preview timeout or poll interval is a typo. */
const MAX_PREVIEW_SECONDS = 24 * 60 * 60;
/** The exit code when ECR's preview disagrees with the plan (here, not in aws-preview.ts, so that help and exit codes load no AWS SDK). */
export const EXIT_PREVIEW_DISAGREES = 3;

interface PreviewValues {
    "compare-aws-preview"?: boolean;
    "preview-timeout"?: string;
    "preview-poll-interval"?: string;
    repository?: string;
    now?: string;
}

/** The preview settings the command line asks for, or undefined when it asks for no comparison. */
export function previewSettings(values: PreviewValues): PreviewSettings | undefined {
    if (values["compare-aws-preview"] !== true) {
        const stray = (["preview-timeout", "preview-poll-interval"] as const).filter((name) => values[name] !== undefined);
        if (stray.length > 0) {
            throw new UsageError(`--${stray.join(" and --")} only ${stray.length === 1 ? "applies" : "apply"} with --compare-aws-preview.`);
        }
        return undefined;
    }
    if (values.repository === undefined) {
        throw new UsageError("--compare-aws-preview asks ECR to preview the policy on a repository: add --repository NAME.");
    }
    if (values.now !== undefined) {
        throw new UsageError("--now cannot be used with --compare-aws-preview: ECR previews the policy as of now, so the plan must too.");
    }
    return {
        timeoutMs: readSeconds(values["preview-timeout"], "--preview-timeout", DEFAULT_PREVIEW_TIMEOUT_SECONDS, MAX_PREVIEW_SECONDS) * 1000,
        pollIntervalMs: readSeconds(values["preview-poll-interval"], "--preview-poll-interval", DEFAULT_PREVIEW_POLL_INTERVAL_SECONDS, MAX_PREVIEW_SECONDS) * 1000,
    };
}
