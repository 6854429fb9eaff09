import type { Unwrap } from "@pulumi/pulumi";
import type { RepositoryArgs, RepositoryEncryption } from "../repository";
import { buildRepositoryPolicy } from "./access";
import { boolean, checkShape, object, oneOf, Shape, string } from "./argument-shapes";
import { checkKnownKeys, describeValue, isRecord, joinPath, ProblemList, ValidationError } from "./errors";
import { isKnown, Known, UNKNOWN } from "./known";
import { DEFAULT_IMAGE_TAG_MUTABILITY, IMAGE_TAG_MUTABILITIES, isImageTagMutability, MUTABILITIES_WITH_EXCLUSION } from "./tag-mutability";
import { translatePolicy } from "../lifecycle/policy";
import { countWildcards } from "../lifecycle/tag-pattern";

/** A `Repository`'s arguments as far as they are known now; unknown ones are `UNKNOWN`, and misspelt ones kept to be reported. */
export type RepositorySettingsView = { [K in keyof RepositoryArgs]?: Known<Unwrap<RepositoryArgs[K]>> };

/** Every `Repository` argument; the compiler holds it to `RepositoryArgs`, and the schema test the schema. */
const REPOSITORY_ARGUMENTS = {
    name: true, forceDelete: true, imageTagMutability: true, imageTagMutabilityExclusionFilters: true, scanOnPush: true,
    encryption: true, tags: true, region: true, lifeCyclePolicyArgs: true, access: true,
} as const satisfies Record<keyof RepositoryArgs, true>;

/** What the checks derive from the settings, ready for the child resources. */
export interface CheckedRepositorySettings {
    /** The exact lifecycle policy JSON; `undefined` when skipped, `UNKNOWN` when the rules are not known yet. */
    lifecyclePolicyText: Known<string | undefined>;
    /** Lifecycle rules that may not mean what they seem to (a multi-entry tag list means AND), for a warning. */
    lifecyclePolicyNotes: string[];
    /** The repository policy JSON; `undefined` when `access` grants nothing. */
    repositoryPolicyText: Known<string | undefined>;
    /** No rules given (nor skip): the default policy applies. False while the lifecycle arguments are not known. */
    usesDefaultLifecyclePolicy: boolean;
}

/** ECR's repository name grammar (CreateRepository API reference). */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_NAME_MIN = 2;
const REPOSITORY_NAME_MAX = 256;
/** Pulumi auto-naming appends "-" and seven hex characters. */
const AUTONAME_SUFFIX = "-0000000";
const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
const MAX_EXCLUSION_FILTERS = 5;
const MAX_WILDCARDS_PER_EXCLUSION_FILTER = 2;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export function isRepositoryName(name: string): boolean {
    return name.length >= REPOSITORY_NAME_MIN && name.length <= REPOSITORY_NAME_MAX && REPOSITORY_NAME.test(name);
}

/** The name the repository child gets when `name` is left out; Pulumi adds a random suffix to it. */
export function autoNameBase(resourceName: string): string {
    return resourceName.toLowerCase();
}

/** Whether a repository left unnamed can take its name from this resource name. */
export function canAutoName(resourceName: string): boolean {
    return typeof resourceName === "string" && isRepositoryName(autoNameBase(resourceName) + AUTONAME_SUFFIX);
}

function checkName(view: RepositorySettingsView, resourceName: string, problems: ProblemList): void {
    const { name } = view;
    if (name === undefined) {
        if (!canAutoName(resourceName)) {
            problems.add("name", `is not given, and the resource name ${describeValue(resourceName)} cannot be made into an ECR repository name ` +
                "(lowercase letters, digits, and \".\", \"_\", \"-\" or \"/\" between them): pass name explicitly.");
        }
    } else if (isKnown(name) && (typeof name !== "string" || !isRepositoryName(name))) {
        problems.add("name", `must be ${REPOSITORY_NAME_MIN} to ${REPOSITORY_NAME_MAX} characters of lowercase letters and digits, separated by ` +
            `single ".", "_", "-" or "/" (for example "team/app"), but is ${describeValue(name)}.`);
    }
}

function checkMutability(view: RepositorySettingsView, problems: ProblemList): void {
    const { imageTagMutability: mutability, imageTagMutabilityExclusionFilters: filters } = view;
    if (mutability !== undefined && isKnown(mutability) && !isImageTagMutability(mutability)) {
        problems.add("imageTagMutability", `must be one of ${IMAGE_TAG_MUTABILITIES.join(", ")}, but is ${describeValue(mutability)}.`);
        return;
    }
    const mode = mutability ?? DEFAULT_IMAGE_TAG_MUTABILITY;
    if (!isKnown(mode) || filters === UNKNOWN) {
        return;
    }
    if (!MUTABILITIES_WITH_EXCLUSION.includes(mode)) {
        if (filters !== undefined) {
            problems.add("imageTagMutabilityExclusionFilters",
                `only apply with ${MUTABILITIES_WITH_EXCLUSION.join(" or ")}, but imageTagMutability is ${mutability === undefined ? `${mode} (the default)` : mode}: ` +
                "remove the filters, or choose a *_WITH_EXCLUSION mode.");
        }
        return;
    }
    if (!Array.isArray(filters) || filters.length === 0 || filters.length > MAX_EXCLUSION_FILTERS) {
        problems.add("imageTagMutabilityExclusionFilters",
            `${mode} needs 1 to ${MAX_EXCLUSION_FILTERS} wildcard filters naming the tags that are the exception (for example ["latest"]), ` +
            `but got ${describeValue(filters)}.`);
        return;
    }
    filters.forEach((filter, index) => {
        const path = joinPath("imageTagMutabilityExclusionFilters", index);
        if (typeof filter !== "string" || !EXCLUSION_FILTER.test(filter)) {
            problems.add(path, `must be 1 to 128 characters of letters, digits, ".", "_", "-" and "*", but is ${describeValue(filter)}.`);
        } else if (countWildcards(filter) > MAX_WILDCARDS_PER_EXCLUSION_FILTER) {
            problems.add(path, `has ${countWildcards(filter)} wildcards, but ECR allows at most ${MAX_WILDCARDS_PER_EXCLUSION_FILTER} "*" per filter.`);
        }
    });
}

const ENCRYPTION_SHAPE = object("encryption", { type: oneOf("AES256", "KMS"), kmsKey: string({ nonEmpty: true }) } satisfies Record<keyof RepositoryEncryption, Shape>,
    '{ type: "KMS", kmsKey: "arn:aws:kms:..." }');

/** Parts of `encryption` may be unknown still (`UNKNOWN`); ECR cannot change it later, so every known part is checked now. */
function checkEncryption(encryption: RepositorySettingsView["encryption"], problems: ProblemList): void {
    if (encryption === undefined || !isKnown(encryption)) {
        return;
    }
    const before = problems.problems.length;
    checkShape(encryption, ENCRYPTION_SHAPE, "encryption", problems);
    if (problems.problems.length > before) {
        return;
    }
    const type = encryption.type ?? "AES256";
    if (encryption.kmsKey !== undefined && isKnown(type as Known<string>) && type !== "KMS") {
        problems.add("encryption.kmsKey", "is only used with KMS encryption: set encryption.type to \"KMS\", or remove kmsKey.");
    }
}

function checkPlainTypes(view: RepositorySettingsView, problems: ProblemList): void {
    for (const flag of ["forceDelete", "scanOnPush"] as const) {
        checkShape(view[flag], boolean, flag, problems);
    }
    const { tags, region } = view;
    if (tags !== undefined && isKnown(tags)) {
        if (!isRecord(tags)) {
            problems.add("tags", `must be a map of tag names to string values, but is ${describeValue(tags)}.`);
        } else {
            for (const [key, value] of Object.entries(tags)) {
                if (typeof value !== "string" && isKnown(value)) {
                    problems.add(joinPath("tags", key), `must be a string, but is ${describeValue(value)}.`);
                }
            }
        }
    }
    if (region !== undefined && isKnown(region) && (typeof region !== "string" || !REGION.test(region))) {
        problems.add("region", `must be an AWS region code such as "us-east-1", but is ${describeValue(region)}.`);
    }
}

/**
 * Checks a `Repository`'s settings and derives its policies. Throws `ValidationError` with every problem;
 * settings that are `UNKNOWN` are skipped here and checked again by the component once they resolve.
 */
export function checkRepositorySettings(resourceName: string, view: RepositorySettingsView): CheckedRepositorySettings {
    const problems = new ProblemList();
    checkKnownKeys(view, REPOSITORY_ARGUMENTS, "", "Repository", problems, "an argument");
    checkName(view, resourceName, problems);
    checkMutability(view, problems);
    checkEncryption(view.encryption, problems);
    checkPlainTypes(view, problems);

    let repositoryPolicyText: Known<string | undefined> = UNKNOWN;
    if (isKnown(view.access)) {
        repositoryPolicyText = buildRepositoryPolicy(view.access, "access", problems);
    }
    let lifecyclePolicyText: Known<string | undefined> = UNKNOWN;
    let lifecyclePolicyNotes: string[] = [];
    let usesDefaultLifecyclePolicy = false;
    const lifecycle = view.lifeCyclePolicyArgs;
    if (isKnown(lifecycle)) {
        try {
            const policy = translatePolicy(lifecycle, "lifeCyclePolicyArgs");
            lifecyclePolicyText = policy?.text;
            lifecyclePolicyNotes = policy?.notes ?? [];
            usesDefaultLifecyclePolicy = lifecycle?.rules === undefined && lifecycle?.skip !== true;
        } catch (error) {
            if (!ValidationError.isInstance(error)) {
                throw error;
            }
            problems.problems.push(...error.problems);
        }
    }
    problems.throwIfAny(`Repository "${resourceName}"`);
    return { lifecyclePolicyText, lifecyclePolicyNotes, repositoryPolicyText, usesDefaultLifecyclePolicy };
}
