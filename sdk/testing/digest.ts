// Image digests the mocks make up: realistic in form, and the same for the same build.
import * as crypto from "node:crypto";

/** JSON with object keys sorted, so equal values give equal text whatever order their keys were set in. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, inner) => typeof inner === "object" && inner !== null && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner);
}

/** A `sha256:<64 hex>` digest of a value: equal values give equal digests, and any change gives another. */
export function fakeDigest(value: unknown): string {
    return `sha256:${crypto.createHash("sha256").update(canonicalJson(value) ?? "undefined").digest("hex")}`;
}
