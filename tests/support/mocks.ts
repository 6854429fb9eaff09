// A mocked Pulumi runtime that records what a program registers, the way the engine would see it.
// Call `installMocks()` before importing the code under test, as Pulumi's testing guide requires.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export interface Registration {
    type: string;
    name: string;
    /** Inputs as the engine receives them: a secret stays wrapped, as `{ [SECRET_KEY]: SECRET_SIGNATURE, value }`. */
    inputs: Record<string, any>;
    urn?: string;
    /** The parent's URN, from the registration request. */
    parent?: string;
    /** The `deleteBeforeReplace` resource option, from the registration request. */
    deleteBeforeReplace?: boolean;
    /** The `retainOnDelete` resource option, from the registration request. */
    retainOnDelete?: boolean;
    /**
     * Inputs exactly as the program serialized them. `inputs` has passed through the mock engine, which moves
     * a secret nested in a list up to the whole property; here it stays where it was (a registry's password
     * alone), and a value unknown in a preview is the wire's unknown marker.
     */
    wireInputs?: Record<string, any>;
}

export interface Invocation {
    token: string;
    inputs: Record<string, any>;
}

/** The key and signature with which Pulumi's wire format marks a secret value. */
export const SECRET_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as any)[SECRET_KEY] === SECRET_SIGNATURE;
}

/** Paths at which `needle` appears in `value` outside any secret wrapper: where a secret would leak. */
export function plainOccurrences(value: unknown, needle: string, path = ""): string[] {
    if (isSecretWrapper(value)) {
        return [];
    }
    if (typeof value === "string") {
        return value.includes(needle) ? [path || "(root)"] : [];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, inner]) => plainOccurrences(inner, needle, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
    }
    return [];
}

export const FAKE_ACCOUNT = "123456789012";
export const FAKE_REGION = "us-west-2";
export const FAKE_PASSWORD = "ecr-password-that-must-stay-secret";
export const FAKE_DEFAULT_VPC = "vpc-0defa017000000000";
export const FAKE_DEFAULT_SUBNETS = ["subnet-0a00000000000000a", "subnet-0b00000000000000b", "subnet-0c00000000000000c"];

/** A deterministic fake digest for a pushed image, so tests can predict `imageUri`. */
export function fakeDigest(seed: string): string {
    let hash = 0n;
    for (const char of seed) {
        hash = (hash * 131n + BigInt(char.codePointAt(0)!)) % (1n << 256n);
    }
    return `sha256:${hash.toString(16).padStart(64, "0")}`;
}

export class MockCloud {
    readonly registrations: Registration[] = [];
    readonly invocations: Invocation[] = [];
    /** A cloud that answers otherwise (nothing at all, an empty token): what it answers instead, or undefined for the usual. */
    answerInstead?: { state?(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined; invoke?(token: string): Record<string, any> | undefined };
    /**
     * Types whose creation a test performs itself, as the engine would through the resource's provider: the
     * state it resolves to, or the error the deployment fails with.
     */
    readonly creators = new Map<string, (name: string, inputs: Record<string, any>) => Promise<Record<string, any>>>();

    /** Every registration of a type, in order. */
    ofType(type: string): Registration[] {
        return this.registrations.filter((r) => r.type === type);
    }

    /** The single registration of a type; fails when there is not exactly one. */
    one(type: string): Registration {
        const found = this.ofType(type);
        if (found.length !== 1) {
            throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
        }
        return found[0];
    }

    reset(): void {
        this.registrations.length = 0;
        this.invocations.length = 0;
    }
}

/**
 * What the fake cloud computes for a resource, as the real provider would after create. What the cloud picks
 * (an image digest, a load balancer's DNS name, a function URL) stays unknown in a preview; what follows from
 * the request (ARNs, a repository URL) is answered at once.
 */
function fakeState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "aws:ecr/repository:Repository": {
            const repositoryName = physicalName(name, inputs);
            const region = inputs.region ?? FAKE_REGION;
            return {
                ...inputs,
                name: repositoryName,
                arn: `arn:aws:ecr:${region}:${FAKE_ACCOUNT}:repository/${repositoryName}`,
                registryId: FAKE_ACCOUNT,
                repositoryUrl: `${FAKE_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`,
            };
        }
        case "docker-build:index:Image": {
            if (pulumi.runtime.isDryRun()) {
                return inputs; // The digest of an image not yet built is unknown in a preview.
            }
            const digest = fakeDigest(JSON.stringify(inputs.tags ?? []) + JSON.stringify(inputs.context ?? {}));
            return { ...inputs, digest, ref: `${inputs.tags?.[0] ?? "unknown"}@${digest}` };
        }
        case "aws:iam/role:Role": {
            const roleName = physicalName(name, inputs);
            return { ...inputs, name: roleName, arn: `arn:aws:iam::${FAKE_ACCOUNT}:role/${roleName}` };
        }
        case "aws:lambda/function:Function": {
            const functionName = physicalName(name, inputs);
            return { ...inputs, name: functionName, arn: `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${functionName}` };
        }
        case "aws:lb/loadBalancer:LoadBalancer": {
            if (pulumi.runtime.isDryRun()) {
                return inputs;
            }
            const lbName = physicalName(name, inputs);
            return {
                ...inputs,
                name: lbName,
                arn: `arn:aws:elasticloadbalancing:${FAKE_REGION}:${FAKE_ACCOUNT}:loadbalancer/app/${lbName}/50dc6c495c0c9188`,
                dnsName: `${lbName}-1234567890.${FAKE_REGION}.elb.amazonaws.com`,
            };
        }
        case "aws:lambda/functionUrl:FunctionUrl": {
            if (pulumi.runtime.isDryRun()) {
                return inputs;
            }
            const urlId = `${name.replace(/[^a-z0-9]/g, "")}abc1234`;
            return { ...inputs, urlId, functionUrl: `https://${urlId}.lambda-url.${FAKE_REGION}.on.aws/` };
        }
        default:
            return inputs;
    }
}

/** The name the provider gives a resource: the one asked for, or the resource name plus a (fixed) random suffix. */
function physicalName(name: string, inputs: Record<string, any>): string {
    return inputs.name ?? `${name}-abc1234`;
}

/**
 * What the fake cloud answers for the data-source invokes the SDK and the examples make, shared by the
 * mocked runtime and the gRPC mock engine so both stand in for the same account; `undefined` for others.
 */
export function fakeInvokeAnswer(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (token) {
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
            const registryId = inputs.registryId ?? FAKE_ACCOUNT;
            const region = inputs.region ?? FAKE_REGION;
            return {
                authorizationToken: Buffer.from(`AWS:${FAKE_PASSWORD}`).toString("base64"),
                expiresAt: "2030-01-01T00:00:00Z",
                id: region,
                password: FAKE_PASSWORD,
                proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
                region,
                registryId,
                userName: "AWS",
            };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: FAKE_ACCOUNT, arn: `arn:aws:iam::${FAKE_ACCOUNT}:user/test`, userId: "AIDTEST", id: FAKE_ACCOUNT };
        case "aws:index/getRegion:getRegion": {
            const region = inputs.region ?? FAKE_REGION;
            return { id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com` };
        }
        case "aws:ec2/getVpc:getVpc":
            return { id: FAKE_DEFAULT_VPC, default: true, cidrBlock: "172.31.0.0/16", arn: `arn:aws:ec2:${FAKE_REGION}:${FAKE_ACCOUNT}:vpc/${FAKE_DEFAULT_VPC}` };
        case "aws:ec2/getSubnets:getSubnets":
            return { id: FAKE_REGION, ids: FAKE_DEFAULT_SUBNETS, filters: inputs.filters };
        default:
            return undefined;
    }
}

/** The resource options a registration request carries that the mocks API does not pass on. */
interface RecordedOptions {
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
}

let installed: MockCloud | undefined;
let pendingParents: Array<(urn: string, parent: string, options: RecordedOptions, wireInputs: Record<string, any>) => void> = [];

/**
 * Installs the mocks once per process (Pulumi's runtime is global) and returns the recorder.
 * `preview` decides whether the program runs as a `pulumi preview` (true) or an update.
 */
export function installMocks(options: { preview?: boolean } = {}): MockCloud {
    const cloud = installed ?? new MockCloud();
    if (installed === undefined) {
        recordParents();
    }
    installed = cloud;
    pulumi.runtime.setMocks({
        newResource(args) {
            const registration: Registration = { type: args.type, name: args.name, inputs: args.inputs };
            cloud.registrations.push(registration);
            pendingParents.push((urn, parent, options, wireInputs) => {
                registration.urn = urn;
                registration.parent = parent || undefined;
                registration.deleteBeforeReplace = options.deleteBeforeReplace;
                registration.retainOnDelete = options.retainOnDelete;
                registration.wireInputs = wireInputs;
            });
            const creator = cloud.creators.get(args.type);
            if (creator !== undefined && !pulumi.runtime.isDryRun()) {
                return creator(args.name, args.inputs).then((state) => ({ id: `${args.name}-id`, state }));
            }
            return { id: `${args.name}-id`, state: cloud.answerInstead?.state?.(args.type, args.name, args.inputs) ?? fakeState(args.type, args.name, args.inputs) };
        },
        call(args) {
            cloud.invocations.push({ token: args.token, inputs: args.inputs });
            return cloud.answerInstead?.invoke?.(args.token) ?? fakeInvokeAnswer(args.token, args.inputs) ?? {};
        },
    }, "project", "stack", options.preview ?? false);
    return cloud;
}

/**
 * The mock monitor knows each request's parent and options; the mocks API does not pass them on, so we read
 * them here. `newResource` runs synchronously inside `registerResource`, so the entry it queues belongs to this
 * request; taking it right away keeps concurrent registrations (e.g. two policies) from swapping URNs.
 */
function recordParents(): void {
    const register = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: (err: any, response: any) => void) {
        const parent: string = req.getParent();
        const options: RecordedOptions = { deleteBeforeReplace: req.getDeletebeforereplace(), retainOnDelete: req.getRetainondelete() };
        const wireInputs: Record<string, any> = req.getObject()?.toJavaScript() ?? {};
        const queued = pendingParents.length;
        let own: ((urn: string, parent: string, options: RecordedOptions, wireInputs: Record<string, any>) => void) | undefined;
        const result = register.call(this, req, (err: any, response: any) => {
            const attach = own ?? pendingParents.shift();
            if (!err && attach !== undefined) {
                attach(response.getUrn(), parent, options, wireInputs);
            }
            callback(err, response);
        });
        if (pendingParents.length > queued) {
            own = pendingParents.pop();
        }
        return result;
    };
}

/** Resolves an Output the way a test needs it: its value, or `undefined` when unknown (preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve, reject) => {
        (output as any).promise().then(resolve, reject);
    });
}

/** Whether an Output is known (not computed during a preview). */
export async function isKnownOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as any).isKnown as Promise<boolean>;
}

/** Whether an Output is marked secret. */
export async function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as any).isSecret as Promise<boolean>;
}

/** Waits until every registration the program started has reached the mock engine. */
export async function settle(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
}
