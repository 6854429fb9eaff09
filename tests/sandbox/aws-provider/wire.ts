// TEST DOUBLE, NEVER SHIPPED: part of the sandbox's stand-in for the pulumi-aws provider (see main.ts).
//
// The Node SDK's provider server (@pulumi/pulumi/provider/server.js, 3.270) hides parts of the provider protocol
// that this double needs: Configure (the provider's config, `region` above all), CheckConfig and DiffConfig
// (left UNIMPLEMENTED), the autonaming options and random seed of a CheckRequest, the old inputs of a
// DiffRequest, and the changed keys of a DiffResponse. `installProtocolExtras` wraps the service
// implementation that `pulumi.provider.main` registers with grpc-js, so those handlers see the full requests;
// everything else is the SDK's own server.
import * as path from "node:path";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";

/** The wire forms of special values inside a protobuf Struct. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A value in its wire form marked secret: what an Invoke returns for the registry password. */
export function secretValue(value: unknown): unknown {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * A wire value with secret, output-value and resource-reference markers removed (the engine sends none of them,
 * since Configure below declines them, but a caller that talks gRPC directly may). Unknowns stay UNKNOWN.
 */
export function plain(value: unknown): any {
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        const sig = record[SIG_KEY];
        if (sig === SECRET_SIG) {
            return plain(record.value);
        }
        if (sig === OUTPUT_SIG) {
            return "value" in record ? plain(record.value) : UNKNOWN;
        }
        if (sig === RESOURCE_SIG) {
            return record.id !== undefined ? plain(record.id) : record.urn;
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

/** Autonaming modes of `CheckRequest.AutonamingOptions` (pulumi/proto/provider.proto). */
export enum AutonamingMode { Propose = 0, Enforce = 1, Disable = 2 }

/** What a CheckRequest carries beyond urn/olds/news. */
export interface CheckExtras {
    autonaming?: { proposedName: string; mode: AutonamingMode };
    randomSeed?: Uint8Array;
}

/** What a DiffRequest carries beyond id/urn/olds/news. */
export interface DiffExtras {
    oldInputs?: Record<string, unknown>;
    ignoreChanges: string[];
}

/** The provider configuration as the last Configure call gave it, with the `aws:config:` prefix removed. */
export interface ProviderConfig {
    [key: string]: unknown;
}

/** Hooks through which the wrapped handlers hand their extra data to the provider. */
export interface ProtocolHooks {
    onConfigure(config: ProviderConfig): void;
    checkConfig(news: Record<string, unknown>): Array<{ property: string; reason: string }>;
}

const checkExtras = new Map<string, CheckExtras>();
const diffExtras = new Map<string, DiffExtras>();
const diffKeys = new Map<string, string[]>();
const updateOldInputs = new Map<string, Record<string, unknown>>();

/** The extras of the CheckRequest for `urn` now being served (read once, at the start of `check`). */
export function takeCheckExtras(urn: string): CheckExtras {
    const extras = checkExtras.get(urn) ?? {};
    checkExtras.delete(urn);
    return extras;
}

export function takeDiffExtras(urn: string): DiffExtras {
    const extras = diffExtras.get(urn) ?? { ignoreChanges: [] };
    diffExtras.delete(urn);
    return extras;
}

/** The old inputs of the UpdateRequest for `urn` now being served, when the engine sent them. */
export function takeUpdateOldInputs(urn: string): Record<string, unknown> | undefined {
    const inputs = updateOldInputs.get(urn);
    updateOldInputs.delete(urn);
    return inputs;
}

/** Records the changed top-level keys of a diff, sent back as `DiffResponse.diffs`. */
export function reportDiffKeys(urn: string, keys: string[]): void {
    diffKeys.set(urn, keys);
}

function structToJs(struct: structproto.Struct | undefined): Record<string, unknown> {
    return (struct?.toJavaScript() ?? {}) as Record<string, unknown>;
}

/**
 * Makes the next `addService` of the ResourceProvider service (the one `pulumi.provider.main` performs) register
 * a wrapped implementation. Must run before `main`, and uses the grpc-js that @pulumi/pulumi itself loads.
 */
export function installProtocolExtras(hooks: ProtocolHooks): void {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const original = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: Record<string, unknown>, implementation: any) {
        if (service.configure === undefined || service.check === undefined) {
            return original.call(this, service, implementation);
        }
        grpc.Server.prototype.addService = original;
        const wrapped = Object.create(implementation);

        wrapped.configure = (call: { request: provproto.ConfigureRequest }, callback: (err: unknown, resp?: unknown) => void) => {
            try {
                const config: ProviderConfig = {};
                call.request.getVariablesMap().forEach((value: string, key: string) => {
                    config[key.replace(/^aws:config:/, "")] = value;
                });
                Object.assign(config, plain(structToJs(call.request.getArgs())));
                delete config.version;
                hooks.onConfigure(config);
                // No secrets, resource references or output values in requests: the engine sends plain values and
                // copies the secretness of inputs onto outputs itself (annotateSecrets in the engine's provider
                // plugin). Invoke results still carry secrets (the engine keeps them whatever this says).
                const resp = new provproto.ConfigureResponse()
                    .setAcceptsecrets(false)
                    .setAcceptresources(false)
                    .setAcceptoutputs(false)
                    .setSupportspreview(false)
                    .setSupportsAutonamingConfiguration(true);
                callback(null, resp);
            } catch (error) {
                callback(error);
            }
        };

        wrapped.checkConfig = (call: { request: provproto.CheckRequest }, callback: (err: unknown, resp?: unknown) => void) => {
            try {
                const news = structToJs(call.request.getNews());
                const resp = new provproto.CheckResponse().setInputs(structproto.Struct.fromJavaScript(news as any));
                resp.setFailuresList(hooks.checkConfig(plain(news)).map((f) =>
                    new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
                callback(null, resp);
            } catch (error) {
                callback(error);
            }
        };

        wrapped.diffConfig = (call: { request: provproto.DiffRequest }, callback: (err: unknown, resp?: unknown) => void) => {
            try {
                const olds = plain(structToJs(call.request.getOldInputs() ?? call.request.getOlds()));
                const news = plain(structToJs(call.request.getNews()));
                const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])]
                    .filter((k) => k !== "version" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
                // Configuration changes never replace the provider (or its resources): region is per resource in v7.
                const resp = new provproto.DiffResponse()
                    .setChanges(keys.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE)
                    .setDiffsList(keys);
                callback(null, resp);
            } catch (error) {
                callback(error);
            }
        };

        wrapped.check = (call: { request: provproto.CheckRequest }, callback: unknown) => {
            const req = call.request;
            const extras: CheckExtras = {};
            const autonaming = req.getAutonaming();
            if (autonaming !== undefined) {
                extras.autonaming = { proposedName: autonaming.getProposedName(), mode: autonaming.getMode() as number };
            }
            const seed = req.getRandomseed_asU8();
            if (seed.length > 0) {
                extras.randomSeed = seed;
            }
            checkExtras.set(req.getUrn(), extras);
            return implementation.check(call, callback);
        };

        wrapped.diff = (call: { request: provproto.DiffRequest }, callback: (err: unknown, resp?: provproto.DiffResponse) => void) => {
            const req = call.request;
            const urn = req.getUrn();
            diffExtras.set(urn, {
                oldInputs: req.hasOldInputs() ? structToJs(req.getOldInputs()) : undefined,
                ignoreChanges: req.getIgnorechangesList(),
            });
            return implementation.diff(call, (err: unknown, resp?: provproto.DiffResponse) => {
                const keys = diffKeys.get(urn);
                diffKeys.delete(urn);
                if (!err && resp !== undefined && keys !== undefined) {
                    resp.setDiffsList(keys);
                }
                callback(err, resp);
            });
        };

        wrapped.update = (call: { request: provproto.UpdateRequest }, callback: unknown) => {
            const req = call.request;
            if (req.hasOldInputs()) {
                updateOldInputs.set(req.getUrn(), structToJs(req.getOldInputs()));
            }
            return implementation.update(call, callback);
        };

        return original.call(this, service, wrapped);
    };
}
