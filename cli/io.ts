/** Where the CLI writes and what it reads of its environment; `main` takes it so that tests can run the CLI in-process. */
export interface CliIO {
    stdout: { write(text: string): unknown; isTTY?: boolean };
    /** On a terminal, long live plans show their progress here. */
    stderr: { write(text: string): unknown; isTTY?: boolean };
    /** The CLI's own settings (NO_COLOR). The AWS SDK reads `process.env` itself. */
    env: Record<string, string | undefined>;
}

/** A mistake the user can fix: printed as a message, without a stack trace, with exit code 1. */
export class UserError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UserError";
    }
}

/** A command line that cannot be run as written; the message is followed by a pointer to --help. */
export class UsageError extends UserError {}
