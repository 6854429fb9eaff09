// Live-mode defaults the command line shows in --help, kept apart from live.ts so that offline plans load no AWS SDK.

/** How long one request to ECR may take before the plan gives up. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** An hour: a longer request timeout is a typo. */
export const MAX_TIMEOUT_SECONDS = 60 * 60;
