// `npm start`: what ecrx does, without a cloud. Runs examples/ecs-fargate as `pulumi preview` would, against
// the mocked engine the tests use, and prints the plan; then evaluates the example's lifecycle policy on a
// sample repository. Nothing is built, pushed or created, and no credentials are needed.
//
//   node -r ts-node/register/transpile-only demo/preview.ts [--now <ISO 8601 time>]
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { lifecycle } from "../sdk";
import { shortDigest } from "../sdk/lifecycle";
import {
    DOCKER_BUILD_IMAGE, EcrMocks, FAKE_ACCOUNT, FAKE_REGION, isKnownOutput, isSecretOutput, isSecretWrapper, LIFECYCLE_POLICY, Registration,
    REPOSITORY_COMPONENT, settle, valueOf,
} from "../sdk/testing";
import { ExampleCloud } from "./example-cloud";
import { loadExample } from "./example-loader";
import { isRecord } from "../sdk/validation/errors";

const EXAMPLE = "ecs-fargate";
const SAMPLE_IMAGES = path.join(__dirname, "sample-images.json");
/** When the sample repository was listed: its push times are relative to this moment. */
const SAMPLE_LISTED_AT = "2025-06-01T00:00:00Z";

const UNKNOWN_TEXT = "(known after apply)";
const SECRET_TEXT = "[secret]";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

// ---- Rendering wire values --------------------------------------------------------------------


/** One line for a value as the program sent it: unknowns and secrets by name only, never a guess or a secret. */
function showValue(value: unknown): string {
    if (value === unknownValue) {
        return UNKNOWN_TEXT;
    }
    if (isSecretWrapper(value)) {
        return SECRET_TEXT;
    }
    if (Array.isArray(value)) {
        return `[${value.map(showValue).join(", ")}]`;
    }
    if (isRecord(value)) {
        return Object.entries(value)
            .map(([key, inner]) => isRecord(inner) && !isSecretWrapper(inner) ? `${key}(${showValue(inner)})` : `${key}=${showValue(inner)}`)
            .join(" ");
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Local paths as the user would type them from here, so the output does not depend on the checkout's location. */
function showPath(value: unknown): string {
    return typeof value === "string" && path.isAbsolute(value) ? path.relative(process.cwd(), value) || "." : showValue(value);
}

/** `label  value` rows; a list gets one row per entry, so long references stay readable. */
function field(label: string, value: unknown, show: (value: unknown) => string = showValue): string[] {
    const entries = Array.isArray(value) ? value : [value];
    if (entries.length === 0) {
        return [`  ${label.padEnd(12)} (none)`];
    }
    return entries.map((entry, index) => `  ${(index === 0 ? label : "").padEnd(12)} ${show(entry)}`);
}

// ---- Sections ---------------------------------------------------------------------------------

/** The resources as `pulumi preview` lists them: children under their parents, in registration order. */
function resourceTree(registrations: Registration[]): string[] {
    const urns = new Set(registrations.map((r) => r.urn));
    const childrenOf = (parent: string | undefined) => registrations.filter((r) =>
        parent === undefined ? r.parent === undefined || !urns.has(r.parent) : r.parent === parent);
    const rows: Array<{ indent: string; registration: Registration }> = [];
    const walk = (parent: string | undefined, childIndent: string) => {
        const children = childrenOf(parent);
        children.forEach((child, index) => {
            const last = index === children.length - 1;
            rows.push({ indent: parent === undefined ? "" : `${childIndent}${last ? "└─ " : "├─ "}`, registration: child });
            walk(child.urn, parent === undefined ? "" : `${childIndent}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    const width = Math.max(...rows.map((row) => row.indent.length + row.registration.type.length));
    return [
        `     ${"Type".padEnd(width)}  Name`,
        ...rows.map(({ indent, registration }) => ` +   ${(indent + registration.type).padEnd(width)}  ${registration.name}`),
        "",
        "Resources:",
        `    + ${registrations.length} to create`,
    ];
}

function lifecyclePolicySection(cloud: EcrMocks): { lines: string[]; policy?: lifecycle.PolicyDocument } {
    const repository = cloud.ofType(REPOSITORY_COMPONENT).find((r) => r.parent === undefined);
    const policyResource = cloud.ofType(LIFECYCLE_POLICY).find((r) => repository !== undefined && r.parent === repository.urn);
    const text = policyResource?.wireInputs?.policy;
    if (repository === undefined || policyResource === undefined || typeof text !== "string") {
        return { lines: [`  ${policyResource === undefined ? "(no lifecycle policy)" : UNKNOWN_TEXT}`] };
    }
    const policy = lifecycle.parsePolicyDocument(JSON.parse(text));
    return {
        lines: [`  ${REPOSITORY_COMPONENT} ${repository.name} → ${LIFECYCLE_POLICY} ${policyResource.name}:`, ...JSON.stringify(policy, null, 2).split("\n")],
        policy,
    };
}

function dockerBuildSection(cloud: EcrMocks): string[] {
    return cloud.ofType(DOCKER_BUILD_IMAGE).flatMap((image) => {
        const inputs = image.wireInputs ?? {};
        const dockerfile = isRecord(inputs.dockerfile) ? inputs.dockerfile : {};
        return [
            `  ${DOCKER_BUILD_IMAGE} ${image.name}`,
            ...field("context", isRecord(inputs.context) ? inputs.context.location : inputs.context, showPath),
            ...(dockerfile.inline !== undefined ? field("dockerfile", "(inline)") : field("dockerfile", dockerfile.location, showPath)),
            ...field("platforms", inputs.platforms),
            ...field("tags", inputs.tags),
            ...field("push", inputs.push),
            ...field("cacheFrom", inputs.cacheFrom ?? []),
            ...field("cacheTo", inputs.cacheTo ?? []),
            ...field("registries", inputs.registries ?? []),
        ];
    });
}

function containerImageSection(cloud: EcrMocks): string[] {
    return cloud.ofType(TASK_DEFINITION).flatMap((task) => {
        const definitions = task.wireInputs?.containerDefinitions;
        if (typeof definitions !== "string" || definitions === unknownValue) {
            // The definitions embed the image's digest, which exists only once the image is pushed.
            return [`  ${TASK_DEFINITION} ${task.name}`, ...field("image", definitions)];
        }
        return [`  ${TASK_DEFINITION} ${task.name}`, ...JSON.parse(definitions).flatMap((container: { name: string; image: string }) =>
            field(`${container.name}.image`, container.image))];
    });
}

async function outputsSection(exports: Record<string, unknown>): Promise<string[]> {
    const rows: string[] = [];
    for (const [name, value] of Object.entries(exports)) {
        if (!pulumi.Output.isInstance(value)) {
            continue;
        }
        const shown = !(await isKnownOutput(value)) ? UNKNOWN_TEXT : (await isSecretOutput(value)) ? SECRET_TEXT : showValue(await valueOf(value));
        rows.push(`  ${name.padEnd(12)} ${shown}`);
    }
    return rows;
}

function pushedOn(time: lifecycle.Timestamp): string {
    return new Date(typeof time === "number" ? time * 1000 : time).toISOString().slice(0, 10);
}

function simulationSection(policy: lifecycle.PolicyDocument, images: lifecycle.LifecycleImage[], now: string): string[] {
    const result = lifecycle.simulate(policy, images, { now });
    const table = (rows: lifecycle.SimulatedImage[]) => {
        const cells = rows.map((image) => [image.action, shortDigest(image.imageDigest), image.imageTags.join(",") || "<untagged>",
            pushedOn(image.imagePushedAt), image.reason]);
        const headers = ["ACTION", "IMAGE", "TAGS", "PUSHED", "WHY"];
        const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column].length)));
        const line = (row: string[]) => `  ${row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column])).join("  ")}`;
        return [line(headers), ...cells.map(line)];
    };
    const { expire, archive, keep } = result.summary;
    return [
        ...table(result.images),
        "",
        `  ${expire} to expire, ${archive} to archive, ${keep} to keep (of ${result.images.length}).`,
    ];
}

// ---- Main -------------------------------------------------------------------------------------

function parseArguments(argv: string[]): { now: string } {
    let now = SAMPLE_LISTED_AT;
    for (let index = 0; index < argv.length; index++) {
        if (argv[index] === "--now" && argv[index + 1] !== undefined) {
            now = argv[++index];
        } else {
            throw new Error(`unexpected argument ${JSON.stringify(argv[index])}; usage: demo/preview.ts [--now <ISO 8601 time>]`);
        }
    }
    return { now };
}

function heading(title: string): string[] {
    return ["", title, "─".repeat(title.length)];
}

async function main(): Promise<void> {
    const { now } = parseArguments(process.argv.slice(2));
    // The runtime must be mocked before the program (and the SDK it imports) is loaded.
    const cloud = new ExampleCloud({ preview: true }).install();
    const exports = loadExample(EXAMPLE);
    await settle();

    const policy = lifecyclePolicySection(cloud);
    const lines = [
        `Previewing examples/${EXAMPLE} offline: a mocked engine in preview mode, so nothing is built, pushed or created.`,
        `The mock stands in for AWS account ${FAKE_ACCOUNT} in ${FAKE_REGION} and answers names and URLs at once; what only a real`,
        `build or the cloud can tell (the image digest, the load balancer's DNS name) shows as ${UNKNOWN_TEXT}.`,
        ...heading("Resources that `pulumi preview` would create"),
        ...resourceTree(cloud.registrations),
        ...heading("Lifecycle policy (exact JSON applied to the repository)"),
        ...policy.lines,
        ...heading("Docker build and push"),
        ...dockerBuildSection(cloud),
        ...heading("ECS container image"),
        ...containerImageSection(cloud),
        ...heading("Stack outputs"),
        ...await outputsSection(exports),
    ];
    if (policy.policy !== undefined) {
        const images: lifecycle.LifecycleImage[] = JSON.parse(fs.readFileSync(SAMPLE_IMAGES, "utf8")).imageDetails;
        lines.push(
            ...heading(`Lifecycle simulation: the policy above on ${path.relative(process.cwd(), SAMPLE_IMAGES)} at ${now}`),
            ...simulationSection(policy.policy, images, now),
        );
    }
    console.log(lines.join("\n"));
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
});
