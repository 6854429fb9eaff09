// How a secret looks in what a program sends the engine, and where a value would show it in plain text.

/** The key and signature with which Pulumi's wire format marks a secret value. */
export const SECRET_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a registered input is a secret, as the engine receives it: `{ [SECRET_KEY]: SECRET_SIGNATURE, value }`. */
export function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_KEY] === SECRET_SIGNATURE;
}

/**
 * The paths (`registries[0].password`) at which `needle` appears in `value` outside any secret: where a secret
 * would leak into the state file and the plan. Empty when it is kept secret everywhere.
 */
export function plainOccurrences(value: unknown, needle: string, path = ""): string[] {
    if (isSecretWrapper(value)) {
        return [];
    }
    if (typeof value === "string") {
        return value.includes(needle) ? [path || "(root)"] : [];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, inner]) =>
            plainOccurrences(inner, needle, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
    }
    return [];
}
