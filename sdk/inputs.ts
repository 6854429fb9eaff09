import * as pulumi from "@pulumi/pulumi";
import { isRecord, leavesOf, ValidationError, withSecretValues } from "./validation/errors";
import { Known, UNKNOWN } from "./validation/known";

/** An Output or a Promise: a value known only at deployment. */
function isPending(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || (isRecord(value) && typeof value.then === "function");
}

/** True when the value, or anything inside it, is an Output or a Promise: known only at deployment. */
export function containsUnknowns(value: unknown): boolean {
    if (isPending(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknowns);
    }
    if (isRecord(value) && !pulumi.Resource.isInstance(value)) {
        return Object.values(value).some(containsUnknowns);
    }
    return false;
}

/** An object literal's kind of object: not a list, nor an instance of a class (a Resource, an Output). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
    const prototype = isRecord(value) ? Object.getPrototypeOf(value) : undefined;
    return prototype === Object.prototype || prototype === null;
}

/** The value with every part not known yet (an Output, a Promise) replaced by `UNKNOWN`, so the rest can be checked now. */
export function deepKnownView(value: unknown): unknown {
    if (isPending(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(deepKnownView);
    }
    return isPlainRecord(value) ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, deepKnownView(inner)])) : value;
}

/**
 * Arguments with every `null` field dropped: YAML, Python and JSON write `null` for "not set", and a field
 * left out is what they mean. A `null` in a list stays, to be reported where it is.
 */
export function withoutNulls<T>(value: T): T {
    if (Array.isArray(value)) {
        return value.map((entry) => (entry === null ? entry : withoutNulls(entry))) as T;
    }
    if (!isPlainRecord(value)) {
        return value;
    }
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null)
        .map(([key, inner]) => [key, withoutNulls(inner)])) as T;
}

/** The value itself when it is fully known now, otherwise `UNKNOWN` (to be checked when it resolves). */
export function knownNow<T>(value: pulumi.Input<T> | undefined): Known<T> | undefined {
    return containsUnknowns(value) ? UNKNOWN : value as T | undefined;
}

/**
 * The one conversion of refused input into what Pulumi reports. As an `InputPropertiesError` it reaches the
 * engine with one entry per property path when a component runs in the provider. Marked as a `RunError` too,
 * because a Node.js program's run entry prints only those (and `ResourceError`s) without "unhandled exception"
 * and a stack. `message`: what stands above the property errors, the whole list unless said otherwise; the
 * `ValidationError` stays reachable as the `cause`, for the provider's answer.
 */
export function invalidInputs(error: ValidationError, message = error.message): pulumi.InputPropertiesError {
    const converted = new pulumi.InputPropertiesError({ message, errors: error.problems });
    Object.defineProperty(converted, "__pulumiRunError", { value: true });
    Object.defineProperty(converted, "cause", { value: error });
    return converted;
}

/** The `ValidationError` behind a refusal: the error itself, or what `invalidInputs` made it from. */
export function validationErrorOf(error: unknown): ValidationError | undefined {
    if (ValidationError.isInstance(error)) {
        return error;
    }
    const cause = pulumi.InputPropertiesError.isInstance(error) ? (error as { cause?: unknown }).cause : undefined;
    return ValidationError.isInstance(cause) ? cause : undefined;
}

/** Runs a check and turns its `ValidationError` into `invalidInputs`, one line per property path. */
export function reportingInputErrors<T>(check: () => T): T {
    try {
        return check();
    } catch (error) {
        if (ValidationError.isInstance(error)) {
            throw invalidInputs(error);
        }
        throw error;
    }
}

/**
 * `value.apply(derive)` for a derivation that re-runs a pure check once an Output resolves: its
 * `ValidationError` fails the deployment as the same `InputPropertiesError` a known value gets at construction.
 * A secret value is checked with its parts masked, so the error says `[secret]` where the value would be.
 */
export function applyChecked<T, R>(value: pulumi.Input<T>, derive: (resolved: pulumi.Unwrap<T>) => R): pulumi.Output<R> {
    const output = pulumi.output(value);
    const isSecret = pulumi.output((output as any).isSecret as Promise<boolean>);
    return pulumi.all([output, isSecret]).apply(([resolved, secret]) => reportingInputErrors(() =>
        secret ? withSecretValues(leavesOf(resolved), () => derive(resolved as pulumi.Unwrap<T>)) : derive(resolved as pulumi.Unwrap<T>))) as pulumi.Output<R>;
}

/**
 * An argument as given when it is fully known now (so it was checked at construction), otherwise an Output of
 * it that first runs `check` on the resolved value: a value that breaks a rule fails the deployment with the
 * error construction would have thrown. `companion`: another argument the check needs resolved alongside.
 */
export function checkedWhenKnown<T, C = undefined>(value: T, check: (resolved: pulumi.Unwrap<NonNullable<T>>, companion: pulumi.Unwrap<C>) => void,
    companion?: C): T | pulumi.Output<pulumi.Unwrap<NonNullable<T>>> {
    if (!containsUnknowns(value)) {
        return value;
    }
    const both = pulumi.all([value as pulumi.Input<NonNullable<T>>, companion as pulumi.Input<C>]);
    return applyChecked(both, ([resolved, other]) => {
        check(resolved as pulumi.Unwrap<NonNullable<T>>, other as pulumi.Unwrap<C>);
        return resolved as pulumi.Unwrap<NonNullable<T>>;
    });
}
