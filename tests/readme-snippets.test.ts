// Every TypeScript snippet of the README (```ts and ```typescript blocks, indented ones too) compiles under
// the package's `strict` settings, against this checkout: `ecrx` and `ecrx/<subpath>` resolve to the sources
// of what package.json's `exports` publishes, so a snippet breaks here the moment the API it shows changes.
// Each snippet is its own module. A snippet that opens with a comment naming a file of this repository
// (`// examples/ecs-fargate/index.ts`) is an excerpt of it: it is compiled beside that file, so its relative
// imports resolve, and each of its lines must be in that file.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { packageCompilerOptions, ROOT } from "./support/typescript-api";

const README = path.join(ROOT, "README.md");

interface Snippet {
    /** The 1-based line, in its Markdown file, of the snippet's first line of code. */
    line: number;
    code: string;
    /** The file the snippet says it is an excerpt of, relative to the repository. */
    excerptOf?: string;
}

/** The TypeScript fenced blocks of a Markdown text, each with the indentation of its fence taken off. */
function typeScriptSnippets(markdown: string): Snippet[] {
    const lines = markdown.split("\n");
    const snippets: Snippet[] = [];
    for (let index = 0; index < lines.length; index++) {
        const fence = /^(\s*)```\s*(ts|typescript)\s*$/.exec(lines[index]);
        if (fence === null) {
            continue;
        }
        const indent = fence[1].length;
        const end = lines.findIndex((line, at) => at > index && line.trim() === "```");
        assert.ok(end > index, `README.md:${index + 1}: the TypeScript block is never closed`);
        const code = lines.slice(index + 1, end).map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length))).join("\n");
        const named = /^\/\/ (\S+\.ts)\s*$/.exec(code.split("\n")[0]);
        const excerptOf = named !== null && fs.existsSync(path.join(ROOT, named[1])) ? named[1] : undefined;
        snippets.push({ line: index + 2, code, ...(excerptOf !== undefined ? { excerptOf } : {}) });
        index = end;
    }
    return snippets;
}

/**
 * `ecrx` and `ecrx/<subpath>` as compiler `paths`: each entry of package.json's `exports` that publishes
 * declarations (`./dist/<file>.d.ts`) maps to the source they are compiled from (`<file>.ts`).
 */
function packagePaths(packageJson: { name: string; exports: Record<string, unknown> }): Record<string, string[]> {
    const paths: Record<string, string[]> = {};
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
        const published = typeof target === "string" ? target : (target as { types?: string }).types;
        if (published === undefined || !/^\.\/dist\/.*\.d\.ts$/.test(published)) {
            continue;
        }
        const source = published.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts");
        assert.ok(fs.existsSync(path.join(ROOT, source)), `package.json exports ${subpath} as ${published}, but its source ${source} does not exist`);
        paths[subpath === "." ? packageJson.name : `${packageJson.name}/${subpath.replace(/^\.\//, "")}`] = [source];
    }
    return paths;
}

/** Where a snippet is compiled: beside the file it is an excerpt of, otherwise at the repository's root. */
function snippetFileName(snippet: Snippet, label: string): string {
    const directory = snippet.excerptOf !== undefined ? path.dirname(path.join(ROOT, snippet.excerptOf)) : ROOT;
    return path.join(directory, `${label.replace(/[^A-Za-z0-9]+/g, "-")}.snippet.ts`);
}

/**
 * Type-checks snippets in one program, as `tsc` would with the package's tsconfig (so under `strict`), and
 * gives each snippet's errors as `<label>:<line>: <message>`, the line counted in the Markdown file.
 */
function compileSnippets(snippets: Array<{ label: string; snippet: Snippet }>): Map<string, string[]> {
    const options: ts.CompilerOptions = {
        ...packageCompilerOptions(),
        noEmit: true,
        // A snippet without imports is still a module of its own, not a script sharing globals with the others.
        moduleDetection: ts.ModuleDetectionKind.Force,
        // Mocha's globals, for snippets that show a test.
        types: ["node", "mocha"],
        baseUrl: ROOT,
        paths: packagePaths(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))),
        // The package refuses dead code; a snippet shows a declaration without always using it (`const api = ...`).
        noUnusedLocals: false,
        noUnusedParameters: false,
    };
    assert.equal(options.strict, true, "tsconfig.json no longer sets strict");
    const byFile = new Map(snippets.map((entry) => [snippetFileName(entry.snippet, entry.label), entry]));
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (file) => byFile.has(file) || fileExists.call(host, file);
    host.readFile = (file) => byFile.get(file)?.snippet.code ?? readFile.call(host, file);
    host.getSourceFile = (file, language, ...rest) => byFile.has(file)
        ? ts.createSourceFile(file, byFile.get(file)!.snippet.code, language)
        : getSourceFile.call(host, file, language, ...rest);
    const program = ts.createProgram([...byFile.keys()], options, host);
    const errors = new Map<string, string[]>();
    for (const [file, { label, snippet }] of byFile) {
        const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
        errors.set(label, diagnostics.map((diagnostic) => {
            const at = diagnostic.file !== undefined && diagnostic.start !== undefined
                ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : 0;
            return `${label.split(":")[0]}:${snippet.line + at}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
        }));
    }
    return errors;
}

/** The lines of an excerpt, other than the comment naming its file, that its file does not have. */
function linesNotInFile(snippet: Snippet): string[] {
    const fileLines = new Set(fs.readFileSync(path.join(ROOT, snippet.excerptOf!), "utf8").split("\n").map((line) => line.trim()));
    return snippet.code.split("\n").slice(1).map((line) => line.trim()).filter((line) => line !== "" && !fileLines.has(line));
}

/** Snippets that must fail, to show that the check is strict and that `ecrx` resolves to this checkout. */
const MUST_FAIL = `
Text.

  \`\`\`typescript
  import { lifecycle } from "ecrx";

  const policy = lifecycle.buildPolicy({ rules: [{ selection: "untagged", maximumNumberOfImages: 1 }] });
  lifecycle.simulate(policy, []);
  \`\`\`

\`\`\`ts
import { Repository } from "ecrx";

new Repository("app", { scanOnPull: true });
\`\`\`
`;

describe("the README's TypeScript snippets compile under strict", function () {
    const snippets = typeScriptSnippets(fs.readFileSync(README, "utf8"));
    let errors: Map<string, string[]>;

    before(function () {
        this.timeout(180_000); // one type-checked program over every snippet, the SDK and the @pulumi packages they import
        errors = compileSnippets([
            ...snippets.map((snippet) => ({ label: `README.md:${snippet.line}`, snippet })),
            ...typeScriptSnippets(MUST_FAIL).map((snippet) => ({ label: `MUST_FAIL.md:${snippet.line}`, snippet })),
        ]);
    });

    it("finds the README's snippets", () => {
        assert.ok(snippets.length >= 5, `found only ${snippets.length} TypeScript snippets in README.md`);
    });

    for (const snippet of snippets) {
        it(`README.md:${snippet.line}${snippet.excerptOf !== undefined ? ` (from ${snippet.excerptOf})` : ""} compiles`, () => {
            assert.deepEqual(errors.get(`README.md:${snippet.line}`), []);
        });
        if (snippet.excerptOf !== undefined) {
            it(`README.md:${snippet.line} is an excerpt of ${snippet.excerptOf}`, () => {
                assert.deepEqual(linesNotInFile(snippet), []);
            });
        }
    }

    it("reports a strict-only error and a misspelt argument, at their Markdown lines", () => {
        const [indented, plain] = typeScriptSnippets(MUST_FAIL);
        const simulateLine = indented.line + 3;
        assert.deepEqual(errors.get(`MUST_FAIL.md:${indented.line}`)!.map((error) => error.split(": ")[0]), [`MUST_FAIL.md:${simulateLine}`]);
        assert.match(errors.get(`MUST_FAIL.md:${indented.line}`)![0], /'PolicyDocument \| undefined' is not assignable/);
        assert.match(errors.get(`MUST_FAIL.md:${plain.line}`)![0], new RegExp(`^MUST_FAIL.md:${plain.line + 2}: .*'scanOnPull' does not exist`));
    });

    it("maps every declaration that package.json exports, to its source", () => {
        assert.deepEqual(packagePaths({
            name: "ecrx",
            exports: {
                ".": { types: "./dist/sdk/index.d.ts", default: "./dist/sdk/index.js" },
                "./scan-gate-provider": { types: "./dist/sdk/scan-gate/provider.d.ts" },
                "./package.json": "./package.json",
            },
        }), { "ecrx": ["sdk/index.ts"], "ecrx/scan-gate-provider": ["sdk/scan-gate/provider.ts"] });
        assert.throws(() => packagePaths({ name: "ecrx", exports: { "./gone": { types: "./dist/sdk/gone.d.ts" } } }), /source sdk\/gone\.ts does not exist/);
    });
});
