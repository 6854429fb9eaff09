import { settle } from "../../sdk/testing";

/**
 * Collects rejections nobody handled. An argument that fails its check only when it resolves makes the
 * engine registration (and the outputs that depend on it) reject; a real `pulumi up` reports that as the
 * error, and a test must see exactly those rejections and no others. Mocha re-emits each rejection once
 * more, hence the map by promise.
 */
export class UnhandledRejections {
    private readonly byPromise = new Map<Promise<unknown>, unknown>();
    private readonly record = (reason: unknown, promise: Promise<unknown>) => void this.byPromise.set(promise, reason);

    install(): void {
        process.on("unhandledRejection", this.record);
    }

    uninstall(): void {
        process.off("unhandledRejection", this.record);
    }

    /** Every rejection since the last call passes `check`; then forgets them. */
    expectOnly(check: (reason: unknown) => void): void {
        for (const reason of this.byPromise.values()) {
            check(reason);
        }
        this.byPromise.clear();
    }

    /** The rejections since the last call, as text; then forgets them. */
    takeAll(): string[] {
        const reasons = [...this.byPromise.values()].map(String);
        this.byPromise.clear();
        return reasons;
    }
}

/** Lets every registration, and every rejection it causes, run its course. */
export async function quiesce(): Promise<void> {
    await settle();
    for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
    }
}
