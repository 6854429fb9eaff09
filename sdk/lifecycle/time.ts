import { describeValue } from "../validation/errors";

/** A point in time as ECR tools print it: an ISO 8601 string (AWS CLI v2), epoch seconds (CLI v1, the JSON API) or a Date (the SDK). */
export type Timestamp = string | number | Date;

export const DAY_MS = 24 * 60 * 60 * 1000;

// Epoch seconds beyond this (the year 5138) are almost surely milliseconds given by mistake...
const MAX_EPOCH_SECONDS = 1e11;
// ...unless they are beyond that in milliseconds too.
const MAX_EPOCH_MILLISECONDS = 1e14;

/**
 * A `Timestamp` as epoch milliseconds, read as `simulate` reads image times: an ISO 8601 string with a zone,
 * epoch seconds or a Date. NaN when it is not one; `timestampProblem` says why.
 */
export function parseTimestamp(value: unknown): number {
    let time = NaN;
    if (typeof value === "string") {
        time = parseIsoTime(value);
    } else if (typeof value === "number") {
        time = Math.abs(value) < MAX_EPOCH_SECONDS ? value * 1000 : NaN;
    } else if (value instanceof Date) {
        time = value.getTime();
    }
    return Number.isFinite(time) ? time : NaN;
}

/**
 * Why `parseTimestamp` rejected a value, phrased so that the reader knows what to write instead. It reads on
 * from the name of the field, as in `--now is 1714564800000, which looks like milliseconds: ...`.
 */
export function timestampProblem(value: unknown): string {
    if (typeof value === "number" && Math.abs(value) >= MAX_EPOCH_SECONDS && Math.abs(value) < MAX_EPOCH_MILLISECONDS) {
        return `is ${value}, which looks like milliseconds: give epoch seconds (such as ${Math.floor(value / 1000)}) or an ISO 8601 time.`;
    }
    if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}[Tt ][\d:.]+$/.test(value)) {
        return `is ${describeValue(value)}, which has no time zone, so it would mean different times on different machines: ` +
            "add \"Z\" for UTC or an offset such as \"+02:00\".";
    }
    return "must be an ISO 8601 time with a zone (such as \"2024-05-01T12:00:00Z\") or epoch seconds (such as 1714564800), " +
        `but is ${describeValue(value)}.`;
}

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const SPACE = 32;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;

/**
 * Parses the ISO 8601 forms that ECR tools print (`2024-05-01`, `2024-05-01T12:00:00Z`,
 * `2024-05-01T12:00:00.123456+00:00`) to epoch milliseconds, or NaN. A date-time must carry a zone:
 * without one JavaScript reads it in the local zone, and the same file would give different answers on
 * different machines. Written out instead of a format check plus `Date.parse`, which together cost a
 * third of a whole simulation, since timestamps are most of its input. Digits past milliseconds are
 * dropped, as `Date.parse` does.
 */
export function parseIsoTime(text: string): number {
    const year = readDigits(text, 0, 4);
    const month = readDigits(text, 5, 2);
    const day = readDigits(text, 8, 2);
    if (year < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH ||
        month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
        return NaN;
    }
    const midnight = daysSinceEpoch(year, month, day) * DAY_MS;
    if (text.length === 10) {
        return midnight;
    }
    const separator = text.charCodeAt(10);
    const hour = readDigits(text, 11, 2);
    const minute = readDigits(text, 14, 2);
    if ((separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) || text.charCodeAt(13) !== COLON ||
        hour < 0 || hour > 23 || minute < 0 || minute > 59) {
        return NaN;
    }
    let at = 16;
    let second = 0;
    let millisecond = 0;
    if (text.charCodeAt(at) === COLON) {
        second = readDigits(text, 17, 2);
        if (second < 0 || second > 59) {
            return NaN;
        }
        at = 19;
        if (text.charCodeAt(at) === DOT) {
            const first = ++at;
            for (let weight = 100; isDigit(text.charCodeAt(at)); at++, weight = Math.floor(weight / 10)) {
                millisecond += (text.charCodeAt(at) - 48) * weight;
            }
            if (at === first) {
                return NaN;
            }
        }
    }
    const offset = zoneOffset(text, at);
    return midnight + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond - offset;
}

/** The zone at `at`, which must end the text: `Z` or `±hh:mm`, in milliseconds east of UTC; NaN otherwise. */
function zoneOffset(text: string, at: number): number {
    const sign = text.charCodeAt(at);
    if ((sign === UPPER_Z || sign === LOWER_Z) && at + 1 === text.length) {
        return 0;
    }
    const hours = readDigits(text, at + 1, 2);
    const minutes = readDigits(text, at + 4, 2);
    if ((sign !== PLUS && sign !== DASH) || at + 6 !== text.length || text.charCodeAt(at + 3) !== COLON ||
        hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
        return NaN;
    }
    return (sign === PLUS ? 1 : -1) * (hours * 60 + minutes) * 60 * 1000;
}

function isDigit(code: number): boolean {
    return code >= 48 && code <= 57;
}

/** The number made of `count` digits at `start`, or -1 if any of them is not a digit (or is missing). */
function readDigits(text: string, start: number, count: number): number {
    let value = 0;
    for (let at = start; at < start + count; at++) {
        const code = text.charCodeAt(at);
        if (!isDigit(code)) {
            return -1;
        }
        value = value * 10 + code - 48;
    }
    return value;
}

function daysInMonth(year: number, month: number): number {
    if (month === 2) {
        return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
    }
    return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (the civil-from-days algorithm, inverted). */
function daysSinceEpoch(year: number, month: number, day: number): number {
    const marchYear = month <= 2 ? year - 1 : year;
    const era = Math.floor(marchYear / 400);
    const yearOfEra = marchYear - era * 400;
    const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
    const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}
