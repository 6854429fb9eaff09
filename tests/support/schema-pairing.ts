// Which TypeScript declaration each object of provider/schema.json describes: the argument interfaces pair
// with the schema's types and resource inputs, the component classes with the resources' outputs.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILD_AND_PUSH_IMAGE, IMAGE_COMPONENT, REPOSITORY_COMPONENT } from "./tokens";
import { ROOT, sdkApi, TsProperty, TypeScriptApi } from "./typescript-api";

export const SCHEMA_FILE = path.join(ROOT, "provider", "schema.json");

export function readSchema(): any {
    return JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
}

/** One property as the schema declares it. */
export interface SchemaProperty {
    required: boolean;
    $ref?: string;
    description?: string;
}

export interface Pairing {
    /** What is compared, for messages: `RepositoryArgs ↔ resources[ecrx:index:Repository].inputProperties`. */
    label: string;
    ts: Map<string, TsProperty>;
    schema: Map<string, SchemaProperty>;
    /** Whether `required` must match optionality (inputs); outputs may be absent at run time either way. */
    compareRequired: boolean;
}

export function schemaProperties(objectSpec: { properties?: Record<string, { $ref?: string; description?: string }>; required?: string[] },
    requiredList: string[] = objectSpec.required ?? []): Map<string, SchemaProperty> {
    const required = new Set(requiredList);
    return new Map(Object.entries(objectSpec.properties ?? {}).map(([name, spec]) => [name, {
        required: required.has(name), $ref: spec.$ref, description: spec.description,
    }]));
}

export interface PairingSpec {
    file: string;
    /** An interface (inputs) or a component class (outputs). */
    name: string;
    kind: "inputs" | "outputs";
    /** Where the schema declares the counterpart, for messages. */
    where: string;
    schemaSide(schema: any): Map<string, SchemaProperty>;
}

function typeSpec(file: string, name: string, token: string): PairingSpec {
    return {
        file, name, kind: "inputs", where: `types[${token}]`,
        schemaSide: (schema) => {
            assert.ok(schema.types[token], `the schema has no type ${token}`);
            return schemaProperties(schema.types[token]);
        },
    };
}

function resourceInputsSpec(file: string, name: string, token: string): PairingSpec {
    return {
        file, name, kind: "inputs", where: `resources[${token}].inputProperties`,
        schemaSide: (schema) => schemaProperties({ properties: schema.resources[token].inputProperties }, schema.resources[token].requiredInputs ?? []),
    };
}

function outputsSpec(file: string, name: string, token: string): PairingSpec {
    return { file, name, kind: "outputs", where: `resources[${token}].properties`, schemaSide: (schema) => schemaProperties(schema.resources[token]) };
}

export const PAIRINGS: PairingSpec[] = [
    resourceInputsSpec("sdk/repository.ts", "RepositoryArgs", REPOSITORY_COMPONENT),
    typeSpec("sdk/repository.ts", "RepositoryAccess", "ecrx:index:RepositoryAccess"),
    typeSpec("sdk/repository.ts", "RepositoryEncryption", "ecrx:index:RepositoryEncryption"),
    typeSpec("sdk/lifecycle/types.ts", "LifecyclePolicyArgs", "ecrx:index:LifecyclePolicyArgs"),
    typeSpec("sdk/lifecycle/types.ts", "LifecycleRule", "ecrx:index:LifecycleRule"),
    typeSpec("sdk/lifecycle/types.ts", "LifecycleSelection", "ecrx:index:LifecycleSelection"),
    resourceInputsSpec("sdk/image.ts", "ImageArgs", IMAGE_COMPONENT),
    typeSpec("sdk/image.ts", "ImageSsh", "ecrx:index:ImageSsh"),
    typeSpec("sdk/image.ts", "RegistryCredentials", "ecrx:index:RegistryCredentials"),
    typeSpec("sdk/scan-gate/types.ts", "ScanGateArgs", "ecrx:index:ScanGateSettings"),
    typeSpec("sdk/scan-gate/types.ts", "ScanGateIgnore", "ecrx:index:ScanGateIgnore"),
    typeSpec("sdk/scan-gate/types.ts", "ScanSeverityCounts", "ecrx:index:ScanSeverityCounts"),
    typeSpec("sdk/scan-gate/types.ts", "ScanFindings", "ecrx:index:ScanFindings"),
    typeSpec("sdk/scan-gate/types.ts", "IgnoredScanFinding", "ecrx:index:IgnoredScanFinding"),
    typeSpec("sdk/scan-gate/types.ts", "ExpiredScanIgnore", "ecrx:index:ExpiredScanIgnore"),
    typeSpec("sdk/scan-gate/types.ts", "ScanFindingsImage", "ecrx:index:ScanFindingsImage"),
    {
        file: "sdk/image.ts", name: "RepositoryImageArgs", kind: "inputs", where: `functions[${BUILD_AND_PUSH_IMAGE}].inputs (without __self__)`,
        schemaSide: (schema) => {
            // The method's receiver is the Repository it is called on, not an argument: `__self__` has no
            // TypeScript counterpart in RepositoryImageArgs (in TypeScript it is `this`), so it is checked here.
            const { __self__, ...args } = schema.functions[BUILD_AND_PUSH_IMAGE].inputs.properties;
            assert.deepEqual(__self__, { $ref: `#/resources/${REPOSITORY_COMPONENT}` }, "the method's __self__ must be the Repository");
            const required = (schema.functions[BUILD_AND_PUSH_IMAGE].inputs.required ?? []).filter((name: string) => name !== "__self__");
            return schemaProperties({ properties: args }, required);
        },
    },
    outputsSpec("sdk/repository.ts", "Repository", REPOSITORY_COMPONENT),
    outputsSpec("sdk/image.ts", "Image", IMAGE_COMPONENT),
];

export function labelOf(spec: PairingSpec): string {
    return `${spec.kind === "outputs" ? `class ${spec.name}` : spec.name} ↔ ${spec.where}`;
}

export function pairing(api: TypeScriptApi, schema: any, spec: PairingSpec): Pairing {
    return {
        label: labelOf(spec),
        ts: spec.kind === "inputs" ? api.interfaceProperties(spec.file, spec.name) : api.classOutputs(spec.file, spec.name),
        schema: spec.schemaSide(schema),
        // Outputs may be absent at run time whatever their declaration says (e.g. a skipped policy).
        compareRequired: spec.kind === "inputs",
    };
}

/** One test per pairing, named `<pairing>: <what>`, that `problemsOf` finds nothing wrong with. */
export function itForEachPairing(what: string, problemsOf: (compared: Pairing) => string[]): void {
    for (const spec of PAIRINGS) {
        it(`${labelOf(spec)}: ${what}`, function () {
            this.timeout(120_000); // the first reader type-checks the SDK and its @pulumi dependencies
            const compared = pairing(sdkApi(), readSchema(), spec);
            assert.ok(compared.ts.size > 0 && compared.schema.size > 0, `${compared.label} compares nothing`);
            assert.deepEqual(problemsOf(compared), []);
        });
    }
}
