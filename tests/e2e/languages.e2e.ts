// 10. Other languages for real: the SDKs that `pulumi package gen-sdk` and `pulumi package add`
// generate from this repository build with their own toolchains, and the Python, Go, Java and YAML
// examples deploy through the engine with exactly the ECR resources of their TypeScript twin.
import { GetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { assertNoStackFrames, CommandResult, ProgramStack, REPO_ROOT, SandboxRegistry, runInSandbox, sandboxEcr, sandboxEnv, storedLifecyclePolicy } from "./support/sandbox";

const PROGRAMS = path.join(__dirname, "programs");
const EXAMPLES = path.join(REPO_ROOT, "examples");

/** The plugin version an npm package of this repository asks for, as `pulumi package add` takes it. */
function pluginVersion(npmPackage: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", npmPackage, "package.json"), "utf8"));
    return manifest.pulumi?.version ?? manifest.version;
}

function ok(result: CommandResult, what: string): CommandResult {
    assert.equal(result.code, 0, `${what} exited with ${result.code}:\n${result.output}`);
    return result;
}

function temporaryDir(label: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `ecrx-e2e-${label}-`));
}

/**
 * The packages ecrx's Go and Java SDKs build on (pulumi-aws and docker-build) are not served by this
 * machine's Go proxy or Maven Central. Stand-ins generated from the sandbox's plugins (the aws one is the
 * test double's ECR subset) take their place in the program's sdks/, where the examples' builds look.
 */
function addStandInSdks(stack: ProgramStack, language: "go" | "java"): void {
    // `package add` also resolves the program's imports (go mod tidy), and ecrx's SDK is not there yet: a
    // stand-in program that imports only the Pulumi SDK keeps go.mod's requirement of it meanwhile.
    const program = path.join(stack.dir, "main.go");
    const aside = path.join(stack.dir, "main.go.aside");
    if (language === "go") {
        fs.renameSync(program, aside);
        fs.writeFileSync(program, 'package main\n\nimport "github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n\nfunc main() { pulumi.Run(nil) }\n');
    }
    for (const dependency of [`aws@${pluginVersion("@pulumi/aws")}`, `docker-build@${pluginVersion("@pulumi/docker-build")}`]) {
        if (language === "go") {
            ok(runInSandbox("pulumi", ["package", "add", dependency], stack.dir), `pulumi package add ${dependency}`);
        } else {
            // `package add` would also build the program, which cannot compile before ecrx's own SDK is there.
            const out = temporaryDir("java-sdk");
            ok(runInSandbox("pulumi", ["package", "gen-sdk", dependency, "--language", "java", "--local", "--out", out], stack.dir), `gen-sdk ${dependency}`);
            fs.cpSync(path.join(out, "java"), path.join(stack.dir, "sdks", dependency.split("@")[0]), { recursive: true });
            fs.rmSync(out, { recursive: true, force: true });
        }
    }
    if (language === "go") {
        fs.renameSync(aside, program);
    }
}

type Resource = ReturnType<ProgramStack["resources"]>[number];

const ECR_TYPES = ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy"];

/**
 * The ECR resources the `repository` and `image` components registered, keyed by type and name, with
 * their inputs as the state holds them. Repository names carry a random suffix, so the stack's own
 * repository name reads <repository>.
 */
function ecrChildren(resources: Resource[]): Record<string, unknown> {
    const repositoryName = resources.find((r) => r.type === ECR_TYPES[0] && r.urn.endsWith("::repository"))!.inputs!.name as string;
    const children = resources.filter((r) => ECR_TYPES.includes(r.type) && !r.urn.split("::").pop()!.startsWith("worker"));
    return Object.fromEntries(children.map((r) => [`${r.type} ${r.urn.split("::").pop()}`,
        JSON.parse(JSON.stringify(r.inputs).split(repositoryName).join("<repository>"))]));
}

/** What moto, the sandbox's ECR API, recorded for a stack's repository: the policies as ECR returns them. */
async function recordedPolicies(repositoryName: string): Promise<{ lifecyclePolicy?: string; repositoryPolicy?: string }> {
    const repositoryPolicy = (await sandboxEcr().send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText;
    return { lifecyclePolicy: await storedLifecyclePolicy(repositoryName), repositoryPolicy };
}

interface Deployed {
    resources: Resource[];
    outputs: Record<string, string>;
    recorded: { lifecyclePolicy?: string; repositoryPolicy?: string };
}

async function deploy(stack: ProgramStack): Promise<Deployed> {
    stack.up();
    const outputs = stack.outputs();
    return { resources: stack.resources(), outputs, recorded: await recordedPolicies(SandboxRegistry.nameOf(outputs.repositoryUrl)) };
}

describe("10. other languages on the real engine", function () {
    describe("SDK generation from the repository root", () => {
        let out: string;
        before(() => {
            out = temporaryDir("gen-sdk");
        });
        after(() => fs.rmSync(out, { recursive: true, force: true }));

        const GENERATED: Record<string, string[]> = {
            nodejs: ["index.ts", "repository.ts", "image.ts", "package.json"],
            python: ["pulumi_ecrx/__init__.py", "pulumi_ecrx/repository.py", "pulumi_ecrx/_inputs.py", "pulumi_ecrx/pulumi-plugin.json"],
            go: ["ecrx/repository.go", "ecrx/image.go", "ecrx/pulumiTypes.go", "ecrx/pulumi-plugin.json"],
            java: ["src/main/java/com/ecrx/ecrx/Repository.java", "src/main/java/com/ecrx/ecrx/inputs/LifecycleSelectionArgs.java", "build.gradle"],
        };
        for (const [language, files] of Object.entries(GENERATED)) {
            it(`pulumi package gen-sdk . --language ${language} writes the ${language} SDK`, () => {
                ok(runInSandbox("pulumi", ["package", "gen-sdk", REPO_ROOT, "--language", language, "--out", out], REPO_ROOT), "gen-sdk");
                for (const file of files) {
                    assert.ok(fs.existsSync(path.join(out, language, file)), `${language}/${file} is generated`);
                }
            });
        }

        it("the generated Python SDK installs into a virtual environment and imports, with pulumi from PyPI", function () {
            const venv = path.join(out, "venv");
            ok(runInSandbox("python3", ["-m", "venv", venv], out), "python3 -m venv");
            ok(runInSandbox(path.join(venv, "bin", "pip"), ["install", "--quiet", path.join(out, "python")], out), "pip install");
            const imported = ok(runInSandbox(path.join(venv, "bin", "python"), ["-c",
                "import pulumi, pulumi_ecrx as e; print(e.Repository.__name__, e.Image.__name__, e.LifecycleSelectionArgs.__name__, pulumi.__name__)"], out), "import");
            assert.equal(imported.stdout.trim(), "Repository Image LifecycleSelectionArgs pulumi");
        });

        // There is no .NET SDK on this machine, so the C# SDK is only generated. The .NET generator
        // always downloads the package logo (GitHub's, when the schema names none), so a copy of the
        // schema names one served on loopback, by a child process: runInSandbox blocks this one.
        it("pulumi package gen-sdk --language dotnet writes the C# SDK (not built: no .NET SDK here)", async () => {
            const server = spawn(process.execPath, ["-e", `require("node:http").createServer((_, res) => res.end(Buffer.from("89504e470d0a1a0a", "hex")))
                .listen(0, "127.0.0.1", function () { console.log(this.address().port); });`], { stdio: ["ignore", "pipe", "inherit"] });
            try {
                const port = await new Promise<string>((resolve) => server.stdout.once("data", (data: Buffer) => resolve(data.toString().trim())));
                const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "provider", "schema.json"), "utf8"));
                schema.logoUrl = `http://127.0.0.1:${port}/logo.png`;
                const schemaFile = path.join(out, "schema.json");
                fs.writeFileSync(schemaFile, JSON.stringify(schema));
                ok(runInSandbox("pulumi", ["package", "gen-sdk", schemaFile, "--language", "dotnet", "--out", out], REPO_ROOT), "gen-sdk dotnet");
                for (const file of ["Repository.cs", "Image.cs", "Inputs/LifecycleSelectionArgs.cs", "Ecrx.Ecrx.csproj"]) {
                    assert.ok(fs.existsSync(path.join(out, "dotnet", file)), `dotnet/${file} is generated`);
                }
            } finally {
                server.kill();
            }
        });
    });

    describe("the examples deploy with their TypeScript twin's ECR resources", () => {
        const baseImage = () => sandboxEnv().ECRX_SANDBOX_BASE_IMAGE;
        const deployed: Record<string, Deployed> = {};
        const stacks: ProgramStack[] = [];

        function stackOf(dir: string, config: Record<string, string> = {}): ProgramStack {
            const stack = ProgramStack.create(dir, { config: { baseImage: baseImage(), forceDelete: "true", ...config } });
            stacks.push(stack);
            return stack;
        }

        after(() => stacks.forEach((stack) => stack.dispose()));

        it("TypeScript (the twin)", async () => {
            deployed.typescript = await deploy(stackOf(path.join(PROGRAMS, "twin"), { context: path.join(EXAMPLES, "go", "app") }));
            assert.match(deployed.typescript.outputs.imageUri, /@sha256:[0-9a-f]{64}$/);
        });

        it("Python: pulumi package add generates and installs pulumi_ecrx; the snake_case dicts deploy", async () => {
            const stack = stackOf(path.join(EXAMPLES, "python"));
            const added = stack.addEcrxPackage();
            assert.match(added.output, /import pulumi_ecrx as ecrx/);
            deployed.python = await deploy(stack);
        });

        it("Go: pulumi package add writes the module's replace; the structs deploy", async () => {
            const stack = stackOf(path.join(EXAMPLES, "go"));
            addStandInSdks(stack, "go");
            const added = stack.addEcrxPackage();
            assert.match(added.output, /import "github\.com\/ecrx\/ecrx\/sdk\/go\/ecrx"/);
            assert.match(fs.readFileSync(path.join(stack.dir, "go.mod"), "utf8"), /^replace github\.com\/ecrx\/ecrx\/sdk\/go => \.\/sdks\/ecrx$/m);
            deployed.go = await deploy(stack);
        });

        it("Java: the generated SDK compiles with Maven against com.pulumi:pulumi; the builders deploy", async () => {
            const stack = stackOf(path.join(EXAMPLES, "java"));
            addStandInSdks(stack, "java");
            stack.addEcrxPackage();
            assert.ok(fs.existsSync(path.join(stack.dir, "target", "classes", "com", "ecrx", "ecrx", "Repository.class")), "Maven compiled the SDK");
            deployed.java = await deploy(stack);
        });

        it("YAML: the maps deploy with no SDK", async () => {
            deployed.yaml = await deploy(stackOf(path.join(EXAMPLES, "yaml")));
        });

        it("every language registered the same ECR resources with the same inputs, and ECR holds byte-identical policies", () => {
            const languages = ["python", "go", "java", "yaml"];
            assert.deepEqual(languages.filter((language) => deployed[language] === undefined), [], "every example deployed");
            const expected = ecrChildren(deployed.typescript.resources);
            assert.deepEqual(Object.keys(expected).sort(), [
                "aws:ecr/lifecyclePolicy:LifecyclePolicy image-cache", "aws:ecr/lifecyclePolicy:LifecyclePolicy repository",
                "aws:ecr/repository:Repository image-cache", "aws:ecr/repository:Repository repository",
                "aws:ecr/repositoryPolicy:RepositoryPolicy repository",
            ]);
            for (const language of languages) {
                assert.deepEqual(ecrChildren(deployed[language].resources), expected, `${language}'s ECR resources`);
                const policy = (r: Resource[], type: string) => r.find((x) => x.type === type && x.urn.endsWith("::repository"))!.inputs!.policy;
                for (const type of ECR_TYPES.slice(1)) {
                    assert.equal(policy(deployed[language].resources, type), policy(deployed.typescript.resources, type), `${language}'s ${type} text`);
                }
                assert.equal(deployed[language].recorded.lifecyclePolicy, deployed.typescript.recorded.lifecyclePolicy, `${language}'s lifecycle policy in ECR`);
                assert.equal(deployed[language].recorded.repositoryPolicy, deployed.typescript.recorded.repositoryPolicy, `${language}'s repository policy in ECR`);
                assert.equal(deployed[language].outputs.lifecyclePolicy, deployed.typescript.outputs.lifecyclePolicy);
                assert.match(deployed[language].outputs.imageUri, /^127\.0\.0\.1:\d+\/repository-[0-9a-z]+@sha256:[0-9a-f]{64}$/);
            }
            assert.ok(deployed.typescript.recorded.lifecyclePolicy?.includes('"tagPrefixList":["prod"]'), "the object form of selection reached ECR");
        });

        it("Repository.buildAndPushImage from Python and Go returns a digest-pinned URI whose manifest the registry holds", async () => {
            const registry = new SandboxRegistry();
            for (const language of ["python", "go"]) {
                const { workerImageUri, repositoryUrl } = deployed[language].outputs;
                const match = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(workerImageUri);
                assert.ok(match !== null && match[1] === repositoryUrl, `${language}'s workerImageUri ${workerImageUri} is pinned in its repository`);
                const manifest = await registry.manifest(SandboxRegistry.nameOf(repositoryUrl), match[2]);
                assert.equal(manifest?.digest, match[2], `the registry holds ${language}'s worker image`);
            }
        });
    });

    describe("the other forms each language writes", () => {
        it("Python's args classes and TypedDicts emit the dicts' policy text", () => {
            const stack = ProgramStack.create(path.join(PROGRAMS, "python-forms"));
            try {
                stack.addEcrxPackage();
                stack.up();
                const outputs = stack.outputs();
                const expected = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},' +
                    '{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},' +
                    '{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}';
                assert.equal(outputs.argsClassesPolicy, expected);
                assert.equal(outputs.typedDictsPolicy, expected);
            } finally {
                stack.dispose();
            }
        });
    });

    describe("validation errors reach the user cleanly", () => {
        it("Python: each property path and reason, once, and nothing registered", () => {
            const stack = ProgramStack.create(path.join(PROGRAMS, "python-invalid"));
            try {
                stack.addEcrxPackage();
                const preview = stack.pulumi(["preview"]);
                assert.notEqual(preview.code, 0);
                // The engine shows the error once under Diagnostics and once in the progress lines above;
                // within the diagnostic, each property's reason appears once, under a one-line headline.
                const diagnostics = preview.output.slice(preview.output.indexOf("Diagnostics:"));
                assert.match(diagnostics, /error: ecrx:index:Repository resource 'bad-rules' has a problem: Repository "bad-rules" has 2 problems\n/);
                for (const path of ["lifeCyclePolicyArgs.rules[0].selection", "lifeCyclePolicyArgs.rules[1].maximumNumberOfImages"]) {
                    assert.equal(diagnostics.split(path).length - 1, 1, `the diagnostic names ${path} once:\n${diagnostics}`);
                }
                assert.match(diagnostics, /property lifeCyclePolicyArgs\.rules\[0\]\.selection with value "sometimes" has a problem: must be "untagged", "any", "tagged"/);
                assertNoStackFrames(preview.output);
                assert.doesNotMatch(preview.output, /aws:ecr/, "no ECR resource is planned");
            } finally {
                stack.dispose();
            }
        });

        it("YAML: a word where a count goes and an unknown property, each named with its path", () => {
            const stack = ProgramStack.create(path.join(PROGRAMS, "yaml-invalid"));
            try {
                const preview = stack.pulumi(["preview"]);
                assert.notEqual(preview.code, 0);
                assert.match(preview.output, /maximumAgeLimit/);
                assert.match(preview.output, /scanOnPsh/);
                assertNoStackFrames(preview.output);
            } finally {
                stack.dispose();
            }
        });
    });
});
