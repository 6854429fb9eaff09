// A list of strings of one kind (tags, platforms, principals): not empty when given, each entry checked where it is.
import { describeValue, joinPath, ProblemList } from "./errors";
import { isKnown } from "./known";

export interface StringListRule {
    /** What each entry must be, as a message says it: `a Docker tag (...)`. */
    entry: string;
    isValid(entry: string): boolean;
    /** What leaving the list out does instead, for the message about an empty one: "for the default". */
    leftOut: string;
    /** Refuse an entry given twice. */
    unique?: boolean;
    /** Why an entry is refused, beyond not being `entry`; ends the message, its full stop included. */
    explain?(entry: unknown): string | undefined;
}

/** Checks the list at `path` unless it is left out or not known yet; true when it is known and sound. */
export function checkStringList(value: unknown, path: string, rule: StringListRule, problems: ProblemList): value is string[] {
    if (value === undefined || !isKnown(value)) {
        return false;
    }
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(path, `must be a non-empty list of ${rule.entry}; leave it out ${rule.leftOut}.`);
        return false;
    }
    const before = problems.problems.length;
    const seen = new Map<string, number>();
    // Array.from reads a hole as undefined, which is then reported rather than skipped.
    Array.from(value as unknown[]).forEach((entry, index) => {
        const where = joinPath(path, index);
        if (typeof entry !== "string" || !rule.isValid(entry)) {
            problems.add(where, `must be ${rule.entry}, but is ${describeValue(entry)}${rule.explain?.(entry) ?? "."}`);
        } else if (rule.unique && seen.has(entry)) {
            problems.add(where, `repeats ${describeValue(entry)} from ${joinPath(path, seen.get(entry)!)}: list each once.`);
        } else {
            seen.set(entry, index);
        }
    });
    return problems.problems.length === before;
}
