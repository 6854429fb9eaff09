import { ProgressSink, sourceLabel, SourceName } from "./source";

// Often enough to look alive, rarely enough not to flood a slow terminal.
const RENDER_INTERVAL_MS = 100;

/** One self-overwriting status line on stderr, for terminals only: logs and pipes get nothing. */
export class TerminalProgress implements ProgressSink {
    private readonly counts = new Map<SourceName, string>();
    private lastRender = 0;
    private shown = false;

    constructor(private readonly stream: { write(text: string): unknown }, private readonly enabled: boolean) {}

    update(source: SourceName, done: number, total: number, unit: string): void {
        this.counts.set(source, `${sourceLabel(source)} ${done}/${total} ${unit}`);
        const now = Date.now();
        if (this.enabled && (now - this.lastRender >= RENDER_INTERVAL_MS || done === total)) {
            this.lastRender = now;
            this.shown = true;
            this.stream.write(`\r\x1b[Kecrx: finding images in use: ${[...this.counts.values()].join(", ")}`);
        }
    }

    /** Clears the line, so that warnings and the plan start on a clean one. */
    finish(): void {
        if (this.shown) {
            this.stream.write("\r\x1b[K");
            this.shown = false;
        }
    }
}
