// The `ecrx` command line. `bin/ecrx.js` runs the compiled form of this file; tests call `main` directly.
import { parseArgs } from "node:util";
import { parseTimestamp, timestampProblem } from "../sdk/lifecycle";
import type { InUseOptions } from "./in-use";
import { CliIO, UsageError, UserError } from "./io";
import { DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS } from "./live-defaults";
import { printable } from "./terminal-text";
import { EXIT_GUARD_TRIPPED, plan, PlanOptions } from "./plan";
import { DEFAULT_PREVIEW_POLL_INTERVAL_SECONDS, DEFAULT_PREVIEW_TIMEOUT_SECONDS, EXIT_PREVIEW_DISAGREES, previewSettings } from "./preview-options";
import { readSeconds } from "./seconds-option";

const EXIT_ERROR = 1;

const USAGE = `Usage: ecrx lifecycle plan [options]

Shows which images an ECR lifecycle policy would expire or archive, and why, without touching anything.

Offline, from files:
  --policy FILE           the policy: a policy document, or get-lifecycle-policy output
  --images FILE           describe-images output, or a JSON list of images
  --index-children FILE   optional: {"<index digest>": ["<child digest>", ...]}, so that the
                          children of multi-architecture images show as kept, as ECR keeps them

Live, from ECR (standard AWS credential chain, read-only calls):
  --repository NAME       read the images and (unless --policy) the stored policy
  --region REGION         default: from AWS_REGION or the AWS config
  --registry-id ID        default: the caller's account
  --endpoint-url URL      another ECR endpoint (default: AWS_ENDPOINT_URL_ECR, if set)
  --policy FILE           plan this policy instead of the stored one
  --compare-aws-preview   also run ECR's own lifecycle policy preview of the same policy and list
                          every image on which it and this plan disagree (exit code 3 if any)
  --preview-timeout SECS  how long to wait for ECR's preview (default: ${DEFAULT_PREVIEW_TIMEOUT_SECONDS})
  --preview-poll-interval SECS
                          how often to ask whether it is done (default: ${DEFAULT_PREVIEW_POLL_INTERVAL_SECONDS})
  --read-index-manifests  read image index manifests (BatchGetImage) to protect their children; ECR
                          may record each read as a pull of the index (see the README). Default: off
  --timeout SECONDS       give up on a request ECR does not answer in time (default: ${DEFAULT_TIMEOUT_SECONDS})

Images in use (live only; read-only calls, with the same credentials and region):
  --in-use SOURCES        flag images that workloads use and a rule would expire or archive:
                          a comma list of ecs, lambda, kubernetes
  --ecs-cluster NAME      a cluster whose services and tasks to check; may be repeated (default: all)
  --kubeconfig FILE       default: KUBECONFIG, or ~/.kube/config
  --context NAME          the kubeconfig context (default: its current context)
  --fail-on-expire-in-use
                          exit with code ${EXIT_GUARD_TRIPPED} if an image in use would expire or archive, or if
                          a source denied a call while any image would expire or archive

Output:
  --format table|json     default: table (coloured on a terminal unless NO_COLOR is set)
  --now TIME              evaluate at this time: ISO 8601 with a zone, or epoch seconds (default: now)
  --fail-on-expire GLOB   exit with code ${EXIT_GUARD_TRIPPED} if an image with a tag matching GLOB ("*" wildcard)
                          would expire; may be repeated. A guard for CI, such as --fail-on-expire 'prod*'
  -h, --help              show this help

Exit codes: 0 planned, ${EXIT_ERROR} error, ${EXIT_GUARD_TRIPPED} a --fail-on-expire or --fail-on-expire-in-use guard tripped,
${EXIT_PREVIEW_DISAGREES} ECR's preview disagrees with the plan (--compare-aws-preview).
`;

const OPTIONS = {
    "policy": { type: "string" },
    "images": { type: "string" },
    "index-children": { type: "string" },
    "repository": { type: "string" },
    "region": { type: "string" },
    "registry-id": { type: "string" },
    "endpoint-url": { type: "string" },
    "read-index-manifests": { type: "boolean" },
    "timeout": { type: "string" },
    "format": { type: "string" },
    "now": { type: "string" },
    "fail-on-expire": { type: "string", multiple: true },
    "compare-aws-preview": { type: "boolean" },
    "preview-timeout": { type: "string" },
    "preview-poll-interval": { type: "string" },
    "in-use": { type: "string" },
    "ecs-cluster": { type: "string", multiple: true },
    "kubeconfig": { type: "string" },
    "context": { type: "string" },
    "fail-on-expire-in-use": { type: "boolean" },
    "help": { type: "boolean", short: "h" },
} as const;

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
    try {
        const { values, positionals } = parseCommandLine(argv);
        if (values.help === true) {
            io.stdout.write(USAGE);
            return 0;
        }
        if (positionals.join(" ") !== "lifecycle plan") {
            throw new UsageError(positionals.length === 0 ? "no command given: the command is \"ecrx lifecycle plan\"."
                : `unknown command "${positionals.join(" ")}": the command is "ecrx lifecycle plan".`);
        }
        return await plan(planOptions(values), io);
    } catch (error) {
        if (error instanceof UserError) {
            const hint = error instanceof UsageError ? "\nRun \"ecrx lifecycle plan --help\" for the options." : "";
            io.stderr.write(`ecrx: ${printable(error.message)}${hint}\n`);
        } else {
            io.stderr.write(`ecrx: unexpected error, please report it:\n${error instanceof Error ? error.stack : String(error)}\n`);
        }
        return EXIT_ERROR;
    }
}

function parseCommandLine(argv: string[]): { values: ParsedValues; positionals: string[] } {
    try {
        return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        // parseArgs explains missing values well, but buries an unknown option in advice about positionals.
        const message = (error as Error).message;
        const unknown = /^Unknown option '([^']+)'/.exec(message);
        throw new UsageError(unknown !== null ? `unknown option ${unknown[1]}.` : message);
    }
}

function planOptions(values: ParsedValues): PlanOptions {
    const live = values.repository !== undefined;
    const misplaced = live
        ? (["images", "index-children"] as const).filter((name) => values[name] !== undefined)
        : (["region", "registry-id", "endpoint-url", "read-index-manifests", "timeout"] as const).filter((name) => values[name] !== undefined);
    if (misplaced.length > 0) {
        throw new UsageError(live
            ? `--${misplaced.join(" and --")} ${misplaced.length === 1 ? "is" : "are"} for offline plans, but --repository asks for a live one: give one or the other.`
            : `--${misplaced.join(" and --")} only ${misplaced.length === 1 ? "applies" : "apply"} to live plans: add --repository NAME.`);
    }
    const missing = live ? [] : (["policy", "images"] as const).filter((name) => values[name] === undefined);
    if (missing.length > 0) {
        throw new UsageError(`--${missing.join(" and --")} ${missing.length === 1 ? "is" : "are"} missing: an offline plan needs ` +
            "--policy FILE and --images FILE (or plan live with --repository NAME).");
    }
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") {
        throw new UsageError(`--format must be "table" or "json", but is "${format}".`);
    }
    for (const pattern of values["fail-on-expire"] ?? []) {
        if (pattern === "") {
            throw new UsageError("--fail-on-expire needs a tag pattern, such as 'prod*'.");
        }
    }
    return {
        policyFile: values.policy,
        imagesFile: values.images,
        indexChildrenFile: values["index-children"],
        live: live ? {
            repository: values.repository!,
            region: values.region,
            registryId: values["registry-id"],
            endpointUrl: values["endpoint-url"],
            timeoutMs: readSeconds(values.timeout, "--timeout", DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS) * 1000,
            readIndexManifests: values["read-index-manifests"] === true,
        } : undefined,
        format,
        now: readNow(values.now),
        failOnExpire: values["fail-on-expire"] ?? [],
        compareAwsPreview: previewSettings(values),
        inUse: readInUse(values, live),
        failOnExpireInUse: values["fail-on-expire-in-use"] === true,
    };
}

const IN_USE_SOURCES = ["ecs", "lambda", "kubernetes"] as const;

function readInUse(values: ParsedValues, live: boolean): InUseOptions | undefined {
    const text = values["in-use"];
    if (text === undefined) {
        const orphans = (["ecs-cluster", "kubeconfig", "context", "fail-on-expire-in-use"] as const).filter((name) => values[name] !== undefined);
        if (orphans.length > 0) {
            throw new UsageError(`--${orphans.join(" and --")} ${orphans.length === 1 ? "needs" : "need"} --in-use, such as --in-use ecs,lambda,kubernetes.`);
        }
        return undefined;
    }
    if (!live) {
        throw new UsageError("--in-use asks ECS, Lambda or Kubernetes which images they run, so it needs a live plan: add --repository NAME.");
    }
    const sources = text.split(",").map((source) => source.trim());
    const unknown = sources.filter((source) => !(IN_USE_SOURCES as readonly string[]).includes(source));
    if (unknown.length > 0 || text.trim() === "") {
        throw new UsageError(`--in-use takes a comma list of ${IN_USE_SOURCES.join(", ")}, but ${text.trim() === "" ? "is empty" : `has "${unknown.join("\", \"")}"`}.`);
    }
    const chosen = IN_USE_SOURCES.filter((source) => sources.includes(source));
    const misplaced = [
        ...(values["ecs-cluster"] !== undefined && !chosen.includes("ecs") ? [["ecs-cluster", "ecs"]] : []),
        ...(["kubeconfig", "context"] as const).filter((name) => values[name] !== undefined && !chosen.includes("kubernetes")).map((name) => [name, "kubernetes"]),
    ];
    if (misplaced.length > 0) {
        throw new UsageError(misplaced.map(([option, source]) => `--${option} only applies to --in-use ${source}`).join("; ") + `, but --in-use is "${text}".`);
    }
    for (const cluster of values["ecs-cluster"] ?? []) {
        if (cluster === "") {
            throw new UsageError("--ecs-cluster needs a cluster name or ARN.");
        }
    }
    return { sources: chosen, ecsClusters: values["ecs-cluster"] ?? [], kubeconfig: values.kubeconfig, kubeContext: values.context };
}

function readNow(text: string | undefined): Date {
    if (text === undefined) {
        return new Date();
    }
    const value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    const time = parseTimestamp(value);
    if (Number.isNaN(time)) {
        throw new UsageError(`--now ${timestampProblem(value)}`);
    }
    return new Date(time);
}

/** Runs the CLI as this process: its arguments, its streams, its exit code. */
export function runAsProcess(): void {
    // `ecrx lifecycle plan ... | head`: once the reader has gone, there is nobody to tell; end quietly.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") {
            throw error;
        }
        process.exit(process.exitCode ?? 0);
    });
    main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
        .then((code) => { process.exitCode = code; });
}

if (require.main === module) {
    runAsProcess();
}
