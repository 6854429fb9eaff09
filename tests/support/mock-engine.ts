// A stand-in for the Pulumi engine, for tests that run the ecrx provider plugin as the CLI would. It serves
// Pulumi's `ResourceMonitor` and `Engine` gRPC services on a loopback port, records every request the
// plugin's Pulumi SDK sends (registrations, invokes, logs, feature probes), and answers with plausible
// cloud state: known outputs in an update, unknowns for what a preview cannot know yet.
import * as grpc from "@grpc/grpc-js";
import * as crypto from "node:crypto";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION, SECRET_KEY, SECRET_SIGNATURE } from "../../sdk/testing";
import { defaultNetworkAnswer } from "../../demo/example-cloud";
import { imageAnswer, invokeAnswer, repositoryAnswer } from "../../sdk/testing/answers";

export { FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION, SECRET_KEY, SECRET_SIGNATURE };

/** How the wire format marks a value that is not known yet (a preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The signature of a resource reference, `{ [SECRET_KEY]: RESOURCE_SIGNATURE, urn, id?, packageVersion? }`. */
export const RESOURCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e";
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** A value as it travels in a protobuf Struct: secrets, resource references and unknowns in their wire forms. */
export type WireValue = any;

/** The wire form of a secret. */
export function secret(value: WireValue): WireValue {
    return { [SECRET_KEY]: SECRET_SIGNATURE, value };
}

/** The signature of an output value, what the CLI sends a provider that accepts outputs (Configure says so). */
export const OUTPUT_VALUE_SIGNATURE = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** The wire form of an output value; without `value` it is unknown (a preview of a value not computed yet). */
export function outputValue(options: { value?: WireValue; secret?: boolean; dependencies?: string[] } = {}): WireValue {
    return {
        [SECRET_KEY]: OUTPUT_VALUE_SIGNATURE,
        ...("value" in options ? { value: options.value } : {}),
        ...(options.secret ? { secret: true } : {}),
        ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    };
}

/** The wire form of a resource reference. */
export function resourceReference(urn: string, id?: string): WireValue {
    return { [SECRET_KEY]: RESOURCE_SIGNATURE, urn, ...(id !== undefined ? { id } : {}) };
}

/**
 * The features the Pulumi CLI's resource monitor announces. The SDK (3.270) first calls `GetDeploymentInfo`,
 * which this mock leaves unimplemented as older engines do, then probes aliasSpecs, deletedWith, errorHooks,
 * invokeTransforms, outputValues, parameterization, replaceWith, resourceHooks, resourceReferences, secrets
 * and transforms. Two of them change what the plugin sends: without `secrets` it registers secrets (the ECR
 * password) in plain text, and without `resourceReferences` it flattens child resources in the Construct
 * state to their IDs.
 */
export const DEFAULT_FEATURES = [
    "secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs", "transforms", "invokeTransforms",
    "parameterization", "resourceHooks",
];

/** One `RegisterResource` request as the engine received it, with what the mock answered. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** The parent's URN ("" when none was sent). */
    parent: string;
    custom: boolean;
    remote: boolean;
    /** The inputs as sent: secrets wrapped, unknowns as `UNKNOWN`, resources as references. */
    object: Record<string, WireValue>;
    propertyDependencies: Record<string, string[]>;
    dependencies: string[];
    deleteBeforeReplace: boolean;
    deleteBeforeReplaceDefined: boolean;
    protect: boolean;
    provider: string;
    version: string;
    packageRef: string;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    acceptSecrets: boolean;
    acceptResources: boolean;
    /** Whether this registration happened in a preview. */
    dryRun: boolean;
    /** The ID the mock answered ("" for components, and for creations in a preview). */
    id: string;
    /** The outputs: the mock's answer for custom resources, `RegisterResourceOutputs` for components. */
    outputs: Record<string, WireValue>;
    /** Whether `RegisterResourceOutputs` arrived for it. */
    outputsRegistered: boolean;
}

export interface RecordedInvoke {
    token: string;
    args: Record<string, WireValue>;
    provider: string;
    version: string;
}

export interface RecordedLog {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
    urn: string;
}

export interface MockEngineOptions {
    project?: string;
    stack?: string;
    /** The feature IDs `SupportsFeature` answers true for. Default: `DEFAULT_FEATURES`. */
    features?: string[];
}

const SEVERITIES: RecordedLog["severity"][] = ["debug", "info", "warning", "error"];

function toJs(struct: structproto.Struct | undefined): Record<string, WireValue> {
    return (struct?.toJavaScript() ?? {}) as Record<string, WireValue>;
}

function dependencyMap(map: { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void }): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    map.forEach((value, key) => {
        result[key] = value.getUrnsList();
    });
    return result;
}

/** Seven hex characters from the name, like the suffix Pulumi's auto-naming adds (but deterministic). */
function autonameSuffix(name: string): string {
    return crypto.createHash("sha256").update(name).digest("hex").slice(0, 7);
}

function isWireUnknown(value: WireValue): boolean {
    return value === UNKNOWN;
}

/** A gRPC error for the plugin, so an unexpected request fails its caller loudly instead of hanging. */
function rpcError(code: grpc.status, details: string): grpc.ServiceError {
    return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

export class MockEngine {
    readonly project: string;
    readonly stack: string;
    readonly features: Set<string>;
    /** `host:port` on the loopback interface; both services are served there. */
    address = "";
    /** Whether the current deployment is a preview; set by the client before each Construct/Call. */
    dryRun = false;

    readonly registrations: RegisteredResource[] = [];
    readonly invokes: RecordedInvoke[] = [];
    readonly logs: RecordedLog[] = [];
    /** Every feature the SDK asked about, in order, with the answer. */
    readonly featureQueries: Array<{ id: string; answer: boolean }> = [];
    /** Other requests, by method name, for tests that care (readResource, call, registerPackage, ...). */
    readonly otherRequests: Array<{ method: string; request: unknown }> = [];
    /** Requests the engine refused (duplicate URNs, unknown invokes): a test should normally see none. */
    readonly refusals: string[] = [];
    /**
     * Custom resource types whose creation in an update the engine hands to a provider, as the real engine does
     * (for instance the plugin's own `ecrx:index:ScanGate`): the ID and outputs, or the provider's error.
     */
    readonly creators = new Map<string, (name: string, urn: string, inputs: Record<string, WireValue>) => Promise<{ id: string; outputs: Record<string, WireValue> }>>();
    private rootUrn: string;
    private readonly server = new grpc.Server();

    private constructor(options: MockEngineOptions) {
        this.project = options.project ?? "ecrx-test";
        this.stack = options.stack ?? "dev";
        this.features = new Set(options.features ?? DEFAULT_FEATURES);
        this.rootUrn = this.urnFor("", ROOT_STACK_TYPE, `${this.project}-${this.stack}`);
    }

    /** Starts the services on 127.0.0.1 with an OS-assigned port. */
    static async start(options: MockEngineOptions = {}): Promise<MockEngine> {
        const engine = new MockEngine(options);
        engine.server.addService(resrpc.ResourceMonitorService, engine.monitorImplementation());
        engine.server.addService(enginerpc.EngineService, engine.engineImplementation());
        const port = await new Promise<number>((resolve, reject) =>
            engine.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => err ? reject(err) : resolve(bound)));
        engine.address = `127.0.0.1:${port}`;
        return engine;
    }

    /** The root stack resource's URN, the parent the CLI gives top-level components. */
    get stackUrn(): string {
        return this.rootUrn;
    }

    /** Starts a new deployment: forgets what was registered (so names may repeat) and sets preview or update. */
    beginDeployment(options: { dryRun: boolean }): void {
        this.dryRun = options.dryRun;
        this.registrations.length = 0;
        this.invokes.length = 0;
        this.logs.length = 0;
        this.otherRequests.length = 0;
        this.refusals.length = 0;
    }

    /** Stops the server; pending calls are cancelled. */
    async close(): Promise<void> {
        await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
        this.server.forceShutdown();
    }

    // ---- Queries for tests ----------------------------------------------------------------------

    ofType(type: string): RegisteredResource[] {
        return this.registrations.filter((r) => r.type === type);
    }

    /** The single registration of a type; fails, listing what there is, when there is not exactly one. */
    one(type: string, filter: (r: RegisteredResource) => boolean = () => true): RegisteredResource {
        const found = this.ofType(type).filter(filter);
        if (found.length !== 1) {
            throw new Error(`expected exactly one ${type}, found ${found.length}; registered: ${this.registrations.map((r) => `${r.type}::${r.name}`).join(", ")}`);
        }
        return found[0];
    }

    byUrn(urn: string): RegisteredResource | undefined {
        return this.registrations.find((r) => r.urn === urn);
    }

    /** The URN the engine gives a resource: the parent's type chain (without the root stack), the type, the name. */
    urnFor(parentUrn: string, type: string, name: string): string {
        const parentType = parentUrn === "" ? "" : parentUrn.split("::")[2];
        const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    // ---- ResourceMonitor -----------------------------------------------------------------------

    private monitorImplementation(): grpc.UntypedServiceImplementation {
        const unary = <Req, Res>(handler: (request: Req) => Res | Promise<Res>) =>
            (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
                Promise.resolve().then(() => handler(call.request)).then(
                    (response) => callback(null, response),
                    (error: grpc.ServiceError) => callback(error.code !== undefined ? error : rpcError(grpc.status.INTERNAL, String(error?.stack ?? error))));
            };
        const recordOnly = (method: string) => unary((request: any) => {
            this.otherRequests.push({ method, request: request.toObject() });
            return new emptyproto.Empty();
        });
        return {
            // GetDeploymentInfo is left out: grpc-js answers UNIMPLEMENTED, and the SDK falls back to SupportsFeature.
            supportsFeature: unary((request: resproto.SupportsFeatureRequest) => {
                const answer = this.features.has(request.getId());
                this.featureQueries.push({ id: request.getId(), answer });
                return new resproto.SupportsFeatureResponse().setHassupport(answer);
            }),
            registerResource: unary((request: resproto.RegisterResourceRequest) => this.registerResource(request)),
            registerResourceOutputs: unary((request: resproto.RegisterResourceOutputsRequest) => {
                const registration = this.byUrn(request.getUrn());
                if (registration === undefined) {
                    throw this.refuse(grpc.status.NOT_FOUND, `RegisterResourceOutputs for unregistered ${request.getUrn()}`);
                }
                registration.outputs = toJs(request.getOutputs());
                registration.outputsRegistered = true;
                return new emptyproto.Empty();
            }),
            invoke: unary((request: resproto.ResourceInvokeRequest) => this.invoke(request)),
            readResource: unary((request: resproto.ReadResourceRequest) => {
                this.otherRequests.push({ method: "readResource", request: request.toObject() });
                const urn = this.urnFor(request.getParent(), request.getType(), request.getName());
                return new resproto.ReadResourceResponse().setUrn(urn).setProperties(request.getProperties());
            }),
            call: unary((request: resproto.ResourceCallRequest) => {
                this.otherRequests.push({ method: "call", request: request.toObject() });
                throw this.refuse(grpc.status.UNIMPLEMENTED, `the mock engine does not forward Call ${request.getTok()}`);
            }),
            registerStackTransform: recordOnly("registerStackTransform"),
            registerStackInvokeTransform: recordOnly("registerStackInvokeTransform"),
            registerResourceHook: recordOnly("registerResourceHook"),
            registerErrorHook: recordOnly("registerErrorHook"),
            signalAndWaitForShutdown: recordOnly("signalAndWaitForShutdown"),
            registerPackage: unary((request: resproto.RegisterPackageRequest) => {
                this.otherRequests.push({ method: "registerPackage", request: request.toObject() });
                return new resproto.RegisterPackageResponse().setRef(`package-ref:${request.getName()}@${request.getVersion()}`);
            }),
        };
    }

    private refuse(code: grpc.status, message: string): grpc.ServiceError {
        this.refusals.push(message);
        return rpcError(code, message);
    }

    private async registerResource(request: resproto.RegisterResourceRequest): Promise<resproto.RegisterResourceResponse> {
        const type = request.getType();
        const name = request.getName();
        const parent = request.getParent();
        const urn = this.urnFor(parent, type, name);
        if (this.byUrn(urn) !== undefined) {
            // The real engine fails the deployment the same way.
            throw this.refuse(grpc.status.ALREADY_EXISTS, `Duplicate resource URN '${urn}'; try giving it a unique name`);
        }
        if (parent !== "" && parent !== this.rootUrn && this.byUrn(parent) === undefined) {
            throw this.refuse(grpc.status.NOT_FOUND, `resource ${urn} has the parent ${parent}, which was never registered`);
        }
        const custom = request.getCustom();
        const object = toJs(request.getObject());
        const creator = custom && !this.dryRun ? this.creators.get(type) : undefined;
        const { id, outputs } = creator !== undefined ? await creator(name, urn, object)
            : custom ? this.cloudState(type, name, object) : { id: "", outputs: {} };
        const registration: RegisteredResource = {
            type, name, urn, parent, custom,
            remote: request.getRemote(),
            object,
            propertyDependencies: dependencyMap(request.getPropertydependenciesMap()),
            dependencies: request.getDependenciesList(),
            deleteBeforeReplace: request.getDeletebeforereplace(),
            deleteBeforeReplaceDefined: request.getDeletebeforereplacedefined(),
            protect: request.getProtect() ?? false,
            provider: request.getProvider(),
            version: request.getVersion(),
            packageRef: request.getPackageref(),
            ignoreChanges: request.getIgnorechangesList(),
            additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
            acceptSecrets: request.getAcceptsecrets(),
            acceptResources: request.getAcceptresources(),
            dryRun: this.dryRun,
            id,
            outputs,
            outputsRegistered: false,
        };
        this.registrations.push(registration);
        const response = new resproto.RegisterResourceResponse().setUrn(urn).setId(id);
        if (custom) {
            response.setObject(structproto.Struct.fromJavaScript(outputs));
        }
        return response;
    }

    /**
     * What the cloud reports for a custom resource: the inputs plus computed properties. A preview knows the
     * inputs (and the auto-name, which the provider's Check picks) but not what only creation reveals.
     */
    private cloudState(type: string, name: string, inputs: Record<string, WireValue>): { id: string; outputs: Record<string, WireValue> } {
        const computed = (value: WireValue) => this.dryRun ? UNKNOWN : value;
        switch (type) {
            case "aws:ecr/repository:Repository": {
                const repositoryName = inputs.name ?? `${name}-${autonameSuffix(name)}`;
                const region = inputs.region ?? FAKE_REGION;
                const known = !isWireUnknown(repositoryName) && !isWireUnknown(region);
                const answer = repositoryAnswer({ account: FAKE_ACCOUNT, region }, repositoryName);
                return {
                    id: this.dryRun ? "" : repositoryName,
                    outputs: {
                        ...inputs,
                        name: repositoryName,
                        region,
                        arn: computed(known ? answer.arn : UNKNOWN),
                        registryId: computed(answer.registryId),
                        repositoryUrl: computed(known ? answer.repositoryUrl : UNKNOWN),
                    },
                };
            }
            case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
            case "aws:ecr/repositoryPolicy:RepositoryPolicy":
                return {
                    id: this.dryRun ? "" : String(inputs.repository),
                    outputs: { ...inputs, region: inputs.region ?? FAKE_REGION, registryId: computed(FAKE_ACCOUNT) },
                };
            case "docker-build:index:Image": {
                if (this.dryRun) {
                    return { id: "", outputs: { ...inputs, digest: UNKNOWN, ref: UNKNOWN } };
                }
                const answer = imageAnswer(inputs, name);
                return { id: answer.digest, outputs: { ...inputs, ...answer } };
            }
            default:
                return { id: this.dryRun ? "" : `${name}-id`, outputs: { ...inputs } };
        }
    }

    private invoke(request: resproto.ResourceInvokeRequest): resproto.ResourceInvokeResponse {
        const token = request.getTok();
        const args = toJs(request.getArgs());
        this.invokes.push({ token, args, provider: request.getProvider(), version: request.getVersion() });
        const answer = (value: Record<string, WireValue>) => new resproto.ResourceInvokeResponse().setReturn(structproto.Struct.fromJavaScript(value));
        // The same account as the mocks'; the token's password in plain text, so that ecrx must make it secret itself.
        const fake = invokeAnswer({ account: FAKE_ACCOUNT, region: FAKE_REGION }, token, args) ?? defaultNetworkAnswer(token, args);
        if (fake !== undefined) {
            return answer(fake);
        }
        switch (token) {
            case "pulumi:pulumi:getResource": {
                // How the SDK rehydrates a resource from its URN (e.g. a method's `__self__`): the engine answers from
                // what this deployment registered.
                const registration = this.byUrn(args.urn);
                if (registration === undefined) {
                    throw this.refuse(grpc.status.NOT_FOUND, `unknown resource ${args.urn}`);
                }
                return answer({ urn: registration.urn, id: registration.id, state: registration.outputs });
            }
            default:
                throw this.refuse(grpc.status.UNIMPLEMENTED, `the mock engine has no answer for the invoke ${token}`);
        }
    }

    // ---- Engine ---------------------------------------------------------------------------------

    private engineImplementation(): grpc.UntypedServiceImplementation {
        return {
            log: (call: grpc.ServerUnaryCall<engineproto.LogRequest, emptyproto.Empty>, callback: grpc.sendUnaryData<emptyproto.Empty>) => {
                const request = call.request;
                this.logs.push({ severity: SEVERITIES[request.getSeverity()] ?? "error", message: request.getMessage(), urn: request.getUrn() });
                callback(null, new emptyproto.Empty());
            },
            getRootResource: (_call: unknown, callback: grpc.sendUnaryData<engineproto.GetRootResourceResponse>) => {
                callback(null, new engineproto.GetRootResourceResponse().setUrn(this.rootUrn));
            },
            setRootResource: (call: grpc.ServerUnaryCall<engineproto.SetRootResourceRequest, unknown>, callback: grpc.sendUnaryData<engineproto.SetRootResourceResponse>) => {
                this.rootUrn = call.request.getUrn();
                callback(null, new engineproto.SetRootResourceResponse());
            },
            startDebugging: (_call: unknown, callback: grpc.sendUnaryData<emptyproto.Empty>) => callback(null, new emptyproto.Empty()),
            requirePulumiVersion: (_call: unknown, callback: grpc.sendUnaryData<engineproto.RequirePulumiVersionResponse>) =>
                callback(null, new engineproto.RequirePulumiVersionResponse()),
        };
    }

    /** The errors and warnings the plugin logged, for failure messages. */
    problems(): string[] {
        return this.logs.filter((l) => l.severity === "error" || l.severity === "warning").map((l) => `${l.severity}: ${l.message}`)
            .concat(this.refusals.map((r) => `refused: ${r}`));
    }
}
