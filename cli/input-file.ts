// Reads an input file as a user's shell or editor wrote it: UTF-8 with or without a byte-order mark, or UTF-16
// (what PowerShell's `>` writes). Only regular files and pipes, and never more than MAX_INPUT_BYTES: `/dev/zero`
// or a runaway pipe must end in a message, not in an exhausted heap.
import * as fs from "node:fs";
import { UserError } from "./io";

/** Ten times a describe-images listing of ECR's default quota of 100,000 images (about 600 bytes each). */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export function readInputFile(path: string, option: string): string {
    let descriptor: number;
    try {
        descriptor = fs.openSync(path, "r");
    } catch (error) {
        throw cannotRead(path, option, error);
    }
    try {
        const stats = fs.fstatSync(descriptor);
        if (stats.isDirectory()) {
            throw new UserError(`cannot read the ${option} file ${path}: it is a directory.`);
        }
        if (!stats.isFile() && !stats.isFIFO()) {
            throw new UserError(`cannot read the ${option} file ${path}: it is not a regular file or a pipe (it is a device or a socket).`);
        }
        if (stats.isFile() && stats.size > MAX_INPUT_BYTES) {
            throw tooLarge(path, option);
        }
        return decode(readAtMost(descriptor, path, option));
    } catch (error) {
        throw error instanceof UserError ? error : cannotRead(path, option, error);
    } finally {
        fs.closeSync(descriptor);
    }
}

function readAtMost(descriptor: number, path: string, option: string): Buffer {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        const read = fs.readSync(descriptor, chunk, 0, CHUNK_BYTES, null);
        if (read === 0) {
            return Buffer.concat(chunks, total);
        }
        total += read;
        if (total > MAX_INPUT_BYTES) {
            throw tooLarge(path, option);
        }
        chunks.push(chunk.subarray(0, read));
    }
}

/** UTF-16 by its byte-order mark (or, without one, by the zero bytes of ASCII in it), otherwise UTF-8; the mark dropped. */
function decode(bytes: Buffer): string {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
        return bytes.subarray(2).toString("utf16le");
    }
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        const swapped = Buffer.from(bytes.subarray(2));
        swapped.swap16();
        return swapped.toString("utf16le");
    }
    if (bytes.length >= 2 && bytes.length % 2 === 0 && bytes[0] !== 0 && bytes[1] === 0) {
        return bytes.toString("utf16le");
    }
    const text = bytes.toString("utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tooLarge(path: string, option: string): UserError {
    return new UserError(`cannot read the ${option} file ${path}: it is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, ` +
        "more than any ECR repository's listing.");
}

function cannotRead(path: string, option: string, error: unknown): UserError {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    return new UserError(`cannot read the ${option} file ${path}: ${why}.`);
}
