import { agingStart, ImageTimes } from "./aging";
import { storageClassOf } from "./document";
import { DAY_MS } from "./time";
import { PolicyRule } from "./types";

// The one-line reasons the simulator gives for its verdicts. Parts that depend only on a rule are built once
// per rule, so that a million images cost one join each, not several.

/** How a rule's reasons start and which way its condition cuts, worded once per rule. */
export interface RuleWording {
    readonly rule: PolicyRule;
    /** `rule 2 (tag prefix beta, keep newest 1): `, the start of every reason this rule gives. */
    readonly reasonPrefix: string;
    /** `, beyond the newest 5` or `, more than 90 days`: how an image that meets the condition stands. */
    readonly meetsSuffix: string;
    /** `, within the newest 5` or `, not more than 90 days`: why an image that does not is kept. */
    readonly keepsSuffix: string;
}

/** What a rule's ranking found, worded: built once the rule has ranked its images. */
export interface MatchedSuffixes {
    /** How many images the selection matched, each counted whatever other rules do to it. */
    readonly matched: number;
    /** ` of 3 matching` followed by the rule's meets suffix. */
    readonly meets: string;
    /** ` of 3 matching` followed by the rule's keeps suffix. */
    readonly keeps: string;
}

/** The parts of a rule's reasons that depend on the rule alone. */
export function wordRule(rule: PolicyRule): RuleWording {
    const { countType, countNumber } = rule.selection;
    const days = dayCount(countNumber);
    const byCount = countType === "imageCountMoreThan";
    return {
        rule,
        reasonPrefix: `${describeRule(rule)}: `,
        meetsSuffix: byCount ? `, beyond the newest ${countNumber}` : `, more than ${days}`,
        keepsSuffix: byCount ? `, within the newest ${countNumber}` : `, not more than ${days}`,
    };
}

/** The rest of a count rule's reasons, once its ranking has found how many images it matches. */
export function matchedSuffixes(rule: RuleWording, matched: number): MatchedSuffixes {
    return { matched, meets: ` of ${matched} matching${rule.meetsSuffix}`, keeps: ` of ${matched} matching${rule.keepsSuffix}` };
}

/** Where the image stands against its rule's condition, and whether that means acting on it or keeping it. */
export function describeStanding(rule: RuleWording, matches: MatchedSuffixes, times: ImageTimes, slot: number, rank: number, now: number,
    meetsCondition: boolean): string {
    const verdictSuffix = meetsCondition ? rule.meetsSuffix : rule.keepsSuffix;
    const restored = times.activatedAt[slot];
    switch (rule.rule.selection.countType) {
        case "imageCountMoreThan": {
            const newest = rank === 1 ? "newest" : `${ordinal(rank)} newest`;
            return Number.isNaN(restored) ? newest + (meetsCondition ? matches.meets : matches.keeps)
                : `${newest} of ${matches.matched} matching (ranked by its restore from archive ${describeAge(now - restored)})${verdictSuffix}`;
        }
        case "sinceImagePushed":
            return `pushed ${describeAge(now - times.pushedAt[slot])}${verdictSuffix}` +
                (Number.isNaN(restored) ? "" : ` (restored from archive ${describeAge(now - restored)}; age counts from the push)`);
        case "sinceImagePulled": {
            const start = agingStart("sinceImagePulled", times, slot);
            const since = start === times.pulledAt[slot] ? `last pulled ${describeAge(now - start)}`
                : start === restored ? `restored from archive ${describeAge(now - start)} and not pulled since, so the restore counts`
                    : `no pull recorded, so its push counts: pushed ${describeAge(now - start)}`;
            return since + verdictSuffix;
        }
        case "sinceImageTransitioned":
            return `archived ${describeAge(now - times.archivedAt[slot])}${verdictSuffix}`;
    }
}

/**
 * The first 12 hex digits of a digest with its algorithm, `sha256:0123456789ab`: enough to tell the images of
 * a repository apart in a message or a table, as `docker images` does.
 */
export function shortDigest(digest: string): string {
    const separator = digest.indexOf(":");
    return digest.slice(0, separator + 1 + 12);
}

/** `rule 2 (tag prefix beta, keep newest 1)`: enough to recognise the rule in a one-line reason. */
function describeRule(rule: PolicyRule): string {
    const { tagStatus, tagPrefixList, tagPatternList, countType, countNumber } = rule.selection;
    let selected: string;
    if (tagStatus === "any") {
        selected = "any image";
    } else if (tagStatus === "untagged") {
        selected = "untagged";
    } else if (tagPrefixList !== undefined) {
        selected = `tag prefix${tagPrefixList.length > 1 ? "es" : ""} ${joinWithAnd(tagPrefixList)}`;
    } else {
        selected = `tag pattern${tagPatternList!.length > 1 ? "s" : ""} ${joinWithAnd(tagPatternList!)}`;
    }
    if (storageClassOf(rule) === "archive") {
        selected += " in archive";
    }
    const days = dayCount(countNumber);
    const condition = countType === "imageCountMoreThan" ? `keep newest ${countNumber}`
        : countType === "sinceImagePushed" ? `pushed more than ${days} ago`
            : countType === "sinceImagePulled" ? `not pulled for ${days}`
                : `archived more than ${days} ago`;
    return `rule ${rule.rulePriority} (${selected}, ${condition})`;
}

function dayCount(days: number): string {
    return `${days} day${days === 1 ? "" : "s"}`;
}

function joinWithAnd(items: readonly string[]): string {
    return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function ordinal(n: number): string {
    const teen = n % 100 >= 11 && n % 100 <= 13;
    const suffix = teen ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
    return `${n}${suffix}`;
}

const HOUR_MS = 60 * 60 * 1000;

/** `10 days ago`, `2.5 days ago`, `5 hours ago`: precise enough to check against a rule's limit in days. */
function describeAge(ms: number): string {
    if (ms < 0) {
        return "in the future";
    }
    if (ms < HOUR_MS) {
        return "less than an hour ago";
    }
    if (ms < DAY_MS) {
        const hours = Math.floor(ms / HOUR_MS);
        return `${hours} hour${hours === 1 ? "" : "s"} ago`;
    }
    // Rounded up to a tenth, so that the shown age agrees with a rule's "more than N days": an image shown
    // as 5 days old is at most 5 days old, and one a little older shows as 5.1. Built from integers, which
    // turn into text much faster than fractions do.
    const tenths = Math.ceil(ms / DAY_MS * 10);
    const whole = Math.floor(tenths / 10);
    const fraction = tenths % 10;
    return fraction === 0 ? `${dayCount(whole)} ago` : `${whole}.${fraction} days ago`;
}
