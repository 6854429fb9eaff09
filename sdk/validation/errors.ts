/**
 * One broken input: where it is (`lifeCyclePolicyArgs.rules[2].selection`) and what is wrong with it,
 * phrased so that the reader knows how to fix it. The shape matches Pulumi's `InputPropertyErrorDetails`
 * so that the components can hand the list to the engine unchanged.
 */
export interface ValidationProblem {
    /** Where the broken input is, as Pulumi prints paths: `lifeCyclePolicyArgs.rules[2].selection`. */
    propertyPath: string;
    /** What is wrong with it and how to fix it. */
    reason: string;
}

/**
 * Thrown by the pure validators (lifecycle policy, repository settings, image arguments) and by the components
 * for every input they refuse. It carries every problem found, not just the first, so a user fixes their
 * program in one round trip. The components rethrow it as `pulumi.InputPropertiesError` (`invalidInputs` in
 * sdk/inputs.ts, the one conversion); this module stays free of Pulumi so the logic can be used (and tested)
 * without a Pulumi runtime.
 */
export class ValidationError extends Error {
    /** What the problems belong to: `Repository "app"`, `The lifecycle policy`. */
    readonly subject: string;
    /** Every problem found, in the order the checks found them. */
    readonly problems: ValidationProblem[];

    constructor(subject: string, problems: ValidationProblem[]) {
        super(listProblems(subject, problems));
        this.name = "ValidationError";
        this.subject = subject;
        this.problems = problems;
    }

    /** The message's first line, `<subject> has N problems`: what stands above a list that is shown elsewhere. */
    get headline(): string {
        return headlineOf(this.subject, this.problems.length);
    }

    /**
     * The message with at most `maxProblems` problems listed and a count of the rest: a terminal needs the
     * first few of what can be thousands (one per bad image).
     */
    format(options: { maxProblems?: number } = {}): string {
        return listProblems(this.subject, this.problems, options.maxProblems);
    }

    /** Works across copies of this module (a program and the provider may load different ones). */
    static isInstance(value: unknown): value is ValidationError {
        return value instanceof Error && value.name === "ValidationError" && Array.isArray((value as any).problems);
    }
}

function headlineOf(subject: string, count: number): string {
    return `${subject} has ${count === 1 ? "1 problem" : `${count} problems`}`;
}

/** `<subject> has N problems:` and a line per problem, up to `maxProblems` of them. */
function listProblems(subject: string, problems: ValidationProblem[], maxProblems = problems.length): string {
    const shown = problems.slice(0, maxProblems).map((p) => `  - ${p.propertyPath}: ${p.reason}`);
    const hidden = problems.length - shown.length;
    return [`${headlineOf(subject, problems.length)}:`, ...shown, ...(hidden > 0 ? [`  ... and ${hidden} more`] : [])].join("\n");
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

/**
 * How much of a string a message quotes: every valid name, tag or URL whole (ECR names go to 256), never
 * enough to bloat an error (gRPC caps the headers that carry it at 8 KB). Objects are summarised sooner.
 */
const MAX_QUOTED_CHARACTERS = 300;
const MAX_OBJECT_CHARACTERS = 60;

/** `text` itself when short, otherwise its first characters and its length. */
export function clipText(text: string, max = MAX_QUOTED_CHARACTERS): string {
    return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/**
 * Values that arrived as secrets, while a check of them runs. The checks are synchronous, so a module-level
 * set scoped by `withSecretValues` is enough; `describeValue` prints `[secret]` for any of them.
 */
let secretValues: ReadonlyArray<string | number | boolean> = [];

/** Runs `check` with `secrets` masked in every message it builds. */
export function withSecretValues<T>(secrets: ReadonlyArray<string | number | boolean>, check: () => T): T {
    const outer = secretValues;
    secretValues = [...outer, ...secrets];
    try {
        return check();
    } finally {
        secretValues = outer;
    }
}

/** The strings, numbers and booleans inside a value: what of a secret must not be printed. */
export function leavesOf(value: unknown): Array<string | number | boolean> {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return [value];
    }
    return typeof value === "object" && value !== null ? Object.values(value).flatMap(leavesOf) : [];
}

/** A part of a secret is as secret as the whole: a host cut from a secret URL must not show either. */
function revealsSecret(value: unknown): boolean {
    if (secretValues.length === 0) {
        return false;
    }
    if (typeof value === "string") {
        return secretValues.some((secret) => secret === value || (typeof secret === "string" &&
            ((value.length >= 3 && secret.includes(value)) || (secret.length >= 3 && value.includes(secret)))));
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return secretValues.includes(value);
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).some(revealsSecret);
    }
    return false;
}

/** Renders a value for an error message without dumping whole objects, long strings or secrets. */
export function describeValue(value: unknown): string {
    if (revealsSecret(value)) {
        return "[secret]";
    }
    if (typeof value === "string") {
        return value.length <= MAX_QUOTED_CHARACTERS ? JSON.stringify(value)
            : `${JSON.stringify(value.slice(0, MAX_QUOTED_CHARACTERS))}... (${value.length} characters)`;
    }
    if (value === undefined) {
        return "nothing";
    }
    if (value === null) {
        return "null";
    }
    if (typeof value === "bigint") {
        return `the BigInt ${value}n`;
    }
    if (typeof value === "symbol" || typeof value === "function") {
        return String(value);
    }
    let json: string | undefined;
    try {
        json = JSON.stringify(value, withoutCycles());
    } catch {
        // A getter or toJSON that throws: the message must still be built.
        json = undefined;
    }
    if (json === undefined) {
        return Object.prototype.toString.call(value);
    }
    return json.length > MAX_OBJECT_CHARACTERS ? `${json.slice(0, MAX_OBJECT_CHARACTERS - 3)}...` : json;
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
 * to ignore. The one unknown-key check, at every depth: `owner` names what the field would belong to, e.g.
 * "a lifecycle rule", and `kind` what it is called there ("an argument" of a component). `knownFields`: the
 * names, or a record keyed by them (one that `satisfies Record<keyof SomeArgs, true>`).
 */
export function checkKnownKeys(value: Record<string, unknown>, knownFields: ReadonlySet<string> | Readonly<Record<string, true>>, path: string,
    owner: string, problems: ProblemList, kind = "a field"): void {
    const known: ReadonlySet<string> = knownFields instanceof Set ? knownFields : new Set(Object.keys(knownFields));
    for (const key of Object.keys(value)) {
        if (!known.has(key) && value[key] !== undefined && value[key] !== null) {
            const likely = [...known].find((candidate) => resembles(key, candidate));
            problems.add(joinPath(path, clipText(key)), `is not ${kind} of ${owner}; use one of ${[...known].join(", ")}` +
                (likely !== undefined ? ` (did you mean ${likely}?)` : "") + ".");
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

/**
 * A misspelling worth naming: the same letters in another case, one name extending the other (kmsKeyId for
 * kmsKey), or one or two letters off (pasword).
 */
function resembles(given: string, known: string): boolean {
    const a = given.toLowerCase();
    const b = known.toLowerCase();
    return a === b || (b.length >= 3 && a.startsWith(b)) || (a.length >= 3 && b.startsWith(a)) ||
        (Math.min(a.length, b.length) >= 4 && editDistance(a, b) <= (b.length >= 8 ? 2 : 1));
}

function editDistance(a: string, b: string): number {
    if (Math.abs(a.length - b.length) > 2) {
        return 3;
    }
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
