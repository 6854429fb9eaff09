import { checkKnownKeys, describeValue, isRecord, isStringList, joinPath, ProblemList } from "../validation/errors";
import { checkPolicyRules, checkPolicyText, checkRuleCount, isOneOf, multiEntryListNotes, RuleLocator } from "./document";
import {
    CountType,
    LIFECYCLE_ACTIONS,
    LifecyclePolicyArgs,
    LifecycleRule,
    PolicyDocument,
    PolicyRule,
    PolicySelection,
    STORAGE_CLASSES,
    TAG_STATUSES,
    TagStatus,
} from "./types";

/**
 * The default policy: keep at most one untagged image. Tagged images are never touched by default.
 * Frozen all the way down: a caller editing the exported constant would otherwise change every later default.
 */
export const DEFAULT_POLICY: PolicyDocument = Object.freeze({
    rules: Object.freeze([Object.freeze({
        rulePriority: 1,
        description: "remove untagged images",
        selection: Object.freeze({ tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }),
        action: Object.freeze({ type: "expire" }),
    })]),
}) as PolicyDocument;

/** Friendly condition field → ECR count type, in the order they are documented. */
const CONDITIONS: ReadonlyArray<readonly [keyof LifecycleRule, CountType]> = [
    ["maximumNumberOfImages", "imageCountMoreThan"],
    ["maximumAgeLimit", "sinceImagePushed"],
    ["maximumDaysSinceLastPull", "sinceImagePulled"],
    ["maximumDaysInArchive", "sinceImageTransitioned"],
];

const RULE_KEYS = new Set<string>(["selection", "action", "description", "rulePriority", ...CONDITIONS.map(([key]) => key)]);
const SELECTION_KEYS = new Set(["tagStatus", "tagPrefixList", "tagPatternList", "storageClass"]);

/** A friendly rule translated, remembering where it came from so problems point at what the user wrote. */
interface TranslatedRule {
    rule: Omit<PolicyRule, "rulePriority"> & { rulePriority?: number };
    sourceIndex: number;
    conditionKey: string;
    /** `"tagged"` written as a string: its implied pattern list has no path of its own. */
    selectionIsString: boolean;
}

function translateSelection(raw: unknown, path: string, problems: ProblemList): Omit<PolicySelection, "countType" | "countNumber"> | undefined {
    if (typeof raw === "string") {
        if (!isOneOf(TAG_STATUSES, raw)) {
            problems.add(path, `must be "untagged", "any", "tagged" or an object with tagPrefixList or tagPatternList, but is ${describeValue(raw)}.`);
            return undefined;
        }
        return raw === "tagged" ? { tagStatus: "tagged", tagPatternList: ["*"] } : { tagStatus: raw };
    }
    if (!isRecord(raw)) {
        problems.add(path, `is required: "untagged", "any", "tagged" or an object with tagPrefixList or tagPatternList, but is ${describeValue(raw)}.`);
        return undefined;
    }
    const before = problems.problems.length;
    checkKnownKeys(raw, SELECTION_KEYS, path, "a selection", problems);
    for (const list of ["tagPrefixList", "tagPatternList"]) {
        const value = raw[list];
        if (value !== undefined && !isStringList(value)) {
            problems.add(joinPath(path, list), `must be a list of strings, but is ${describeValue(value)}.`);
        }
    }
    if (raw.storageClass !== undefined && !isOneOf(STORAGE_CLASSES, raw.storageClass)) {
        problems.add(joinPath(path, "storageClass"), `must be "standard" or "archive", but is ${describeValue(raw.storageClass)}.`);
    }
    const hasList = raw.tagPrefixList !== undefined || raw.tagPatternList !== undefined;
    let tagStatus = raw.tagStatus as TagStatus | undefined;
    if (tagStatus !== undefined && !isOneOf(TAG_STATUSES, tagStatus)) {
        problems.add(joinPath(path, "tagStatus"), `must be "untagged", "any" or "tagged", but is ${describeValue(tagStatus)}.`);
    } else if (tagStatus === undefined && !hasList) {
        problems.add(path, "selects nothing: give tagPrefixList or tagPatternList, or a tagStatus of \"untagged\", \"any\" or \"tagged\".");
    }
    if (problems.problems.length > before) {
        return undefined;
    }
    tagStatus ??= "tagged";
    // `{ tagStatus: "tagged" }` without a list is left for checkPolicyRules to reject: widening it to every
    // tagged image (as the "tagged" string does) would silently act on far more images than a list meant to.
    const selection: Omit<PolicySelection, "countType" | "countNumber"> = { tagStatus };
    if (raw.tagPatternList !== undefined) {
        selection.tagPatternList = Array.from(raw.tagPatternList as string[]);
    }
    if (raw.tagPrefixList !== undefined) {
        selection.tagPrefixList = Array.from(raw.tagPrefixList as string[]);
    }
    if (raw.storageClass !== undefined) {
        selection.storageClass = raw.storageClass as PolicySelection["storageClass"];
    }
    return selection;
}

function translateRule(raw: unknown, sourceIndex: number, path: string, problems: ProblemList): TranslatedRule | undefined {
    if (!isRecord(raw)) {
        problems.add(path, `must be a rule object with a selection and one condition, but is ${describeValue(raw)}.`);
        return undefined;
    }
    const before = problems.problems.length;
    checkKnownKeys(raw, RULE_KEYS, path, "a lifecycle rule", problems);
    const selection = translateSelection(raw.selection, joinPath(path, "selection"), problems);

    const given = CONDITIONS.filter(([key]) => raw[key] !== undefined);
    if (given.length !== 1) {
        problems.add(path, given.length === 0
            ? "needs exactly one condition: maximumNumberOfImages, maximumAgeLimit, maximumDaysSinceLastPull or maximumDaysInArchive."
            : `has ${given.map(([key]) => key).join(" and ")}, but a rule takes exactly one condition: split it into one rule per condition.`);
    }
    for (const [key] of given) {
        if (typeof raw[key] !== "number") {
            problems.add(joinPath(path, key), `must be a number, but is ${describeValue(raw[key])}.`);
        }
    }
    if (raw.action !== undefined && !isOneOf(LIFECYCLE_ACTIONS, raw.action)) {
        problems.add(joinPath(path, "action"), `must be "expire" or "archive", but is ${describeValue(raw.action)}.`);
    }
    if (raw.description !== undefined && typeof raw.description !== "string") {
        problems.add(joinPath(path, "description"), `must be a string, but is ${describeValue(raw.description)}.`);
    }
    if (raw.rulePriority !== undefined && typeof raw.rulePriority !== "number") {
        problems.add(joinPath(path, "rulePriority"), `must be a number, but is ${describeValue(raw.rulePriority)}.`);
    }
    if (problems.problems.length > before || selection === undefined) {
        return undefined;
    }

    const [conditionKey, countType] = given[0];
    const rule: TranslatedRule["rule"] = {
        selection: {
            ...selection,
            countType,
            ...(countType === "imageCountMoreThan" ? {} : { countUnit: "days" as const }),
            countNumber: raw[conditionKey] as number,
        },
        action: raw.action === "archive" ? { type: "transition", targetStorageClass: "archive" } : { type: "expire" },
    };
    if (raw.rulePriority !== undefined) {
        rule.rulePriority = raw.rulePriority as number;
    }
    if (raw.description !== undefined) {
        rule.description = raw.description as string;
    }
    return { rule, sourceIndex, conditionKey, selectionIsString: typeof raw.selection === "string" };
}

/**
 * Numbers the rules as AWS CDK does: explicit priorities stay; the others follow the highest explicit one,
 * in list order; an "any" rule without one goes last, because ECR requires it to be evaluated last.
 */
function assignPriorities(translated: TranslatedRule[]): PolicyRule[] {
    const isAny = (t: TranslatedRule) => t.rule.selection.tagStatus === "any";
    const explicit = translated.map((t) => t.rule.rulePriority).filter((p): p is number => Number.isFinite(p));
    let next = Math.floor(Math.max(0, ...explicit)) + 1;
    for (const t of [...translated.filter((t) => !isAny(t)), ...translated.filter(isAny)]) {
        t.rule.rulePriority ??= next++;
    }
    // Key order matches ECR's documented template, so the JSON reads the way the ECR console shows it.
    return translated.map(({ rule }) => ({
        rulePriority: rule.rulePriority!,
        ...(rule.description !== undefined ? { description: rule.description } : {}),
        selection: orderSelectionKeys(rule.selection),
        action: rule.action,
    }));
}

function orderSelectionKeys(selection: PolicySelection): PolicySelection {
    const { tagStatus, tagPatternList, tagPrefixList, storageClass, countType, countUnit, countNumber } = selection;
    return JSON.parse(JSON.stringify({ tagStatus, tagPatternList, tagPrefixList, storageClass, countType, countUnit, countNumber }));
}

/** Points problems found in the ECR document back at the friendly rule fields the user wrote. */
function locateInFriendlyRules(basePath: string, translated: TranslatedRule[]): RuleLocator {
    return (ruleIndex, field) => {
        const { sourceIndex, conditionKey, selectionIsString } = translated[ruleIndex];
        const rule = joinPath(joinPath(basePath, "rules"), sourceIndex);
        const selection = joinPath(rule, "selection");
        if (typeof field === "object") {
            if (selectionIsString) {
                return selection;
            }
            const list = joinPath(selection, field.list);
            return field.index === undefined ? list : joinPath(list, field.index);
        }
        switch (field) {
            case "countNumber":
            case "countType": return joinPath(rule, conditionKey);
            case "selection": return selection;
            case "selection.tagStatus":
            case "selection.storageClass": return selectionIsString ? selection : joinPath(rule, field);
            default: return joinPath(rule, field);
        }
    };
}

/** A translated policy: the document, the exact text to give ECR, and notes on rules that may not mean what they seem to. */
export interface TranslatedPolicy {
    document: PolicyDocument;
    /** The JSON that ECR receives; its length is what ECR's limit applies to. */
    text: string;
    /** Traps that are not errors (such as a multi-entry tag list, which means AND), at the friendly paths. */
    notes: string[];
}

function translated(document: PolicyDocument, notes: string[] = []): TranslatedPolicy {
    return { document, text: JSON.stringify(document), notes };
}

/** Translates and validates; problems are reported under `basePath` (e.g. "lifeCyclePolicyArgs"). */
export function translatePolicy(args: LifecyclePolicyArgs | undefined, basePath: string): TranslatedPolicy | undefined {
    const problems = new ProblemList();
    if (args === undefined || args === null) {
        return translated(structuredClone(DEFAULT_POLICY));
    }
    if (!isRecord(args)) {
        problems.add(basePath || "lifeCyclePolicyArgs", `must be an object with rules and/or skip, but is ${describeValue(args)}.`);
        problems.throwIfAny("The lifecycle policy");
    }
    checkKnownKeys(args as Record<string, unknown>, new Set(["rules", "skip"]), basePath, "lifeCyclePolicyArgs", problems);
    const rulesPath = joinPath(basePath, "rules");
    const { rules, skip } = args as { rules?: unknown; skip?: unknown };
    if (skip !== undefined && typeof skip !== "boolean") {
        problems.add(joinPath(basePath, "skip"), `must be true or false, but is ${describeValue(skip)}.`);
    } else if (skip === true && rules !== undefined) {
        problems.add(rulesPath, "are given, but skip is true, so no policy would apply them: remove the rules, or remove skip.");
    }
    if (rules !== undefined && !Array.isArray(rules)) {
        problems.add(rulesPath, `must be a list of rules, but is ${describeValue(rules)}.`);
    } else if (rules !== undefined && rules.length === 0) {
        problems.add(rulesPath, "is empty: leave rules out for the default policy (keep one untagged image), or set skip: true for no policy.");
    }
    problems.throwIfAny("The lifecycle policy");
    if (skip === true) {
        return undefined;
    }
    if (rules === undefined) {
        return translated(structuredClone(DEFAULT_POLICY));
    }

    // Array.from reads holes as undefined, so that a sparse list reports its holes instead of skipping them.
    const rawRules = Array.from(rules as ArrayLike<unknown>);
    checkRuleCount(rawRules.length, rulesPath, problems);
    const sound: TranslatedRule[] = [];
    for (let index = 0; index < rawRules.length; index++) {
        const rule = translateRule(rawRules[index], index, joinPath(rulesPath, index), problems);
        if (rule !== undefined) {
            sound.push(rule);
        }
    }
    // Rules that are sound are still checked against each other, so one typo does not hide the rest.
    const policyRules = assignPriorities(sound);
    const locate = locateInFriendlyRules(basePath, sound);
    checkPolicyRules(policyRules, locate, problems);
    const result = translated({ rules: [...policyRules].sort((a, b) => a.rulePriority - b.rulePriority) },
        multiEntryListNotes(policyRules, locate));
    if (sound.length === rawRules.length) {
        checkPolicyText(result.text, rulesPath, problems);
    }
    problems.throwIfAny("The lifecycle policy");
    return result;
}

/**
 * Translates friendly lifecycle rules into an ECR lifecycle policy document, applying every check the
 * `Repository` applies. No rules gives the default policy (keep one untagged image); `skip: true` gives
 * `undefined`. Throws `ValidationError` listing every problem. Pure: no Pulumi needed.
 */
export function buildPolicy(args?: LifecyclePolicyArgs): PolicyDocument | undefined {
    return translatePolicy(args, "")?.document;
}
