import { checkKnownKeys, describeValue, isRecord, isStringList, joinPath, ProblemList } from "../validation/errors";
import { countWildcards } from "./tag-pattern";
import {
    COUNT_TYPES,
    CountType,
    MAX_POLICY_NUMBER,
    MAX_RULES_PER_POLICY,
    MAX_WILDCARDS_PER_PATTERN,
    MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY,
    POLICY_ACTION_TYPES,
    POLICY_TEXT_MAX_LENGTH,
    POLICY_TEXT_MIN_LENGTH,
    PolicyDocument,
    PolicyRule,
    STORAGE_CLASSES,
    StorageClass,
    TAG_STATUSES,
} from "./types";

/** A field of a policy rule that a problem can be reported against. */
export type RuleField =
    | "rulePriority"
    | "selection"
    | "selection.tagStatus"
    | "selection.storageClass"
    | "countNumber"
    | "countType"
    | "action"
    | { list: "tagPrefixList" | "tagPatternList"; index?: number };

/**
 * Maps a document rule and field to the property path the user wrote. `buildPolicy` points back at the
 * friendly rules (`lifeCyclePolicyArgs.rules[0].maximumNumberOfImages`); a raw document maps to itself
 * (`rules[0].selection.countNumber`). This is what lets one set of checks serve both.
 */
export type RuleLocator = (ruleIndex: number, field: RuleField) => string;

/** Tag characters as ECR accepts them in a tag; prefixes and patterns are made of the same (plus `*`). */
const TAG_CHARACTERS = /^[A-Za-z0-9_.-]+$/;
const PATTERN_CHARACTERS = /^[A-Za-z0-9_.*-]+$/;
const MAX_TAG_LENGTH = 128;

const CONDITION_NAMES: Record<CountType, string> = {
    imageCountMoreThan: "maximumNumberOfImages (imageCountMoreThan)",
    sinceImagePushed: "maximumAgeLimit (sinceImagePushed)",
    sinceImagePulled: "maximumDaysSinceLastPull (sinceImagePulled)",
    sinceImageTransitioned: "maximumDaysInArchive (sinceImageTransitioned)",
};

export function storageClassOf(rule: PolicyRule): StorageClass {
    return rule.selection.storageClass ?? "standard";
}

/** The tag list a tagged rule selects by, as a key that ignores order (repeats are refused on their own). */
function tagListKey(rule: PolicyRule): string {
    const list = (rule.selection.tagPrefixList ?? rule.selection.tagPatternList)!;
    const kind = rule.selection.tagPrefixList !== undefined ? "prefix" : "pattern";
    return `${storageClassOf(rule)}|${kind}|${[...list].sort().join("\u0000")}`;
}

/** Checks a whole number field against ECR's range; says so and returns false when it is out of it. */
function checkWholeNumber(value: number, max: number, path: string, problems: ProblemList): boolean {
    if (Number.isInteger(value) && value >= 1 && value <= max) {
        return true;
    }
    problems.add(path, `must be a whole number from 1 to ${max}, but is ${describeValue(value)}.`);
    return false;
}

/**
 * Checks a policy document against everything ECR rejects and against the mistakes that silently lose
 * images. Rules must already have the right shape (see `parsePolicyDocument` for raw JSON). Problems
 * are added to `problems` at the paths `locate` gives.
 */
export function checkPolicyRules(rules: PolicyRule[], locate: RuleLocator, problems: ProblemList): void {
    const priorityOwner = new Map<number, number>();
    const tagStatusOwner = new Map<string, number>();
    const tagListOwner = new Map<string, number>();

    rules.forEach((rule, index) => {
        const { selection } = rule;
        const storageClass = storageClassOf(rule);

        checkWholeNumber(selection.countNumber, MAX_POLICY_NUMBER, locate(index, "countNumber"), problems);

        if (checkWholeNumber(rule.rulePriority, MAX_POLICY_NUMBER, locate(index, "rulePriority"), problems)) {
            const owner = priorityOwner.get(rule.rulePriority);
            if (owner !== undefined) {
                problems.add(locate(index, "rulePriority"),
                    `rulePriority ${rule.rulePriority} is already used by ${locate(owner, "rulePriority")}; every rule needs its own priority.`);
            } else {
                priorityOwner.set(rule.rulePriority, index);
            }
        }

        if (selection.tagStatus === "untagged" || selection.tagStatus === "any") {
            const key = `${storageClass}|${selection.tagStatus}`;
            const owner = tagStatusOwner.get(key);
            if (owner !== undefined) {
                problems.add(locate(index, "selection"),
                    `only one rule may select "${selection.tagStatus}" images${storageClass === "archive" ? " in archive storage" : ""}, ` +
                    `and ${locate(owner, "selection")} already does: merge the two rules into one.`);
            } else {
                tagStatusOwner.set(key, index);
            }
            for (const list of ["tagPrefixList", "tagPatternList"] as const) {
                if (selection[list] !== undefined) {
                    problems.add(locate(index, { list }),
                        `only applies to tagged images, but this rule selects "${selection.tagStatus}": remove it, or select tagged images.`);
                }
            }
        } else {
            checkTaggedSelection(rule, index, locate, problems, tagListOwner);
        }

        checkStorageClassAndAction(rule, index, locate, problems);
    });

    checkAnyRuleIsLast(rules, locate, problems);
}

function checkTaggedSelection(rule: PolicyRule, index: number, locate: RuleLocator, problems: ProblemList,
    tagListOwner: Map<string, number>): void {
    const { tagPrefixList, tagPatternList } = rule.selection;
    if ((tagPrefixList === undefined) === (tagPatternList === undefined)) {
        problems.add(locate(index, "selection"),
            "a tagged selection needs exactly one of tagPrefixList or tagPatternList" +
            (tagPrefixList === undefined ? ", but has neither: add one (use the \"tagged\" selection to match every tagged image)."
                : ", but has both: split it into two rules."));
        return;
    }
    const list = (tagPrefixList ?? tagPatternList)!;
    const listName = tagPrefixList !== undefined ? "tagPrefixList" : "tagPatternList";
    if (list.length === 0) {
        problems.add(locate(index, { list: listName }),
            `must name at least one ${listName === "tagPrefixList" ? "prefix" : "pattern"}; an empty list selects nothing.`);
        return;
    }
    const firstPositionOf = new Map<string, number>();
    list.forEach((entry, position) => {
        const where = locate(index, { list: listName, index: position });
        const first = firstPositionOf.get(entry);
        if (first !== undefined) {
            problems.add(where, `repeats ${describeValue(entry)}, which is already ${locate(index, { list: listName, index: first })}: ` +
                "each entry must appear once, remove the repeat.");
            return;
        }
        firstPositionOf.set(entry, position);
        if (listName === "tagPrefixList") {
            if (!TAG_CHARACTERS.test(entry) || entry.length > MAX_TAG_LENGTH) {
                problems.add(where, `must be 1 to ${MAX_TAG_LENGTH} tag characters (letters, digits, "_", "." and "-"), but is ${describeValue(entry)}` +
                    (entry.includes("*") ? ": prefixes take no wildcards, use tagPatternList for \"*\"." : "."));
            }
            return;
        }
        if (!PATTERN_CHARACTERS.test(entry) || entry.length > MAX_TAG_LENGTH) {
            problems.add(where, `must be 1 to ${MAX_TAG_LENGTH} tag characters (letters, digits, "_", "." and "-") or "*", but is ${describeValue(entry)}.`);
        }
        const wildcards = countWildcards(entry);
        if (wildcards > MAX_WILDCARDS_PER_PATTERN) {
            problems.add(where, `has ${wildcards} wildcards, but ECR allows at most ${MAX_WILDCARDS_PER_PATTERN} "*" per pattern: simplify the pattern.`);
        }
    });
    const key = tagListKey(rule);
    const owner = tagListOwner.get(key);
    if (owner !== undefined) {
        problems.add(locate(index, { list: listName }),
            `selects the same tags as ${locate(owner, { list: listName })}; ECR rejects two rules with one tag list: merge the rules.`);
    } else {
        tagListOwner.set(key, index);
    }
}

function checkStorageClassAndAction(rule: PolicyRule, index: number, locate: RuleLocator, problems: ProblemList): void {
    const { countType, countNumber } = rule.selection;
    const archived = storageClassOf(rule) === "archive";
    if (countType === "sinceImageTransitioned" && !archived) {
        problems.add(locate(index, "countNumber"),
            `${CONDITION_NAMES.sinceImageTransitioned} counts days since an image was archived, so the rule must select archived images: ` +
            "add storageClass \"archive\" to the selection.");
    }
    if (archived && countType !== "sinceImageTransitioned") {
        problems.add(locate(index, "selection.storageClass"),
            `archived images can only be selected by ${CONDITION_NAMES.sinceImageTransitioned}, not by ${CONDITION_NAMES[countType]}: ` +
            "change the condition, or select storageClass \"standard\".");
    }
    if (countType === "sinceImagePulled" && rule.action.type === "expire") {
        // The guide: sinceImagePulled "must be used with the transition action. It cannot be used with the expire action."
        problems.add(locate(index, "countType"),
            `${CONDITION_NAMES.sinceImagePulled} only archives images: ECR rejects it with the expire action. ` +
            "Archive them instead (action \"archive\", a transition to archive), then expire them from the archive with " +
            `${CONDITION_NAMES.sinceImageTransitioned}; or expire by age with ${CONDITION_NAMES.sinceImagePushed}.`);
    }
    if (rule.action.type === "transition") {
        if (archived) {
            problems.add(locate(index, "action"),
                "these images are already archived and cannot be archived again: use action \"expire\", or select storageClass \"standard\".");
        }
    } else if (countType === "sinceImageTransitioned" && Number.isInteger(countNumber) &&
        countNumber < MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY) {
        problems.add(locate(index, "countNumber"),
            `is ${countNumber}, but ECR keeps archived images at least ${MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY} days before they may expire: ` +
            `use ${MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY} or more.`);
    }
}

/** ECR evaluates an "any" rule last; a lower priority would let it act on images the tagged rules mean to keep. */
function checkAnyRuleIsLast(rules: PolicyRule[], locate: RuleLocator, problems: ProblemList): void {
    rules.forEach((rule, index) => {
        if (rule.selection.tagStatus !== "any") {
            return;
        }
        // A second "any" rule of the same storage class is refused on its own: comparing the two would only
        // ask the user to raise a priority that merging the rules makes moot.
        const later = rules.findIndex((other, otherIndex) =>
            otherIndex !== index && storageClassOf(other) === storageClassOf(rule) && other.selection.tagStatus !== "any" &&
            other.rulePriority >= rule.rulePriority);
        if (later !== -1) {
            problems.add(locate(index, "rulePriority"),
                `a rule that selects "any" image must be evaluated last, so its rulePriority (${rule.rulePriority}) must be higher than ` +
                `every other rule's, but ${locate(later, "rulePriority")} is ${rules[later].rulePriority}: ` +
                "raise it, or leave it out to have the rule placed last.");
        }
    });
}

/** ECR's quota of rules per policy. */
export function checkRuleCount(count: number, propertyPath: string, problems: ProblemList): void {
    if (count > MAX_RULES_PER_POLICY) {
        problems.add(propertyPath, `has ${count} rules, but ECR allows at most ${MAX_RULES_PER_POLICY} per policy (a quota that cannot be raised): ` +
            "merge rules that select alike.");
    }
}

/**
 * Checks the policy text against ECR's length bounds. It must be the very text ECR receives (what the
 * component emits, or the file the CLI reads), not a re-serialisation: whitespace counts.
 */
export function checkPolicyText(text: string, propertyPath: string, problems: ProblemList): void {
    if (text.length > POLICY_TEXT_MAX_LENGTH) {
        problems.add(propertyPath, `the policy JSON is ${text.length} characters, but ECR accepts at most ${POLICY_TEXT_MAX_LENGTH}: ` +
            "merge rules or shorten their descriptions.");
    } else if (text.length < POLICY_TEXT_MIN_LENGTH) {
        problems.add(propertyPath, `the policy JSON is ${text.length} characters, but ECR needs at least ${POLICY_TEXT_MIN_LENGTH}: ` +
            "add a rule or a description.");
    }
}

/**
 * The trap of multi-entry tag lists: ECR selects the images that carry a tag for every entry, while most
 * readers expect any. One note per such list, at the path `locate` gives; nothing is wrong with the policy,
 * it may just not mean what was meant.
 */
export function multiEntryListNotes(rules: readonly PolicyRule[], locate: RuleLocator): string[] {
    const notes: string[] = [];
    rules.forEach((rule, index) => {
        const { tagPrefixList, tagPatternList } = rule.selection;
        const list = tagPrefixList ?? tagPatternList;
        if (list === undefined || list.length < 2) {
            return;
        }
        const listName = tagPrefixList !== undefined ? "tagPrefixList" : "tagPatternList";
        const each = tagPrefixList !== undefined ? "a tag starting with each of" : "a tag matching each of";
        notes.push(`${locate(index, { list: listName })} has ${list.length} entries: it selects only images that have ${each} ` +
            `${list.map((entry) => JSON.stringify(entry)).join(", ")} (AND, not OR). If you meant images with any of them, ` +
            "write one rule per entry.");
    });
    return notes;
}

// ---- Raw documents (parsed JSON from a file or from ECR) ----------------------------------------

const RULE_KEYS = new Set(["rulePriority", "description", "selection", "action"]);
const SELECTION_KEYS = new Set(["tagStatus", "tagPatternList", "tagPrefixList", "storageClass", "countType", "countUnit", "countNumber"]);
const ACTION_KEYS = new Set(["type", "targetStorageClass"]);

const POLICY_FIELD_OWNER = "an ECR lifecycle policy";

/** Whether `value` is one of the names of a vocabulary list (`TAG_STATUSES`, ...). */
export function isOneOf<Name extends string>(names: readonly Name[], value: unknown): value is Name {
    return (names as readonly unknown[]).includes(value);
}

function checkOneOf(value: unknown, allowed: readonly string[], path: string, problems: ProblemList): boolean {
    if (isOneOf(allowed, value)) {
        return true;
    }
    problems.add(path, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, but is ${describeValue(value)}.`);
    return false;
}

function checkStringList(value: unknown, path: string, problems: ProblemList): boolean {
    if (isStringList(value)) {
        return true;
    }
    problems.add(path, `must be a list of strings, but is ${describeValue(value)}.`);
    return false;
}

/** Checks the shape of one raw rule; returns whether it is sound enough for the semantic checks. */
function checkRawRule(raw: unknown, path: string, problems: ProblemList): raw is PolicyRule {
    if (!isRecord(raw)) {
        problems.add(path, `must be an object with rulePriority, selection and action, but is ${describeValue(raw)}.`);
        return false;
    }
    const before = problems.problems.length;
    checkKnownKeys(raw, RULE_KEYS, path, POLICY_FIELD_OWNER, problems);
    if (typeof raw.rulePriority !== "number") {
        problems.add(joinPath(path, "rulePriority"), `is required and must be a number, but is ${describeValue(raw.rulePriority)}.`);
    }
    if (raw.description !== undefined && typeof raw.description !== "string") {
        problems.add(joinPath(path, "description"), `must be a string, but is ${describeValue(raw.description)}.`);
    }
    const selectionPath = joinPath(path, "selection");
    const selection = raw.selection;
    if (!isRecord(selection)) {
        problems.add(selectionPath, `is required and must be an object, but is ${describeValue(selection)}.`);
    } else {
        checkKnownKeys(selection, SELECTION_KEYS, selectionPath, POLICY_FIELD_OWNER, problems);
        checkOneOf(selection.tagStatus, TAG_STATUSES, joinPath(selectionPath, "tagStatus"), problems);
        for (const list of ["tagPrefixList", "tagPatternList"]) {
            if (selection[list] !== undefined) {
                checkStringList(selection[list], joinPath(selectionPath, list), problems);
            }
        }
        if (selection.storageClass !== undefined) {
            checkOneOf(selection.storageClass, STORAGE_CLASSES, joinPath(selectionPath, "storageClass"), problems);
        }
        if (checkOneOf(selection.countType, COUNT_TYPES, joinPath(selectionPath, "countType"), problems)) {
            const byDays = selection.countType !== "imageCountMoreThan";
            if (byDays && selection.countUnit !== "days") {
                problems.add(joinPath(selectionPath, "countUnit"), `must be "days" with countType "${selection.countType}", but is ${describeValue(selection.countUnit)}.`);
            } else if (!byDays && selection.countUnit !== undefined) {
                problems.add(joinPath(selectionPath, "countUnit"), "must be left out with countType \"imageCountMoreThan\", which counts images, not days.");
            }
        }
        if (typeof selection.countNumber !== "number") {
            problems.add(joinPath(selectionPath, "countNumber"), `is required and must be a number, but is ${describeValue(selection.countNumber)}.`);
        }
    }
    const actionPath = joinPath(path, "action");
    const action = raw.action;
    if (!isRecord(action)) {
        problems.add(actionPath, `is required and must be an object such as {"type":"expire"}, but is ${describeValue(action)}.`);
    } else {
        checkKnownKeys(action, ACTION_KEYS, actionPath, POLICY_FIELD_OWNER, problems);
        if (checkOneOf(action.type, POLICY_ACTION_TYPES, joinPath(actionPath, "type"), problems)) {
            if (action.type === "transition" && action.targetStorageClass !== "archive") {
                problems.add(joinPath(actionPath, "targetStorageClass"), `must be "archive" for a transition, but is ${describeValue(action.targetStorageClass)}.`);
            } else if (action.type === "expire" && action.targetStorageClass !== undefined) {
                problems.add(joinPath(actionPath, "targetStorageClass"), "only applies to a transition: remove it from an expire action.");
            }
        }
    }
    return problems.problems.length === before;
}

/** The field paths of a raw document, which reports against itself. */
function locateInDocument(basePath: string): RuleLocator {
    return (ruleIndex, field) => {
        const rule = joinPath(joinPath(basePath, "rules"), ruleIndex);
        if (typeof field === "object") {
            const list = joinPath(joinPath(rule, "selection"), field.list);
            return field.index === undefined ? list : joinPath(list, field.index);
        }
        if (field === "countNumber" || field === "countType") {
            return joinPath(rule, `selection.${field}`);
        }
        return joinPath(rule, field);
    };
}

/**
 * Reads a policy document from parsed JSON (a `buildPolicy` result, a file, or ECR's
 * `lifecyclePolicyText`) and applies every check `buildPolicy` applies; returns a plain copy. Throws
 * `ValidationError`. The length limit is checked on the compact JSON of `raw`; when you have the text ECR receives, use
 * `parsePolicyText`, which checks that text itself.
 */
export function parsePolicyDocument(raw: unknown, basePath = ""): PolicyDocument {
    return readDocument(raw, basePath, () => JSON.stringify(raw));
}

/**
 * Reads a policy from its text, exactly as `PutLifecyclePolicy` would receive it (a file, or ECR's
 * `lifecyclePolicyText`): invalid JSON and a text beyond ECR's length limit are problems like any other.
 */
export function parsePolicyText(text: string, basePath = ""): PolicyDocument {
    const problems = new ProblemList();
    if (typeof text !== "string") {
        problems.add(basePath || "policy", `must be the policy JSON as a string, but is ${describeValue(text)}.`);
        problems.throwIfAny("The lifecycle policy");
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        problems.add(basePath || "policy", `is not valid JSON: ${(error as Error).message}.`);
        problems.throwIfAny("The lifecycle policy");
    }
    return readDocument(raw, basePath, () => text);
}

function readDocument(raw: unknown, basePath: string, textOf: () => string): PolicyDocument {
    const problems = new ProblemList();
    const rulesPath = joinPath(basePath, "rules");
    if (!isRecord(raw) || !Array.isArray(raw.rules)) {
        problems.add(rulesPath, `a lifecycle policy is an object with a "rules" list, but got ${describeValue(raw)}.`);
        problems.throwIfAny("The lifecycle policy");
    }
    checkKnownKeys(raw as Record<string, unknown>, new Set(["rules"]), basePath, POLICY_FIELD_OWNER, problems);
    // Array.from reads holes as undefined (reported below) and works on arrays without Array.prototype.
    const rules = Array.from((raw as { rules: ArrayLike<unknown> }).rules);
    if (rules.length === 0) {
        problems.add(rulesPath, "must contain at least one rule.");
    }
    checkRuleCount(rules.length, rulesPath, problems);
    // Every rule is checked (no short-circuit), so one malformed rule does not hide the problems of the next.
    let sound = true;
    for (let index = 0; index < rules.length; index++) {
        sound = checkRawRule(rules[index], joinPath(rulesPath, index), problems) && sound;
    }
    if (sound && rules.length > 0) {
        checkPolicyRules(rules as PolicyRule[], locateInDocument(basePath), problems);
        checkPolicyText(textOf(), rulesPath, problems);
    }
    problems.throwIfAny("The lifecycle policy");
    // A plain copy: the checked values are all JSON, and a copy cannot carry odd prototypes or later edits.
    return JSON.parse(JSON.stringify(raw)) as PolicyDocument;
}

/** The notes `multiEntryListNotes` gives, at the paths of a policy document. */
export function policyNotes(document: PolicyDocument): string[] {
    return multiEntryListNotes(document.rules, locateInDocument(""));
}
