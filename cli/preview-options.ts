// The command-line options of --compare-aws-preview, checked before anything is read or sent.
import type { PreviewSettings } from "./aws-preview";
import { UsageError } from "./io";

const DEFAULT_TIMEOUT_SECONDS = 300;
const DEFAULT_POLL_INTERVAL_SECONDS = 5;

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
        timeoutMs: seconds(values["preview-timeout"], "--preview-timeout", DEFAULT_TIMEOUT_SECONDS) * 1000,
        pollIntervalMs: seconds(values["preview-poll-interval"], "--preview-poll-interval", DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
    };
}

function seconds(text: string | undefined, option: string, fallback: number): number {
    if (text === undefined) {
        return fallback;
    }
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(value > 0 && value <= 24 * 60 * 60)) {
        throw new UsageError(`${option} must be a number of seconds above 0 and at most 86400, but is "${text}".`);
    }
    return value;
}
