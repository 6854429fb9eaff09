// What a scan means for a deployment: ECR's findings (basic or enhanced shape) in one form, the ignore
// entries and thresholds applied, and the message that says why an image was stopped. Pure: no Pulumi, no AWS.
import { COUNTED_SEVERITIES, CountedSeverity, isExpired, ScanGatePolicy } from "./settings";
import { ExpiredScanIgnore, IgnoredScanFinding, ScanFindings } from "./types";

/** One vulnerability in one package, as both scan types report it. */
export interface Finding {
    id: string;
    severity: CountedSeverity;
    /** `name version` of the vulnerable package(s), when the scan names them. */
    package?: string;
    fixedIn?: string;
    /** undefined: the scan does not say (basic scanning reports no fixes). */
    fixable?: boolean;
    /** The platforms of an index whose image has it; empty for a single image. */
    platforms: string[];
}

/** One scanned image: the pushed digest, or one platform image of an index. */
export interface ScannedImage {
    digest: string;
    platform?: string;
    scanType: "BASIC" | "ENHANCED";
    completedAt?: string;
    findings: Finding[];
}

/** The parts of a DescribeImageScanFindings page the gate reads (the SDK's types, loosened to plain JSON). */
export interface ScanFindingsPage {
    findings?: Array<{ name?: string; severity?: string; attributes?: Array<{ key?: string; value?: string }> }>;
    enhancedFindings?: Array<{
        severity?: string;
        status?: string;
        title?: string;
        fixAvailable?: string;
        packageVulnerabilityDetails?: {
            vulnerabilityId?: string;
            vulnerablePackages?: Array<{ name?: string; version?: string; fixedInVersion?: string }>;
        };
    }>;
}

function severityOf(reported: string | undefined): CountedSeverity {
    return (COUNTED_SEVERITIES as readonly string[]).includes(reported ?? "") && reported !== "UNTRIAGED"
        ? reported as CountedSeverity
        : "UNTRIAGED"; // Inspector's UNTRIAGED, basic scanning's UNDEFINED, and anything newer
}

const rank = (severity: CountedSeverity) => COUNTED_SEVERITIES.indexOf(severity);

/** The findings of one page, in one form; Inspector findings it has closed or suppressed are left out. */
export function findingsOfPage(page: ScanFindingsPage | undefined): Finding[] {
    const basic = (page?.findings ?? []).map((finding): Finding => {
        const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value;
        const name = attribute("package_name");
        return {
            id: finding.name ?? "(unnamed)",
            severity: severityOf(finding.severity),
            ...(name !== undefined ? { package: [name, attribute("package_version")].filter(Boolean).join(" ") } : {}),
            platforms: [],
        };
    });
    const enhanced = (page?.enhancedFindings ?? [])
        .filter((finding) => finding.status === undefined || finding.status === "ACTIVE")
        .map((finding): Finding => {
            const packages = finding.packageVulnerabilityDetails?.vulnerablePackages ?? [];
            const fixedIn = packages.map((p) => p.fixedInVersion).filter((v): v is string => !!v && v !== "NotAvailable");
            const names = packages.map((p) => [p.name, p.version].filter(Boolean).join(" ")).filter((n) => n !== "");
            return {
                id: finding.packageVulnerabilityDetails?.vulnerabilityId ?? finding.title ?? "(unnamed)",
                severity: severityOf(finding.severity),
                ...(names.length > 0 ? { package: names.join(", ") } : {}),
                ...(fixedIn.length > 0 ? { fixedIn: fixedIn.join(", ") } : {}),
                ...(finding.fixAvailable !== undefined ? { fixable: finding.fixAvailable === "YES" || finding.fixAvailable === "PARTIAL" } : {}),
                platforms: [],
            };
        });
    return [...basic, ...enhanced];
}

export interface Verdict {
    passed: boolean;
    /** Each threshold that tripped, phrased for the message. */
    breaches: string[];
    /** The findings that count, worst first. */
    counted: Finding[];
    findings: ScanFindings;
}

/** One entry per finding across the images of an index: the same CVE in the same package counts once. */
function mergeAcrossImages(images: ScannedImage[]): Finding[] {
    const merged = new Map<string, Finding>();
    for (const image of images) {
        for (const finding of image.findings) {
            const key = `${finding.id}\u0000${finding.package ?? ""}`;
            const existing = merged.get(key);
            const entry = existing ?? { ...finding, platforms: [] };
            if (image.platform !== undefined && !entry.platforms.includes(image.platform)) {
                entry.platforms.push(image.platform);
            }
            merged.set(key, entry);
        }
    }
    return [...merged.values()].sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
}

/** Applies the policy to what the scans found, at `now` (epoch ms) for the expiry of ignore entries. */
export function judgeScan(policy: ScanGatePolicy, images: ScannedImage[], now: number): Verdict {
    const expiredIgnores: ExpiredScanIgnore[] = policy.ignore.filter((entry) => isExpired(entry, now))
        .map((entry) => ({ id: entry.id, until: entry.until!, reason: entry.reason }));
    const inForce = new Map(policy.ignore.filter((entry) => !isExpired(entry, now)).map((entry) => [entry.id, entry]));
    const ignored: IgnoredScanFinding[] = [];
    const counted: Finding[] = [];
    for (const finding of mergeAcrossImages(images)) {
        const entry = inForce.get(finding.id);
        if (entry !== undefined) {
            ignored.push({ id: finding.id, severity: finding.severity, ...(finding.package !== undefined ? { package: finding.package } : {}),
                reason: entry.reason, ...(entry.until !== undefined ? { until: entry.until } : {}) });
        } else if (!(policy.onlyFixable && finding.fixable === false)) {
            counted.push(finding); // under onlyFixable, a finding whose fix is unknown (basic scanning) still counts
        }
    }
    const counts = Object.fromEntries(COUNTED_SEVERITIES.map((s) => [s, counted.filter((f) => f.severity === s).length])) as ScanFindings["counts"];
    const breaches: string[] = [];
    if (policy.failOn !== undefined) {
        const over = counted.filter((f) => rank(f.severity) <= rank(policy.failOn!)).length;
        if (over > 0) {
            breaches.push(`${over} ${over === 1 ? "finding is" : "findings are"} ${policy.failOn} or worse (failOn: "${policy.failOn}")`);
        }
    }
    for (const severity of COUNTED_SEVERITIES) {
        const limit = policy.maxCounts[severity];
        if (limit !== undefined && counts[severity] > limit) {
            breaches.push(`${counts[severity]} ${severity} ${counts[severity] === 1 ? "finding" : "findings"}, more than maxCounts.${severity} (${limit})`);
        }
    }
    const completed = images.map((image) => image.completedAt).filter((t): t is string => t !== undefined).sort();
    return {
        passed: breaches.length === 0,
        breaches,
        counted,
        findings: {
            counts,
            ignored,
            expiredIgnores,
            ...(completed.length > 0 ? { completedAt: completed[completed.length - 1] } : {}),
            ...(images.length > 0 ? { scanType: images[0].scanType } : {}),
            timedOut: false,
            images: images.map((image) => ({ digest: image.digest, ...(image.platform !== undefined ? { platform: image.platform } : {}) })),
        },
    };
}

const TOP_FINDINGS = 10;

/** `CRITICAL 2, HIGH 5` for the severities that have findings; "none" when none do. */
function describeCounts(counts: ScanFindings["counts"]): string {
    const present = COUNTED_SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`);
    return present.length > 0 ? present.join(", ") : "none";
}

/** The one message `pulumi up` fails with when the gate stops an image. */
export function gateFailureMessage(subject: string, verdict: Verdict, policy: ScanGatePolicy): string {
    const { findings } = verdict;
    const lines = [
        `${subject} did not pass the scan gate: ${verdict.breaches.join("; ")}.`,
        `  Counted findings: ${describeCounts(findings.counts)}` +
            `${findings.ignored.length > 0 ? `; ignored on purpose: ${findings.ignored.map((f) => f.id).join(", ")}` : ""}.`,
    ];
    for (const entry of findings.expiredIgnores) {
        lines.push(`  The ignore entry for ${entry.id} expired on ${entry.until}, so it counts again.`);
    }
    if (policy.onlyFixable && findings.scanType === "BASIC") {
        lines.push("  Basic scanning does not report fixes, so onlyFixable counts every finding.");
    }
    lines.push(`  Top findings${verdict.counted.length > TOP_FINDINGS ? ` (${TOP_FINDINGS} of ${verdict.counted.length})` : ""}:`);
    for (const finding of verdict.counted.slice(0, TOP_FINDINGS)) {
        lines.push(`    ${finding.severity.padEnd(13)} ${finding.id}  ${finding.package ?? "(package not named)"}` +
            `  ${finding.fixedIn !== undefined ? `fixed in ${finding.fixedIn}` : finding.fixable === false ? "no fix yet" : "fix not reported"}` +
            `${finding.platforms.length > 0 ? `  [${finding.platforms.join(", ")}]` : ""}`);
    }
    const example = verdict.counted[0]?.id ?? "CVE-2024-1234";
    lines.push(
        "  imageUri was not updated, so nothing that runs this image was changed. Rebuild on patched packages, or ignore a",
        `  finding on purpose: scanGate: { ignore: [{ id: "${example}", reason: "<why it is safe>", until: "<YYYY-MM-DD>" }] }.`,
    );
    return lines.join("\n");
}
