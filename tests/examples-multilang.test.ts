// A fast check of the YAML example against the schema, for \`npm test\`: every type, property and
// nested field it uses exists. The Python, Go and YAML examples really run in the e2e suite
// (tests/e2e/languages.e2e.ts), through the generated SDKs and the real engine.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const root = path.resolve(__dirname, "..");
const schema = JSON.parse(fs.readFileSync(path.join(root, "provider", "schema.json"), "utf8"));

type PropertySpec = { type?: string; $ref?: string; items?: PropertySpec; additionalProperties?: PropertySpec; oneOf?: PropertySpec[]; enum?: { value: string }[] };

/** Where `value` does not fit `spec` in the schema, as property paths with the reason. */
function mismatches(value: unknown, spec: PropertySpec, where: string): string[] {
    if (typeof value === "string" && /^\$\{[^}]+\}$/.test(value)) {
        return []; // A YAML interpolation: checked by the reference check below.
    }
    if (spec.oneOf !== undefined) {
        const fits = spec.oneOf.map((option) => mismatches(value, option, where));
        return fits.some((problems) => problems.length === 0) ? [] : fits.flat();
    }
    if (spec.$ref !== undefined) {
        if (!spec.$ref.startsWith("#/types/")) {
            return []; // Another package's type, checked by that package.
        }
        return mismatches(value, schema.types[decodeURIComponent(spec.$ref.slice("#/types/".length))], where);
    }
    if (spec.enum !== undefined) {
        return spec.enum.some((option) => option.value === value) ? [] : [`${where}: ${JSON.stringify(value)} is not one of ${spec.enum.map((o) => o.value).join(", ")}`];
    }
    switch (spec.type) {
        case "array":
            return Array.isArray(value) ? value.flatMap((item, index) => mismatches(item, spec.items!, `${where}[${index}]`)) : [`${where}: expected a list`];
        case "object": {
            if (typeof value !== "object" || value === null) {
                return [`${where}: expected an object`];
            }
            const properties: Record<string, PropertySpec> | undefined = (spec as any).properties;
            return Object.entries(value).flatMap(([key, inner]) => {
                const innerSpec = properties?.[key] ?? spec.additionalProperties;
                return innerSpec === undefined ? [`${where}.${key}: not in the schema`] : mismatches(inner, innerSpec, `${where}.${key}`);
            });
        }
        case "string": case "integer": case "number": case "boolean":
            return typeof value === (spec.type === "integer" ? "number" : spec.type) ? [] : [`${where}: expected ${spec.type}`];
        default:
            return [`${where}: unsupported spec ${JSON.stringify(spec)}`];
    }
}

function resourceMismatches(type: string, properties: Record<string, unknown>, where: string): string[] {
    const resource = schema.resources[type];
    if (resource === undefined) {
        return [`${where}: resource type ${type} is not in the schema`];
    }
    return mismatches(properties, { type: "object", properties: resource.inputProperties } as PropertySpec, where);
}

describe("multi-language examples match the schema", () => {
    it("the YAML example uses only schema types and properties, and references what it declares", () => {
        const program = yaml.load(fs.readFileSync(path.join(root, "examples", "yaml", "Pulumi.yaml"), "utf8")) as any;
        assert.equal(program.packages.ecrx, "../..", "the example must load this repository as the ecrx package");
        const resources: Record<string, { type: string; properties: Record<string, unknown> }> = program.resources;
        assert.deepEqual(Object.values(resources).map((r) => r.type).sort(), ["ecrx:index:Image", "ecrx:index:Repository"]);
        const problems = Object.entries(resources).flatMap(([name, r]) => resourceMismatches(r.type, r.properties, name));
        // References: ${resource} or ${resource.output} must name a declared resource and an output it has,
        // or ${name} a declared config value.
        const text = JSON.stringify({ resources, outputs: program.outputs });
        for (const [, target, output] of text.matchAll(/\$\{([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_]+))?\}/g)) {
            const resource = resources[target];
            if (resource === undefined && output === undefined && target in (program.config ?? {})) {
                continue; // A config value the program declares.
            }
            if (resource === undefined) {
                problems.push(`\${${target}}: no such resource`);
            } else if (output !== undefined && !(output in schema.resources[resource.type].properties)) {
                problems.push(`\${${target}.${output}}: ${resource.type} has no output ${output}`);
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(fs.existsSync(path.join(root, "examples", "yaml", resources.image.properties.context as string, "Dockerfile")));
    });

    it("the schema check itself rejects a property the schema lacks, at the top and nested", () => {
        assert.deepEqual(resourceMismatches("ecrx:index:Repository", { scanOnPsh: true }, "repo"), ["repo.scanOnPsh: not in the schema"]);
        assert.deepEqual(resourceMismatches("ecrx:index:Repository", { lifeCyclePolicyArgs: { rules: [{ selection: { tag_prefix_list: ["prod"] }, maximumNumberOfImages: 1 }] } }, "repo"),
            ["repo.lifeCyclePolicyArgs.rules[0].selection: expected string", "repo.lifeCyclePolicyArgs.rules[0].selection.tag_prefix_list: not in the schema"]);
    });
});
