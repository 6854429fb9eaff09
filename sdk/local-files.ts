// The disk of the machine that runs the program, where an Image's context and Dockerfile must be: looked at
// here, for the checks in sdk/validation, which do no I/O themselves.
import * as fs from "node:fs";
import type { LocalFiles, PathKind } from "./validation/image-plan";

export const localFiles: LocalFiles = {
    kindOf(target: string): PathKind {
        try {
            const stat = fs.statSync(target);
            return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
        } catch {
            // Not there, a dangling link, or not readable: in every case nothing docker-build could read.
            return "missing";
        }
    },
    get workingDirectory(): string {
        return process.cwd();
    },
};
