// The YAML and Python examples run only under the Pulumi CLI, which is not here. What can drift is
// their use of the package: so every type, property and nested field they use must exist in the schema.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
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

function snakeToCamel(name: string): string {
    return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Python dict keys and keyword names are snake_case; the schema's are camelCase. */
function camelKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(camelKeys);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeToCamel(key), camelKeys(inner)]));
    }
    return value;
}

describe("multi-language examples match the schema", () => {
    it("the YAML example uses only schema types and properties, and references what it declares", () => {
        const program = yaml.load(fs.readFileSync(path.join(root, "examples", "yaml", "Pulumi.yaml"), "utf8")) as any;
        assert.equal(program.packages.ecrx, "../..", "the example must load this repository as the ecrx package");
        const resources: Record<string, { type: string; properties: Record<string, unknown> }> = program.resources;
        assert.deepEqual(Object.values(resources).map((r) => r.type).sort(), ["ecrx:index:Image", "ecrx:index:Repository"]);
        const problems = Object.entries(resources).flatMap(([name, r]) => resourceMismatches(r.type, r.properties, name));
        // References: ${resource} or ${resource.output} must name a declared resource and an output it has.
        const text = JSON.stringify({ resources, outputs: program.outputs });
        for (const [, target, output] of text.matchAll(/\$\{([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_]+))?\}/g)) {
            const resource = resources[target];
            if (resource === undefined) {
                problems.push(`\${${target}}: no such resource`);
            } else if (output !== undefined && !(output in schema.resources[resource.type].properties)) {
                problems.push(`\${${target}.${output}}: ${resource.type} has no output ${output}`);
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(fs.existsSync(path.join(root, "examples", "yaml", resources.image.properties.context as string, "Dockerfile")));
    });

    it("the Python example compiles and its calls use only schema properties", () => {
        // Python's own parser reads the calls, so the test sees exactly the keywords and literals the example passes.
        const extractor = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
calls = []
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        base = node.func.value
        owner = base.id if isinstance(base, ast.Name) else None
        def literal(v):
            try: return ast.literal_eval(v)
            except Exception: return "<expression>"
        calls.append({"owner": owner, "name": node.func.attr, "kwargs": {k.arg: literal(k.value) for k in node.keywords}})
print(json.dumps(calls))`;
        const calls: Array<{ owner: string | null; name: string; kwargs: Record<string, unknown> }> =
            JSON.parse(execFileSync("python3", ["-c", extractor, path.join(root, "examples", "python", "__main__.py")], { encoding: "utf8" }));
        const asSchemaValue = (kwargs: Record<string, unknown>) =>
            camelKeys(Object.fromEntries(Object.entries(kwargs).filter(([, v]) => v !== "<expression>"))) as Record<string, unknown>;
        const components = calls.filter((c) => c.owner === "ecrx");
        assert.deepEqual(components.map((c) => c.name).sort(), ["Image", "Repository"]);
        const problems = components.flatMap((c) => resourceMismatches(`ecrx:index:${c.name}`, asSchemaValue(c.kwargs), c.name));
        const method = calls.find((c) => c.name === "build_and_push_image");
        assert.ok(method !== undefined, "the example shows the method form");
        const methodInputs = schema.functions["ecrx:index:Repository/buildAndPushImage"].inputs.properties;
        problems.push(...mismatches(asSchemaValue(method.kwargs), { type: "object", properties: methodInputs } as PropertySpec, "build_and_push_image"));
        assert.deepEqual(problems, []);
    });

    it("the schema check itself rejects a property the schema lacks, in YAML and in Python form", () => {
        assert.deepEqual(resourceMismatches("ecrx:index:Repository", { scanOnPsh: true }, "repo"), ["repo.scanOnPsh: not in the schema"]);
        const badSelection = resourceMismatches("ecrx:index:Repository",
            camelKeys({ life_cycle_policy_args: { rules: [{ selection: "sometimes", maximum_age_limit: 3 }] } }) as any, "repo");
        assert.ok(badSelection.includes('repo.lifeCyclePolicyArgs.rules[0].selection: "sometimes" is not one of tagged, untagged, any'), badSelection.join("\n"));
        assert.deepEqual(resourceMismatches("ecrx:index:Repository",
            camelKeys({ life_cycle_policy_args: { rules: [{ selection: { tag_prefix_list: ["prod"] }, maximum_number_of_images: 1 }] } }) as any, "repo"), []);
    });
});
