import * as pulumi from "@pulumi/pulumi";
import { clipText, describeValue, ValidationError, withSecretValues } from "../sdk/validation/errors";
import { checkImageArgs, Image, ImageArgs, RepositoryImageArgs } from "../sdk/image";
import { buildStateOf, checkRepositoryArgs, Repository, RepositoryArgs } from "../sdk/repository";
import { scanGateProvider, ScanGateInputs } from "../sdk/scan-gate/provider";
import { SCAN_GATE_TYPE, serveScanGatesFromPlugin } from "../sdk/scan-gate-resource";
import { answerError } from "./error-answer";
import { runIsolated } from "./request-scope";
import { resolveInputs } from "./wire-inputs";
import * as fs from "node:fs";
import * as path from "node:path";
// A default import: a namespace import of JSON also carries a "default" key, which JSON.stringify would serve.
import schema from "./schema.json";

type ComponentType = keyof typeof schema.resources;
type MethodToken = keyof typeof schema.functions;
type Secrets = ReadonlyArray<string | number | boolean>;

/** Inputs arrive as Outputs when they carry dependencies or secrets; a few must be known at construction. */
async function settled<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
    return pulumi.Output.isInstance(value) ? (value as any).promise() : value;
}

/** The resource's own type in `urn:pulumi:<stack>::<project>::<parent types$type>::<name>`; undefined in a malformed URN. */
function typeOfUrn(urn: string): string | undefined {
    return urn.split("::")[2]?.split("$").pop();
}

/** What a reference that is not one of this deployment's Repositories is, said briefly: its type and name, or its value. */
async function describeReference(reference: unknown): Promise<string> {
    if (pulumi.Resource.isInstance(reference)) {
        const urn = await settled(reference.urn) ?? "";
        const name = urn.split("::").slice(3).join("::");
        return `a reference to the ${clipText(typeOfUrn(urn) ?? "unknown")} ${describeValue(name)}`;
    }
    return describeValue(reference);
}

/** `subject`: what the reference was given to, for the error: `Image "web"`. */
async function repositoryByUrn(reference: unknown, propertyPath: string, subject: string): Promise<Repository> {
    const given = await settled(reference as pulumi.Input<unknown>);
    const urn = pulumi.Resource.isInstance(given) ? await settled(given.urn) : given;
    const repository = typeof urn === "string" ? currentDeployment().repositories.get(urn) : undefined;
    if (repository === undefined) {
        const what = await describeReference(given);
        const hint = typeof given === "string" && !given.startsWith("urn:")
            ? " To push to a repository by its URL, give the URL as repositoryUrl instead."
            : pulumi.Resource.isInstance(given) && typeof urn === "string" && !urn.includes(REPOSITORY_TYPE)
                ? " For any other repository, give its URL as repositoryUrl (for an aws.ecr.Repository: its repositoryUrl output)."
                : "";
        throw new ValidationError(subject, [{ propertyPath, reason: `must be an ecrx Repository created in the same deployment, but is ${what}.${hint}` }]);
    }
    return repository;
}

const REPOSITORY_TYPE: ComponentType = "ecrx:index:Repository";
/** The subject of what a Call of the method refuses, before the repository (and so its name) is known. */
const BUILD_AND_PUSH_IMAGE = "Repository.buildAndPushImage";
const imageSubject = (name: string) => `Image ${describeValue(name)}`;

/** Image arguments as the SDK takes them: the repository resolved to its instance, `cache` plain. */
async function imageArgsFromWire<T extends { repository?: unknown; cache?: unknown; scanGate?: unknown }>(inputs: T, subject: string) {
    return {
        ...inputs,
        ...(inputs.repository !== undefined && inputs.repository !== null ? { repository: await repositoryByUrn(inputs.repository, "repository", subject) } : {}),
        ...(inputs.cache !== undefined ? { cache: await settled(inputs.cache as pulumi.Input<boolean>) } : {}),
        ...(inputs.scanGate !== undefined ? { scanGate: await settled(inputs.scanGate) } : {}),
    };
}

interface ComponentBuilder {
    /**
     * Checks the resolved inputs (see `resolveInputs`) the way the component checks known ones, with the
     * secrets masked; throws before anything registers.
     */
    check(name: string, resolved: pulumi.Inputs, secrets: Secrets): Promise<void>;
    build(name: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.ComponentResource>;
}

/** Type token → how to check and build the SDK component from wire inputs. A Map: a token such as "constructor" must find nothing. */
const componentBuilders = new Map<string, ComponentBuilder>([
    [REPOSITORY_TYPE, {
        check: async (name, resolved, secrets) => void withSecretValues(secrets, () => checkRepositoryArgs(name, resolved as RepositoryArgs)),
        build: async (name, inputs, options) => {
            const repository = new Repository(name, inputs as RepositoryArgs, options);
            currentDeployment().repositories.set(await (repository.urn as any).promise(), repository);
            return repository;
        },
    }],
    ["ecrx:index:Image" satisfies ComponentType, {
        check: async (name, resolved, secrets) => {
            const args = await imageArgsFromWire(resolved, imageSubject(name)) as ImageArgs;
            withSecretValues(secrets, () => checkImageArgs(name, args));
        },
        build: async (name, inputs, options) => new Image(name, await imageArgsFromWire(inputs, imageSubject(name)) as ImageArgs, options),
    }],
]);

interface Method {
    check(resolved: pulumi.Inputs, secrets: Secrets): Promise<void>;
    run(inputs: pulumi.Inputs): Promise<pulumi.Inputs>;
}

/** Method token → implementation over a constructed component. */
const methods = new Map<string, Method>([
    ["ecrx:index:Repository/buildAndPushImage" satisfies MethodToken, {
        check: async ({ __self__, imageName, ...args }, secrets) => {
            const repository = await repositoryByUrn(__self__, "__self__", BUILD_AND_PUSH_IMAGE);
            const imageArgs = { ...await imageArgsFromWire(args, BUILD_AND_PUSH_IMAGE), repository } as ImageArgs;
            const name = typeof imageName === "string" ? imageName : buildStateOf(repository).resourceName;
            withSecretValues(secrets, () => checkImageArgs(name, imageArgs));
        },
        run: async ({ __self__, ...args }) => {
            const repository = await repositoryByUrn(__self__, "__self__", BUILD_AND_PUSH_IMAGE);
            return { imageUri: repository.buildAndPushImage(await imageArgsFromWire(args, BUILD_AND_PUSH_IMAGE) as RepositoryImageArgs).imageUri };
        },
    }],
]);

/**
 * What the provider keeps between requests: the Repositories built, which later Calls and Images refer to by
 * URN. Kept for one deployment only (a preview's Repository must never serve the update after it), and
 * dropped with it.
 */
interface DeploymentState {
    key: string;
    repositories: Map<string, Repository>;
}

let deployment: DeploymentState | undefined;

// The SDK's runtime settings of the request being served; not part of its typed API.
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
    getStore(): { settings: { options: { monitorAddr?: string; dryRun?: boolean; project?: string; stack?: string } } };
};

function currentDeployment(): DeploymentState {
    const { monitorAddr, dryRun, project, stack } = runtimeState.getStore().settings.options;
    const key = JSON.stringify([monitorAddr, dryRun, project, stack]);
    if (deployment?.key !== key) {
        deployment = { key, repositories: new Map() };
    }
    return deployment;
}

/** The component outputs the schema declares, read off the SDK instance so the two cannot disagree. */
function outputsOf(type: ComponentType, component: pulumi.ComponentResource): pulumi.Inputs {
    return Object.fromEntries(Object.keys(schema.resources[type].properties).map((key) => [key, (component as any)[key]]));
}

/** The package version, from the package.json above this file (source or compiled layout alike). */
function packageVersion(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest)) {
            const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
            if (name === "ecrx") {
                return version;
            }
        }
    }
    throw new Error("cannot find the ecrx package.json");
}

/** The custom resources this plugin serves itself (not components): only the scan gate of an Image. */
function expectScanGate(urn: string): void {
    const type = typeOfUrn(urn);
    if (type !== SCAN_GATE_TYPE) {
        throw new Error(`unknown resource type ${type}; this provider serves the custom resource ${SCAN_GATE_TYPE} only`);
    }
}

export class EcrxProvider implements pulumi.provider.Provider {
    readonly version = packageVersion();
    private readonly schemaText = JSON.stringify(schema);

    constructor() {
        // Images constructed here register their scan gates as resources of this plugin.
        serveScanGatesFromPlugin(this.version);
    }

    // ---- The scan gate, a custom resource of this plugin --------------------------------------------

    async diff(id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.DiffResult> {
        expectScanGate(urn);
        return scanGateProvider.diff(id, olds, news as ScanGateInputs);
    }

    async create(urn: string, inputs: any): Promise<pulumi.provider.CreateResult> {
        expectScanGate(urn);
        return scanGateProvider.create(inputs as ScanGateInputs);
    }

    async update(id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.UpdateResult> {
        expectScanGate(urn);
        return scanGateProvider.update(id, olds, news as ScanGateInputs);
    }

    /** A refresh keeps the recorded verdict: the gate judges a push, not the registry's later state. */
    async read(id: string, urn: string, props?: any): Promise<pulumi.provider.ReadResult> {
        expectScanGate(urn);
        return { id, props };
    }

    /** Nothing to delete: the image stays in the repository, where the lifecycle policy expires it. */
    async delete(_id: string, urn: string): Promise<void> {
        expectScanGate(urn);
    }

    async getSchema(): Promise<string> {
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
        const builder = componentBuilders.get(type);
        if (builder === undefined) {
            throw new Error(`unknown resource type ${describeValue(type)}; this provider has ${[...componentBuilders.keys()].join(", ")}`);
        }
        return runIsolated(async (scope) => {
            const resolved = await resolveInputs(inputs);
            scope.secrets.push(...resolved.secrets);
            await builder.check(name, resolved.values, resolved.secrets);
            const component = await builder.build(name, inputs, options);
            return { urn: component.urn, state: outputsOf(type as ComponentType, component) };
        }, (error, scope) => answerError(error, scope.secrets));
    }

    async call(token: string, inputs: pulumi.Inputs): Promise<pulumi.provider.InvokeResult> {
        const method = methods.get(token);
        if (method === undefined) {
            throw new Error(`unknown method ${describeValue(token)}; this provider has ${[...methods.keys()].join(", ")}`);
        }
        return runIsolated(async (scope) => {
            const resolved = await resolveInputs(inputs);
            scope.secrets.push(...resolved.secrets);
            await method.check(resolved.values, resolved.secrets);
            return { outputs: await method.run(inputs) };
        }, (error, scope) => answerError(error, scope.secrets));
    }
}
