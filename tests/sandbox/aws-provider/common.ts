// TEST DOUBLE, NEVER SHIPPED: shared pieces of the sandbox's stand-in for the pulumi-aws provider (see main.ts).
import * as crypto from "node:crypto";
import { AutonamingMode, CheckExtras, containsUnknown, ProviderConfig, UNKNOWN } from "./wire";

/** moto's default account, used for every ARN this double makes up. */
export const ACCOUNT_ID = "123456789012";

export type Props = Record<string, any>;

/** Provider configuration, set by Configure. */
let providerConfig: ProviderConfig = {};

export function setProviderConfig(config: ProviderConfig): void {
    providerConfig = config;
}

/** A config value as the engine sends it: a string, or JSON text for anything else. */
function configValue(key: string): unknown {
    const value = providerConfig[key];
    if (typeof value === "string") {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/** The region a resource lives in: its own `region` input, the provider's `region`, then AWS_REGION / AWS_DEFAULT_REGION. */
export function regionOf(props?: Props): string {
    const own = props?.region;
    if (typeof own === "string" && own !== "" && own !== UNKNOWN) {
        return own;
    }
    const configured = providerConfig.region;
    const region = (typeof configured === "string" && configured !== "" ? configured : undefined)
        ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
        throw new Error("aws (sandbox test double): no region: set the provider's `region` config (aws:region) or AWS_REGION");
    }
    return region;
}

/** The provider's `defaultTags.tags`, which every taggable resource's `tagsAll` includes. */
export function defaultTags(): Record<string, string> {
    const value = configValue("defaultTags") as { tags?: Record<string, string> } | undefined;
    return value !== null && typeof value === "object" && value.tags !== null && typeof value.tags === "object" ? { ...value.tags } : {};
}

export function tagsAllOf(props: Props): Record<string, string> {
    return { ...defaultTags(), ...(props.tags ?? {}) };
}

/** Random lowercase hex, or hex derived from the engine's random seed (stable across previews and updates). */
export function hexSuffix(length: number, seed?: Uint8Array, salt = ""): string {
    if (seed !== undefined && seed.length > 0) {
        return crypto.createHash("sha256").update(seed).update(salt).digest("hex").slice(0, length);
    }
    return crypto.randomBytes(Math.ceil(length / 2)).toString("hex").slice(0, length);
}

export function randomDigits(length: number): string {
    let digits = "";
    while (digits.length < length) {
        digits += crypto.randomInt(0, 10).toString();
    }
    return digits;
}

/** The resource's name and type token, from its URN `urn:pulumi:<stack>::<project>::<parent$>type::<name>`. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4) {
        throw new Error(`aws (sandbox test double): malformed URN ${urn}`);
    }
    const qualified = parts[2];
    return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

const DEFAULTS_KEY = "__defaults";

/**
 * Fills the `name` property as the bridge does when it is absent: the old name if it was made up before (so an
 * update keeps it), else the engine's autonaming proposal, else `<resource name>-<7 hex>` cut to `maxLength`.
 * Returns a failure reason when autonaming is disabled and no name is given. Records the defaulted keys in
 * `__defaults` like the bridge, so a later explicit name is told apart from a made-up one.
 */
export function autoName(urn: string, olds: Props, news: Props, extras: CheckExtras, maxLength = 255,
    transform: (name: string) => string = (n) => n): { inputs: Props; failure?: string } {
    const defaults: string[] = [];
    const inputs: Props = { ...news };
    delete inputs[DEFAULTS_KEY];
    if (inputs.name === undefined || inputs.name === null) {
        const oldDefaults: unknown = olds[DEFAULTS_KEY];
        if (typeof olds.name === "string" && Array.isArray(oldDefaults) && oldDefaults.includes("name")) {
            inputs.name = olds.name;
        } else if (extras.autonaming?.mode === AutonamingMode.Disable) {
            return { inputs, failure: "automatic naming is disabled for this resource, so `name` must be given" };
        } else if (extras.autonaming !== undefined && extras.autonaming.proposedName !== "") {
            inputs.name = extras.autonaming.proposedName;
        } else {
            const prefix = `${transform(parseUrn(urn).name)}-`;
            if (prefix.length + 7 > maxLength) {
                return { inputs, failure: `name '${prefix}' plus 7 random chars is longer than maximum length ${maxLength}` };
            }
            inputs.name = prefix + hexSuffix(7, extras.randomSeed, urn);
        }
        defaults.push("name");
    }
    inputs[DEFAULTS_KEY] = defaults;
    return { inputs };
}

/** Adds schema defaults the bridge would add in Check, recording them in `__defaults`. */
export function withDefaults(inputs: Props, defaults: Props): Props {
    const result = { ...inputs };
    const recorded: string[] = Array.isArray(result[DEFAULTS_KEY]) ? [...result[DEFAULTS_KEY]] : [];
    for (const [key, value] of Object.entries(defaults)) {
        if (result[key] === undefined || result[key] === null) {
            result[key] = value;
            recorded.push(key);
        }
    }
    result[DEFAULTS_KEY] = recorded;
    return result;
}

/** JSON with sorted keys, `null` and absent treated alike, for comparing property values. */
export function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v) => {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== null && v[k] !== undefined).map((k) => [k, v[k]]));
        }
        return v;
    }) ?? "null";
}

export interface InputDiff {
    changed: string[];
    replaces: string[];
}

/**
 * The top-level input keys that differ between the old and new inputs, and those of them that force a
 * replacement. `replaceOn: "all"` replaces on any change except the keys in `updatable`.
 */
export function diffInputs(olds: Props, news: Props, replaceOn: string[] | "all", updatable: string[] = [],
    ignoreChanges: string[] = [], normalize: (key: string, value: unknown) => unknown = (_k, v) => v): InputDiff {
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])]
        .filter((key) => key !== DEFAULTS_KEY && !ignoreChanges.includes(key));
    const changed = keys.filter((key) => containsUnknown(news[key]) || canonical(normalize(key, olds[key])) !== canonical(normalize(key, news[key])));
    const replaces = changed.filter((key) => replaceOn === "all" ? !updatable.includes(key) && key !== "tags" : replaceOn.includes(key));
    return { changed, replaces };
}

/** The inputs without the bridge's bookkeeping key. */
export function inputsOnly(props: Props): Props {
    const result = { ...props };
    delete result[DEFAULTS_KEY];
    return result;
}

/** An error from the AWS SDK as the real provider words it: `<what>: <ErrorName>: <message>`. */
export function awsError(what: string, error: unknown): Error {
    const e = error as { name?: string; message?: string };
    return new Error(`${what}: ${e?.name ?? "Error"}: ${e?.message ?? String(error)}`);
}

/** What the provider dispatches to for one resource type token. Inputs and outputs are plain (no wire markers). */
export interface ResourceHandler {
    /** The Check result: inputs with names and defaults filled in, and what is wrong with them. */
    check(urn: string, olds: Props, news: Props, extras: CheckExtras): Promise<{ inputs: Props; failures?: Array<{ property: string; reason: string }> }>;
    /** `oldInputs` are the inputs last applied; `news` the checked new ones. */
    diff(oldInputs: Props, news: Props, ignoreChanges: string[]): InputDiff;
    create(urn: string, inputs: Props): Promise<{ id: string; outs: Props }>;
    /** The live state, or undefined when the resource is gone. Default: the state as recorded. */
    read?(id: string, urn: string, props: Props): Promise<Props | undefined>;
    update(id: string, urn: string, oldOutputs: Props, news: Props, oldInputs: Props): Promise<Props>;
    delete(id: string, urn: string, props: Props): Promise<void>;
}

/** An invoke (data source): plain arguments in, outputs (secrets in wire form) out. */
export type FunctionHandler = (args: Props) => Promise<Props>;
