// The shape every argument must have (a string, a list of strings, an object with these fields...), checked
// before anything registers. A value not known yet (`UNKNOWN`, at any depth) is skipped here and checked by
// the component once it resolves. Pure: no Pulumi.
import { checkKnownKeys, describeValue, isRecord, joinPath, ProblemList } from "./errors";
import { UNKNOWN } from "./known";

export type Shape =
    | { kind: "string"; nonEmpty?: boolean }
    | { kind: "boolean" }
    | { kind: "oneOf"; values: readonly string[] }
    | { kind: "list"; of: Shape; example: string }
    | { kind: "map"; of: Shape; example: string }
    | { kind: "object"; owner: string; fields: Readonly<Record<string, Shape>>; required?: readonly string[]; example: string }
    /** Anything: what another package (docker-build) checks itself. */
    | { kind: "any" };

export const string = (options: { nonEmpty?: boolean } = {}): Shape => ({ kind: "string", ...options });
export const boolean: Shape = { kind: "boolean" };
export const oneOf = (...values: string[]): Shape => ({ kind: "oneOf", values });
export const listOf = (of: Shape, example: string): Shape => ({ kind: "list", of, example });
export const mapOf = (of: Shape, example: string): Shape => ({ kind: "map", of, example });
export const anything: Shape = { kind: "any" };
export function object(owner: string, fields: Record<string, Shape>, example: string, required: string[] = []): Shape {
    return { kind: "object", owner, fields, required, example };
}

/** Adds a problem for every part of `value` that does not have `shape`; `null` in an object field counts as left out. */
export function checkShape(value: unknown, shape: Shape, path: string, problems: ProblemList): void {
    if (value === UNKNOWN || value === undefined) {
        return;
    }
    const wrong = (expected: string) => problems.add(path, `must be ${expected}, but is ${describeValue(value)}.`);
    switch (shape.kind) {
        case "any":
            return;
        case "string":
            if (typeof value !== "string") {
                wrong("a string");
            } else if (shape.nonEmpty && value.trim() === "") {
                problems.add(path, "must not be empty: give a value, or leave it out.");
            }
            return;
        case "boolean":
            if (typeof value !== "boolean") {
                wrong("true or false");
            }
            return;
        case "oneOf":
            if (typeof value !== "string" || !shape.values.includes(value)) {
                const quoted = shape.values.map((v) => JSON.stringify(v));
                wrong(quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(", ")}`);
            }
            return;
        case "list":
            if (!Array.isArray(value)) {
                wrong(`a list, such as ${shape.example}`);
                return;
            }
            value.forEach((entry, index) => checkShape(entry === undefined ? null : entry, shape.of, joinPath(path, index), problems));
            return;
        case "map":
            if (!isRecord(value)) {
                wrong(`a map of names to values, such as ${shape.example}`);
                return;
            }
            for (const [key, entry] of Object.entries(value)) {
                checkShape(entry === undefined ? null : entry, shape.of, joinPath(path, key), problems);
            }
            return;
        case "object":
            if (!isRecord(value)) {
                wrong(`an object such as ${shape.example}`);
                return;
            }
            checkKnownKeys(value, new Set(Object.keys(shape.fields)), path, shape.owner, problems);
            for (const field of shape.required ?? []) {
                if (value[field] === undefined || value[field] === null) {
                    problems.add(joinPath(path, field), `is required in ${shape.owner}, such as ${shape.example}.`);
                }
            }
            for (const [field, fieldShape] of Object.entries(shape.fields)) {
                if (value[field] !== null) {
                    checkShape(value[field], fieldShape, joinPath(path, field), problems);
                }
            }
    }
}
