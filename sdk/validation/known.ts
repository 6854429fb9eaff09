/**
 * Stands for an input whose value is not known while the program runs (a Pulumi `Output`, or an
 * unknown during preview). The pure validators skip such values; the components check them again
 * once they resolve. Keeping the marker here lets the validators stay free of Pulumi.
 */
export const UNKNOWN: unique symbol = Symbol.for("ecrx.unknown");
export type Known<T> = T | typeof UNKNOWN;

export function isKnown<T>(value: Known<T>): value is T {
    return value !== UNKNOWN;
}
