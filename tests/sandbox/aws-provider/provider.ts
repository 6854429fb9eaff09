// TEST DOUBLE, NEVER SHIPPED: the dispatching `pulumi.provider.Provider` of the sandbox's stand-in for
// pulumi-aws (see main.ts). Each resource type token and each invoke token has one entry in a table; a token
// that is in neither table fails with an error naming it.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumiProvider from "@pulumi/pulumi/provider";
import { FunctionHandler, parseUrn, Props, ResourceHandler, setProviderConfig } from "./common";
import { getAuthorizationToken, lifecyclePolicy, repository, repositoryPolicy } from "./ecr";
import { recordedFunctions, recordedResources } from "./recorded";
import { installProtocolExtras, plain, ProviderConfig, reportDiffKeys, takeCheckExtras, takeDiffExtras, takeUpdateOldInputs } from "./wire";

/** The @pulumi/aws version this double stands in for (node_modules/@pulumi/aws/package.json, "pulumi.version"). */
export const VERSION = "7.48.0";

export const RESOURCES: Record<string, ResourceHandler> = {
    "aws:ecr/repository:Repository": repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": lifecyclePolicy,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": repositoryPolicy,
    ...recordedResources,
};

export const FUNCTIONS: Record<string, FunctionHandler> = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": getAuthorizationToken,
    ...recordedFunctions,
};

function handlerFor(urn: string): ResourceHandler {
    const { type } = parseUrn(urn);
    const handler = RESOURCES[type];
    if (handler === undefined) {
        throw new Error(`aws (sandbox test double): resource type ${type} is not implemented by this double; ` +
            `it knows ${Object.keys(RESOURCES).join(", ")}`);
    }
    return handler;
}

/** Provider config keys this double reads; every other key @pulumi/aws sends (skipCredentialsValidation, ...) is accepted and ignored. */
function checkConfig(news: Record<string, unknown>): Array<{ property: string; reason: string }> {
    const region = news.region;
    if (region !== undefined && (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))) {
        return [{ property: "region", reason: `not an AWS region: ${JSON.stringify(region)}` }];
    }
    return [];
}

export function createProvider(): pulumiProvider.Provider {
    const schema = fs.readFileSync(path.join(__dirname, "schema.json"), "utf8");
    return {
        version: VERSION,
        getSchema: async () => schema,

        async check(urn, olds, news) {
            const extras = takeCheckExtras(urn); // first, before any await: see wire.ts
            const result = await handlerFor(urn).check(urn, plain(olds ?? {}), plain(news ?? {}), extras);
            return { inputs: result.inputs, failures: result.failures?.length ? result.failures : undefined };
        },

        async diff(_id, urn, olds, news) {
            const extras = takeDiffExtras(urn);
            const oldInputs: Props = plain(extras.oldInputs ?? olds ?? {});
            const { changed, replaces } = handlerFor(urn).diff(oldInputs, plain(news ?? {}), extras.ignoreChanges);
            reportDiffKeys(urn, changed);
            // deleteBeforeReplace is left to the engine (resource options, autonaming without randomness).
            return { changes: changed.length > 0, replaces };
        },

        async create(urn, inputs) {
            return handlerFor(urn).create(urn, plain(inputs ?? {}));
        },

        async read(id, urn, props) {
            const handler = handlerFor(urn);
            const state: Props = plain(props ?? {});
            if (handler.read === undefined) {
                return { id, props: state };
            }
            const live = await handler.read(id, urn, state);
            return live === undefined ? { id: "", props: {} } : { id, props: live };
        },

        async update(id, urn, olds, news) {
            const oldInputs = takeUpdateOldInputs(urn);
            const oldOutputs: Props = plain(olds ?? {});
            // Without old inputs in the request, the old outputs stand in: every handler copies its inputs there.
            return { outs: await handlerFor(urn).update(id, urn, oldOutputs, plain(news ?? {}), plain(oldInputs ?? oldOutputs)) };
        },

        async delete(id, urn, props) {
            await handlerFor(urn).delete(id, urn, plain(props ?? {}));
        },

        async invoke(token, inputs) {
            const fn = FUNCTIONS[token];
            if (fn === undefined) {
                throw new Error(`aws (sandbox test double): function ${token} is not implemented by this double; ` +
                    `it knows ${Object.keys(FUNCTIONS).join(", ")}`);
            }
            return { outputs: await fn(plain(inputs ?? {})) };
        },
    };
}

/** Wires the protocol extras (Configure, CheckConfig, autonaming, old inputs of Diff) to this provider's state. */
export function installExtras(): void {
    installProtocolExtras({
        onConfigure: (config: ProviderConfig) => setProviderConfig(config),
        checkConfig,
    });
}
