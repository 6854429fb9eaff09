import { InUseMap, parseTimestamp, shortDigest, SimulatedAction, SimulationResult } from "../sdk/lifecycle";
import { printable } from "./terminal-text";

const HEADERS = ["DIGEST", "TAGS", "PUSHED", "ACTION", "RULE", "REASON"];
// After ACTION, when the plan looked for images in use: which sources use each image; red where it would break.
const IN_USE_HEADER = "IN USE";
const IN_USE_COLUMN = 4;
// Long tag lists are cut here; the JSON output always has them all.
const MAX_TAGS_WIDTH = 40;
// A reason names the rule and why; longer is a policy with very long tag patterns.
const MAX_REASON_WIDTH = 300;
const ACTION_COLORS: Record<SimulatedAction, string> = { expire: "\x1b[31m", archive: "\x1b[33m", keep: "\x1b[32m" };
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** The plan as aligned columns, oldest image first, then a summary line. */
export function renderTable(result: SimulationResult, now: Date, color: boolean, inUse?: InUseMap): string {
    const showInUse = inUse !== undefined;
    const headers = showInUse ? withInUseColumn(HEADERS, IN_USE_HEADER) : HEADERS;
    const rows = result.images.map((image) => {
        const row = [
            printable(shortDigest(image.imageDigest)),
            describeTags(image.imageTags),
            describePushTime(image.imagePushedAt),
            image.action,
            image.rulePriority === undefined ? "-" : String(image.rulePriority),
            clipped(printable(image.reason), MAX_REASON_WIDTH),
        ];
        const users = inUse?.[image.imageDigest];
        return showInUse ? withInUseColumn(row, users === undefined ? "-" : [...new Set(users.map((user) => user.kind))].join(",")) : row;
    });
    const widths = headers.map((header, column) => rows.reduce((width, row) => Math.max(width, row[column].length), header.length));
    const line = (cells: string[], paint: (cell: string, column: number) => string) =>
        cells.map((cell, column) => paint(column === cells.length - 1 ? cell : cell.padEnd(widths[column]), column)).join("  ").trimEnd();
    const lines = [line(headers, (cell) => (color ? `${BOLD}${cell}${RESET}` : cell))];
    for (const row of rows) {
        lines.push(line(row, (cell, column) => (color && column === 3 ? `${ACTION_COLORS[row[3] as SimulatedAction]}${cell}${RESET}`
            : color && showInUse && column === IN_USE_COLUMN && row[3] !== "keep" && cell !== "-" ? `${BOLD}${ACTION_COLORS.expire}${cell}${RESET}` : cell)));
    }
    const { expire, archive, keep } = result.summary;
    const atRisk = result.images.filter((image) => image.inUse !== undefined).length;
    lines.push("", `${result.images.length} image${result.images.length === 1 ? "" : "s"}: ${expire} to expire, ${archive} to archive, ` +
        `${keep} to keep${showInUse ? `; ${atRisk} in use would be expired or archived` : ""} (evaluated at ${now.toISOString()})`);
    return `${lines.join("\n")}\n`;
}

/** A cell cut to `width` characters, marked where it was cut. */
function clipped(text: string, width: number): string {
    return text.length <= width ? text : `${text.slice(0, width - 3)}...`;
}

function withInUseColumn(cells: readonly string[], cell: string): string[] {
    return [...cells.slice(0, IN_USE_COLUMN), cell, ...cells.slice(IN_USE_COLUMN)];
}

function describeTags(tags: readonly string[]): string {
    if (tags.length === 0) {
        return "-";
    }
    // Each tag is made safe and cut before any joining: a 1 MB tag must cost 40 characters, not a 1 MB row.
    const shownTag = (tag: string) => clipped(printable(tag.slice(0, MAX_TAGS_WIDTH * 8)), MAX_TAGS_WIDTH);
    let shown = shownTag(tags[0]);
    let count = 1;
    for (; count < tags.length; count++) {
        const longer = `${shown}, ${shownTag(tags[count])}`;
        if (longer.length > MAX_TAGS_WIDTH) {
            break;
        }
        shown = longer;
    }
    return count === tags.length ? shown : `${shown} +${tags.length - count} more`;
}

/** `2025-05-22 12:00:00Z`, whatever form the input gave. */
function describePushTime(pushedAt: unknown): string {
    const iso = new Date(parseTimestamp(pushedAt)).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
