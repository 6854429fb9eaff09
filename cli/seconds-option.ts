// A command-line option that gives a number of seconds (--timeout, --preview-timeout, --preview-poll-interval).
import { UsageError } from "./io";
import { printable } from "./terminal-text";

/** The seconds `text` gives, or `fallback` when the option is absent; at most `max`, because a larger one is a typo. */
export function readSeconds(text: string | undefined, option: string, fallback: number, max: number): number {
    if (text === undefined) {
        return fallback;
    }
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(value > 0 && value <= max)) {
        throw new UsageError(`${option} must be a number of seconds above 0 and at most ${max}, but is ${JSON.stringify(printable(text))}.`);
    }
    return value;
}
