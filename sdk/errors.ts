/**
 * One broken input: where it is (`lifeCyclePolicyArgs.rules[2].selection`) and what is wrong with it,
 * phrased so that the reader knows how to fix it. The shape matches Pulumi's `InputPropertyErrorDetails`
 * so that the components can hand the list to the engine unchanged.
 */
export interface ValidationProblem {
    propertyPath: string;
    reason: string;
}

/**
 * Thrown by the pure validators (lifecycle policy, repository settings, image arguments). It carries every
 * problem found, not just the first, so a user fixes their program in one round trip. The components
 * rethrow it as `pulumi.InputPropertiesError`; this module stays free of Pulumi so the logic can be used
 * (and tested) without a Pulumi runtime.
 */
export class ValidationError extends Error {
    readonly problems: ValidationProblem[];

    constructor(subject: string, problems: ValidationProblem[]) {
        super(`${subject} has ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}:\n` +
            problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`).join("\n"));
        this.name = "ValidationError";
        this.problems = problems;
    }

    /** Works across copies of this module (a program and the provider may load different ones). */
    static isInstance(value: unknown): value is ValidationError {
        return value instanceof Error && value.name === "ValidationError" && Array.isArray((value as any).problems);
    }
}

/** Collects problems under a path prefix and throws them together. */
export class ProblemList {
    readonly problems: ValidationProblem[] = [];

    add(propertyPath: string, reason: string): void {
        this.problems.push({ propertyPath, reason });
    }

    throwIfAny(subject: string): void {
        if (this.problems.length > 0) {
            throw new ValidationError(subject, this.problems);
        }
    }
}

/** Joins property path segments the way Pulumi prints them: `a.b[2].c`. */
export function joinPath(prefix: string, segment: string | number): string {
    if (typeof segment === "number") {
        return `${prefix}[${segment}]`;
    }
    return prefix === "" ? segment : `${prefix}.${segment}`;
}

/** Renders a value for an error message without dumping whole objects. */
export function describeValue(value: unknown): string {
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    if (value === undefined) {
        return "nothing";
    }
    if (typeof value === "bigint") {
        return `the BigInt ${value}n`;
    }
    let json: string | undefined;
    try {
        json = JSON.stringify(value, withoutCycles());
    } catch {
        // A getter or toJSON that throws, or a BigInt deep inside: the message must still be built.
        json = undefined;
    }
    if (json === undefined) {
        return typeof value === "object" && value !== null ? "an object that cannot be shown as JSON" : String(value);
    }
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** A JSON.stringify replacer that writes "[cycle]" where an object contains itself, instead of throwing. */
function withoutCycles(): (this: unknown, key: string, value: unknown) => unknown {
    const ancestors: unknown[] = [];
    return function (this: unknown, _key: string, value: unknown) {
        if (typeof value === "bigint") {
            return `${value}n`;
        }
        if (typeof value !== "object" || value === null) {
            return value;
        }
        // `this` is the object holding `value`: drop the ancestors that are not on its path.
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) {
            ancestors.pop();
        }
        if (ancestors.includes(value)) {
            return "[cycle]";
        }
        ancestors.push(value);
        return value;
    };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reports every field of `value` that is not `known`: a misspelt field is a mistake to fix, never something
 * to ignore. `owner` names what the field would belong to, e.g. "a lifecycle rule".
 */
export function checkKnownKeys(value: Record<string, unknown>, known: ReadonlySet<string>, path: string, owner: string, problems: ProblemList): void {
    for (const key of Object.keys(value)) {
        if (!known.has(key) && value[key] !== undefined) {
            problems.add(joinPath(path, key), `is not a field of ${owner}; use one of ${[...known].join(", ")}.`);
        }
    }
}

/**
 * Whether `value` is a list of strings with no holes: a sparse array or a hole read as `undefined`, which
 * `every` would skip, counts as not a string.
 */
export function isStringList(value: unknown): value is string[] {
    if (!Array.isArray(value)) {
        return false;
    }
    for (let index = 0; index < value.length; index++) {
        if (typeof value[index] !== "string") {
            return false;
        }
    }
    return true;
}
