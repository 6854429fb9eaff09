// What the engine is told when a request fails: INVALID_ARGUMENT with one entry per property for bad input,
// the message otherwise; secrets masked, and bounded in size, because gRPC carries both in headers that it
// caps at 8 KB: a larger error wedges the channel instead of reaching the user.
import { clipText, ValidationError, ValidationProblem } from "../sdk/validation/errors";
import { invalidInputs, validationErrorOf } from "../sdk/inputs";

// Both travel twice (grpc-message, and base64 in grpc-status-details-bin): about 6 KB at most in all.
const MAX_MESSAGE_CHARACTERS = 1000;
const MAX_REASON_CHARACTERS = 600;
const MAX_REASONS_CHARACTERS = 2500;
const MAX_PROPERTY_PATH_CHARACTERS = 200;
/** Shorter secrets are not searched for in text: "[secret]" for every "a" would make messages unreadable. */
const MIN_REDACTED_SECRET_LENGTH = 3;

/** The text with every secret value replaced by `[secret]`, clipped to `max` characters. */
export function redactedMessage(text: string, secrets: ReadonlyArray<string | number | boolean>, max = MAX_MESSAGE_CHARACTERS): string {
    let redacted = text;
    const searchable = secrets.map(String).filter((secret) => secret.length >= MIN_REDACTED_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    for (const secret of searchable) {
        redacted = redacted.split(secret).join("[secret]");
        const quoted = JSON.stringify(secret).slice(1, -1);
        if (quoted !== secret) {
            redacted = redacted.split(quoted).join("[secret]"); // as a message quotes it, escapes and all
        }
    }
    return clipText(redacted, max);
}

/** The error a failed request answers with: property errors stay property errors, redacted and bounded. */
export function answerError(error: unknown, secrets: ReadonlyArray<string | number | boolean>): Error {
    const refusal = validationErrorOf(error);
    if (refusal === undefined) {
        const message = redactedMessage(error instanceof Error ? error.message : String(error), secrets);
        const plain = new Error(message);
        plain.stack = message; // the stack would repeat the unredacted message
        return plain;
    }
    const shown: ValidationProblem[] = [];
    let budget = MAX_REASONS_CHARACTERS;
    for (const { propertyPath, reason } of refusal.problems) {
        const entry = {
            propertyPath: redactedMessage(propertyPath, secrets, MAX_PROPERTY_PATH_CHARACTERS),
            reason: redactedMessage(reason, secrets, MAX_REASON_CHARACTERS),
        };
        budget -= entry.propertyPath.length + entry.reason.length;
        if (budget < 0) {
            break;
        }
        shown.push(entry);
    }
    if (refusal.problems.length > shown.length) {
        shown.push({ propertyPath: "", reason: `and ${refusal.problems.length - shown.length} more problems; fix these and run again to see them` });
    }
    // The CLI prints each property's reason under the message, so the message keeps only its headline
    // ("Repository "x" has 2 problems"): the list a TypeScript program prints would show every reason twice.
    return invalidInputs(new ValidationError(refusal.subject, shown), redactedMessage(refusal.headline, secrets));
}
