// What every in-use source (ECS, Lambda, Kubernetes) reports, and the plumbing they share: bounded
// concurrency, paging, and turning a denied call into a recorded gap rather than a silent "not in use".
import { UserError } from "../io";

export type SourceName = "ecs" | "lambda" | "kubernetes";

/** An image reference a workload names, and who names it. */
export interface FoundReference {
    /** As the workload gives it: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:prod`, `…/app@sha256:…`. */
    image: string;
    kind: SourceName;
    /** `service api`, `function checkout`, `Deployment default/web`. */
    name: string;
    /** `in cluster prod`; may be empty. */
    where: string;
    /** `task definition api:42`, `container web`: how the reference was found, most specific last. */
    via: string[];
}

/** A call that was refused, so that part of a source could not be seen. */
export interface Denial {
    source: SourceName;
    /** The IAM action (`ecs:ListServices`) or RBAC permission (`list pods at cluster scope`) that is missing. */
    permission: string;
    /** What could not be read: `cluster prod`, `function checkout`. */
    scope: string;
    message: string;
}

export interface SourceReport {
    references: FoundReference[];
    denials: Denial[];
}

/** Counts shown while discovery runs. */
export interface ProgressSink {
    update(source: SourceName, done: number, total: number, unit: string): void;
}

export interface AwsSourceSettings {
    /** Default: the SDK's (AWS_REGION, the AWS config). */
    region?: string;
    /** The most calls in flight to the service at once. */
    concurrency: number;
    progress: ProgressSink;
}

// Throttled calls are retried with the SDK's backoff; a busy account needs more than its default of 3 attempts.
const AWS_MAX_ATTEMPTS = 8;

/** Client settings for ECS and Lambda. Endpoints come from AWS_ENDPOINT_URL_ECS and AWS_ENDPOINT_URL_LAMBDA, if set. */
export function awsClientConfig(settings: AwsSourceSettings): { region?: string; maxAttempts: number } {
    return { ...(settings.region !== undefined ? { region: settings.region } : {}), maxAttempts: AWS_MAX_ATTEMPTS };
}

/**
 * How an AWS source calls its service: at most `concurrency` calls in flight, and each call that AWS denies
 * recorded in `report` (under the IAM action `<source>:<operation>`) with undefined as its answer.
 */
export function awsCalls(source: "ecs" | "lambda", concurrency: number, report: SourceReport):
    <T>(operation: string, scope: string, send: () => Promise<T>) => Promise<T | undefined> {
    const limit = concurrencyLimit(concurrency);
    return (operation, scope, send) => unlessDenied(report, { source, permission: `${source}:${operation}`, scope }, () => limit(send));
}

/** Runs at most `concurrency` tasks at once, in the order they were asked for. */
function concurrencyLimit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
    let running = 0;
    const waiting: Array<() => void> = [];
    return async (task) => {
        if (running >= concurrency) {
            // A finishing task hands its slot over, so that no newcomer slips in between.
            await new Promise<void>((resolve) => waiting.push(resolve));
        } else {
            running++;
        }
        try {
            return await task();
        } finally {
            const next = waiting.shift();
            if (next !== undefined) {
                next();
            } else {
                running--;
            }
        }
    };
}

/** Every page of a listing, following `next` until it gives no token. A refused page ends the listing. */
export async function allPages<Page>(fetch: (token: string | undefined) => Promise<Page | undefined>,
    next: (page: Page) => string | undefined): Promise<Page[]> {
    const pages: Page[] = [];
    let token: string | undefined;
    do {
        const page = await fetch(token);
        if (page === undefined) {
            break;
        }
        pages.push(page);
        token = next(page);
    } while (token !== undefined && token !== "");
    return pages;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
    const result: T[][] = [];
    for (let start = 0; start < items.length; start += size) {
        result.push(items.slice(start, start + size));
    }
    return result;
}

/**
 * Runs an AWS call; when AWS refuses it for want of a permission, records the denial and returns undefined.
 * Any other failure (after the SDK's own retries, throttling included) ends discovery with a clear message.
 */
async function unlessDenied<T>(report: SourceReport, denial: Omit<Denial, "message">, call: () => Promise<T>): Promise<T | undefined> {
    try {
        return await call();
    } catch (error) {
        if (isAccessDenied(error)) {
            report.denials.push({ ...denial, message: `${(error as Error).name}: ${(error as Error).message}` });
            return undefined;
        }
        throw explainSourceError(error, denial.source, `${denial.permission} for ${denial.scope}`);
    }
}

const DENIED_ERROR_NAMES = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);

function isAccessDenied(error: unknown): boolean {
    return error instanceof Error && (DENIED_ERROR_NAMES.has(error.name)
        || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403);
}

const SOURCE_LABELS: Record<SourceName, string> = { ecs: "ECS", lambda: "Lambda", kubernetes: "Kubernetes" };

export function sourceLabel(source: SourceName): string {
    return SOURCE_LABELS[source];
}

const NETWORK_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"]);

/** A failure the user can act on becomes a UserError naming the source and the call; a bug passes through. */
export function explainSourceError(error: unknown, source: SourceName, call: string): unknown {
    if (!(error instanceof Error) || error instanceof UserError) {
        return error;
    }
    const label = SOURCE_LABELS[source];
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
        return new UserError(`could not reach ${label} to find the images in use (${call}): ${error.message}`);
    }
    if ((error as { $metadata?: unknown }).$metadata !== undefined) {
        return new UserError(`${label} refused ${call} while finding the images in use: ${error.name}: ${error.message}`);
    }
    return error;
}
