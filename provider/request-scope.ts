// One bad request must never harm another. The Pulumi SDK's provider server answers every request in flight
// with the error of any unhandled rejection, and the SDK makes every failed registration one by design. Each
// Construct and Call therefore runs in its own async scope; a rejection that escapes is routed, by that scope,
// to the request it came from, and only that request fails.
import { AsyncLocalStorage } from "node:async_hooks";
import { redactedMessage } from "./error-answer";

interface RequestScope {
    /** Plain values of the request's secret inputs, masked in whatever it answers. */
    secrets: Array<string | number | boolean>;
    failEscaped(error: unknown): void;
    /** Set once answered: a failure escaping later repeats one the request answered with, or comes after its success. */
    outcome?: "succeeded" | "failed";
}

const scopes = new AsyncLocalStorage<RequestScope>();
const inFlight = new Set<RequestScope>();
const printed = new Set<string>();

/**
 * Runs `work` as one request: its result, or the first failure that escaped from anything it started
 * (whichever comes first). The failure is handed to `answer`, which turns it into what the engine is told.
 */
export async function runIsolated<T>(work: (scope: RequestScope) => Promise<T>, answer: (error: unknown, scope: RequestScope) => unknown): Promise<T> {
    let failEscaped!: (error: unknown) => void;
    const escaped = new Promise<never>((_, reject) => { failEscaped = reject; });
    escaped.catch(() => undefined); // raced below; unanswered once the work has won
    const scope: RequestScope = { secrets: [], failEscaped: (error) => failEscaped(error) };
    inFlight.add(scope);
    try {
        const result = await Promise.race([scopes.run(scope, () => work(scope)), escaped]);
        scope.outcome = "succeeded";
        return result;
    } catch (error) {
        scope.outcome = "failed";
        throw answer(error, scope);
    } finally {
        inFlight.delete(scope);
    }
}

/**
 * Takes over unhandled rejections and uncaught exceptions from the listeners installed before (run-plugin's,
 * which log each to the engine with its stack, and the SDK server's, which fail every request in flight):
 * each now goes to the request it came from; one from no request is printed on stderr, its secrets masked,
 * and harms nobody.
 */
export function routeEscapedFailures(): void {
    for (const event of ["unhandledRejection", "uncaughtException"] as const) {
        process.removeAllListeners(event);
        process.on(event, (error: unknown) => {
            const scope = scopes.getStore();
            if (scope?.outcome === undefined && scope !== undefined) {
                scope.failEscaped(error);
                return;
            }
            if (scope?.outcome === "failed") {
                return;
            }
            const secrets = scope?.secrets ?? [...inFlight].flatMap((s) => s.secrets);
            const message = redactedMessage(error instanceof Error ? error.message : String(error), secrets);
            // The SDK re-rejects one failure once per promise that carries it: say it once.
            if (!printed.has(message)) {
                printed.add(message);
                process.stderr.write(`ecrx provider: ${message}\n`);
            }
        });
    }
}
