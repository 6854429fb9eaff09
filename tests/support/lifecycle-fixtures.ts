// Images for lifecycle tests, named by a letter so that failures read well: `image("A", ["prod-1"], 10)` is
// sha256:aaaa…, tagged prod-1, pushed 10 days before NOW.
import { strict as assert } from "node:assert";
import { LifecycleImage, SimulatedImage, SimulationResult, ValidationError, ValidationProblem } from "../../sdk/lifecycle";

export const NOW = Date.parse("2025-06-01T12:00:00Z");
export const DAY = 24 * 60 * 60 * 1000;
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export function daysAgo(days: number): string {
    return new Date(NOW - days * DAY).toISOString();
}

/** A digest that reads as its name in failures: `digest("A")` is `sha256:aaaa…`. */
export function digest(name: string): string {
    return `sha256:${name.toLowerCase().repeat(64).slice(0, 64)}`;
}

export function image(name: string, tags: string[], pushedDaysAgo: number, extra: Partial<LifecycleImage> = {}): LifecycleImage {
    return { imageDigest: digest(name), imageTags: tags, imagePushedAt: daysAgo(pushedDaysAgo), ...extra };
}

/** Glob matching by recursion over the pattern: slow, obviously right, and independent of the matcher under test. */
export function globMatches(pattern: string, tag: string): boolean {
    if (pattern === "") {
        return tag === "";
    }
    if (pattern[0] === "*") {
        return globMatches(pattern.slice(1), tag) || (tag !== "" && globMatches(pattern, tag.slice(1)));
    }
    return tag !== "" && pattern[0] === tag[0] && globMatches(pattern.slice(1), tag.slice(1));
}

/** The verdict on the image named `name` (see `image`), failing when the result has none. */
export function resultFor(result: SimulationResult, name: string): SimulatedImage {
    const found = result.images.find((entry) => entry.imageDigest === digest(name));
    return found ?? assert.fail(`image ${name} is missing from the result`);
}

/** Runs `action`, which must throw a ValidationError, and returns the error. */
export function validationErrorThrownBy(action: () => unknown): ValidationError {
    try {
        action();
    } catch (error) {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        return error;
    }
    return assert.fail("expected a ValidationError, but nothing was thrown");
}

export function problemsThrownBy(action: () => unknown): ValidationProblem[] {
    return validationErrorThrownBy(action).problems;
}
