// The TypeScript modules of a folder, for tests that hold every module there to a rule.
import * as fs from "node:fs";
import * as path from "node:path";

/** Every `.ts` file in `folder` (an absolute path) and its subfolders, as absolute paths. */
export function modulesUnder(folder: string): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(folder, entry.name);
        return entry.isDirectory() ? modulesUnder(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}
