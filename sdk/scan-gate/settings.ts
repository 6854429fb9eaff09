// Checks `Image.scanGate` and turns it into the policy the gate runs with. Pure: no Pulumi, no AWS.
import { boolean, checkShape, oneOf } from "../validation/argument-shapes";
import { checkKnownKeys, describeValue, isRecord, joinPath, ProblemList } from "../validation/errors";
import { ScanGateArgs, ScanGateIgnore, ScanGateSeverity, ScanSeverityCounts } from "./types";

const GATE_SEVERITIES: readonly ScanGateSeverity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
/** Every severity the gate counts, worst first; UNTRIAGED stands for ECR's UNTRIAGED and UNDEFINED. */
export const COUNTED_SEVERITIES = [...GATE_SEVERITIES, "INFORMATIONAL", "UNTRIAGED"] as const;
export type CountedSeverity = typeof COUNTED_SEVERITIES[number];

const DEFAULT_TIMEOUT = "10m";
const MIN_TIMEOUT_SECONDS = 1;
const MAX_TIMEOUT_SECONDS = 3600;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** Vulnerability ids: CVE-2024-1234, GHSA-xxxx-xxxx-xxxx, ALAS2-2024-001, RHSA-2024:1234, GO-2024-1234. */
const FINDING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

const GATE_FIELDS = { failOn: true, maxCounts: true, ignore: true, onlyFixable: true, timeout: true, onTimeout: true } as const satisfies
    Record<keyof ScanGateArgs, true>;
const IGNORE_FIELDS = { id: true, reason: true, until: true } as const satisfies Record<keyof ScanGateIgnore, true>;

/** The gate's settings with every default applied: what the gate resource records and runs with. */
export interface ScanGatePolicy {
    failOn?: ScanGateSeverity;
    maxCounts: ScanSeverityCounts;
    ignore: ScanGateIgnore[];
    onlyFixable: boolean;
    timeoutSeconds: number;
    onTimeout: "fail" | "warn";
}

/** Seconds in a duration such as "90s", "10m", "1h" or "1h30m"; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (text === "" || match === null) {
        return undefined;
    }
    const [, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
    return hours * 3600 + minutes * 60 + seconds;
}

/**
 * The instant an `until` stops ignoring, in epoch milliseconds: the end of the day (UTC) for a date, the
 * time itself for a timestamp; undefined when it is neither (or names a day that does not exist).
 */
export function ignoreEndsAt(until: string): number | undefined {
    const date = DATE.exec(until);
    if (date !== null) {
        const [year, month, day] = date.slice(1).map(Number);
        const start = new Date(Date.UTC(year, month - 1, day));
        const exists = start.getUTCFullYear() === year && start.getUTCMonth() === month - 1 && start.getUTCDate() === day;
        return exists ? Date.UTC(year, month - 1, day + 1) : undefined;
    }
    const time = ISO_TIME.test(until) ? Date.parse(until) : NaN;
    return Number.isNaN(time) ? undefined : time;
}

/** Whether an ignore entry has stopped ignoring at `now` (epoch ms). */
export function isExpired(entry: ScanGateIgnore, now: number): boolean {
    return entry.until !== undefined && (ignoreEndsAt(entry.until) ?? -Infinity) <= now;
}

function checkIgnore(value: unknown, path: string, problems: ProblemList): ScanGateIgnore[] {
    if (!Array.isArray(value)) {
        problems.add(path, `must be a list of { id, reason, until? }, but is ${describeValue(value)}.`);
        return [];
    }
    const seen = new Map<string, number>();
    const entries: ScanGateIgnore[] = [];
    value.forEach((entry, index) => {
        const where = joinPath(path, index);
        if (!isRecord(entry)) {
            problems.add(where, `must be { id, reason, until? }, but is ${describeValue(entry)}.`);
            return;
        }
        checkKnownKeys(entry, IGNORE_FIELDS, where, "an ignore entry", problems);
        const { id, reason, until } = entry;
        let sound = true;
        if (typeof id !== "string" || !FINDING_ID.test(id)) {
            sound = false;
            problems.add(joinPath(where, "id"), `must be a vulnerability id as ECR reports it, such as "CVE-2024-1234", but is ${describeValue(id)}.`);
        } else if (seen.has(id)) {
            sound = false;
            problems.add(joinPath(where, "id"), `repeats ${describeValue(id)} from ${joinPath(path, seen.get(id)!)}: list each finding once.`);
        } else {
            seen.set(id, index);
        }
        if (typeof reason !== "string" || reason.trim() === "") {
            sound = false;
            problems.add(joinPath(where, "reason"), "is required: say why running the image with this finding is acceptable, so the next reader knows.");
        }
        if (until !== undefined && (typeof until !== "string" || ignoreEndsAt(until) === undefined)) {
            sound = false;
            problems.add(joinPath(where, "until"), `must be a date "YYYY-MM-DD" (ignored through that day, UTC) or an ISO 8601 time, but is ${describeValue(until)}.`);
        }
        if (sound) {
            entries.push({ id: id as string, reason: reason as string, ...(until !== undefined ? { until: until as string } : {}) });
        }
    });
    return entries;
}

function checkMaxCounts(value: unknown, path: string, problems: ProblemList): ScanSeverityCounts {
    if (!isRecord(value)) {
        problems.add(path, `must be an object of limits by severity, such as { CRITICAL: 0, HIGH: 5 }, but is ${describeValue(value)}.`);
        return {};
    }
    checkKnownKeys(value, new Set(COUNTED_SEVERITIES), path, "maxCounts", problems);
    const limits: ScanSeverityCounts = {};
    for (const severity of COUNTED_SEVERITIES) {
        const limit = value[severity];
        if (limit === undefined) {
            continue;
        }
        if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
            problems.add(joinPath(path, severity), `must be a whole number of findings, 0 or more, but is ${describeValue(limit)}.`);
        } else {
            limits[severity] = limit;
        }
    }
    if (Object.keys(value).length === 0) {
        problems.add(path, "is empty: give a limit for at least one severity, or leave maxCounts out.");
    }
    return limits;
}

/**
 * Checks `scanGate` (at `path`) and returns the policy with defaults applied, or undefined when it is left
 * out. Problems go to `problems`; the policy is meaningful only when none were added.
 */
export function checkScanGate(value: unknown, path: string, problems: ProblemList): ScanGatePolicy | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isRecord(value)) {
        problems.add(path, `must be an object such as { failOn: "HIGH" }, but is ${describeValue(value)}.`);
        return undefined;
    }
    const gate = value as ScanGateArgs & Record<string, unknown>;
    checkKnownKeys(gate, GATE_FIELDS, path, "scanGate", problems);
    checkShape(gate.failOn, oneOf(...GATE_SEVERITIES), joinPath(path, "failOn"), problems);
    const maxCounts = gate.maxCounts === undefined ? {} : checkMaxCounts(gate.maxCounts, joinPath(path, "maxCounts"), problems);
    const ignore = gate.ignore === undefined ? [] : checkIgnore(gate.ignore, joinPath(path, "ignore"), problems);
    checkShape(gate.onlyFixable, boolean, joinPath(path, "onlyFixable"), problems);
    const timeout = gate.timeout ?? DEFAULT_TIMEOUT;
    const timeoutSeconds = typeof timeout === "string" ? parseDuration(timeout) : undefined;
    if (timeoutSeconds === undefined || timeoutSeconds < MIN_TIMEOUT_SECONDS || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
        problems.add(joinPath(path, "timeout"), `must be a duration from 1s to 1h such as "90s", "10m" or "1m30s", but is ${describeValue(timeout)}.`);
    }
    checkShape(gate.onTimeout, oneOf("fail", "warn"), joinPath(path, "onTimeout"), problems);
    return {
        ...(gate.failOn !== undefined ? { failOn: gate.failOn } : gate.maxCounts === undefined ? { failOn: "CRITICAL" as const } : {}),
        maxCounts,
        ignore,
        onlyFixable: gate.onlyFixable === true,
        timeoutSeconds: timeoutSeconds ?? 0,
        onTimeout: gate.onTimeout === "warn" ? "warn" : "fail",
    };
}

/** The policy of a `scanGate` that `checkScanGate` found sound (the Image checked it at construction). */
export function scanGatePolicy(value: unknown, subject: string): ScanGatePolicy | undefined {
    const problems = new ProblemList();
    const policy = checkScanGate(value, "scanGate", problems);
    problems.throwIfAny(subject);
    return policy;
}
