// The scan gate's public shapes: what a program gives `Image.scanGate`, and what `Image.scanFindings` reports.

/** The severities a threshold can name, worst first. */
export type ScanGateSeverity = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";

/** How many findings of each severity an image may have; a severity left out has no limit of its own. */
export interface ScanSeverityCounts {
    /** Findings rated CRITICAL. */
    CRITICAL?: number;
    /** Findings rated HIGH. */
    HIGH?: number;
    /** Findings rated MEDIUM. */
    MEDIUM?: number;
    /** Findings rated LOW. */
    LOW?: number;
    /** Findings rated INFORMATIONAL. */
    INFORMATIONAL?: number;
    /** Findings the scanner has not rated yet (Inspector's UNTRIAGED, basic scanning's UNDEFINED). */
    UNTRIAGED?: number;
}

/** A finding let through on purpose: its id, why, and until when. */
export interface ScanGateIgnore {
    /** The vulnerability id as ECR reports it: `CVE-2024-1234`, `GHSA-...`, `ALAS2-...`. */
    id: string;
    /** Why it is safe to run the image anyway; shown in the output next to the finding. */
    reason: string;
    /**
     * `YYYY-MM-DD` (through the end of that day, UTC) or an ISO 8601 time; after it, the finding counts again.
     * @default no end
     */
    until?: string;
}

/** The thresholds of `Image.scanGate`: which findings of ECR's scan stop the deployment. */
export interface ScanGateArgs {
    /**
     * Fail on any counted finding of this severity or worse.
     * @default "CRITICAL", unless `maxCounts` is given
     */
    failOn?: ScanGateSeverity;
    /**
     * Fail when a severity has more counted findings than this.
     * @default none
     */
    maxCounts?: ScanSeverityCounts;
    /**
     * Findings to let through, each with a reason and optionally an end date.
     * @default none
     */
    ignore?: ScanGateIgnore[];
    /**
     * Count only findings that have a fix (enhanced scanning's `fixAvailable` YES or PARTIAL).
     * @default false
     */
    onlyFixable?: boolean;
    /**
     * How long to wait for the scan: "90s", "10m", "1h", "1m30s"; 1 s to 1 h.
     * @default "10m"
     */
    timeout?: string;
    /**
     * What a scan that is not done in time means: "fail" the deployment, or "warn" and let the image through unjudged.
     * @default "fail"
     */
    onTimeout?: "fail" | "warn";
}

/** One finding the gate let through because of an `ignore` entry. */
export interface IgnoredScanFinding {
    /** The vulnerability id. */
    id: string;
    /** Its severity: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, or UNTRIAGED for a finding not rated yet. */
    severity: string;
    /** The vulnerable package, `name version`, when the scan names it. */
    package?: string;
    /** The `ignore` entry's reason. */
    reason: string;
    /** The `ignore` entry's end, when it has one. */
    until?: string;
}

/** An `ignore` entry whose `until` has passed: it no longer ignores anything. */
export interface ExpiredScanIgnore {
    /** The entry's vulnerability id. */
    id: string;
    /** When it expired: the entry's `until`. */
    until: string;
    /** The entry's reason. */
    reason: string;
}

/** One image the gate checked: the pushed digest, or one platform image of an index. */
export interface ScanFindingsImage {
    /** The image's digest, `sha256:...`. */
    digest: string;
    /** `os/arch` of an index's image. */
    platform?: string;
}

/** What the gate saw. */
export interface ScanFindings {
    /** Findings by severity that counted against the thresholds (ignored ones, and unfixable ones under onlyFixable, left out). */
    counts: Required<ScanSeverityCounts>;
    /** Findings let through by an `ignore` entry. */
    ignored: IgnoredScanFinding[];
    /** `ignore` entries whose `until` had passed, so that they ignored nothing. */
    expiredIgnores: ExpiredScanIgnore[];
    /** When ECR completed the (last) scan, ISO 8601; absent when the gate timed out and let the image through. */
    completedAt?: string;
    /** "BASIC" or "ENHANCED": which shape of findings ECR returned. */
    scanType?: string;
    /** The scan did not finish within `timeout` and `onTimeout` is "warn". */
    timedOut: boolean;
    /** The images scanned: the pushed digest, or each platform image of an index. */
    images: ScanFindingsImage[];
}
