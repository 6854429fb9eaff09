// TEST DOUBLE, NEVER SHIPPED: the ECR part of the sandbox's stand-in for the pulumi-aws provider (see main.ts).
// Repositories, lifecycle policies and repository policies are real, in moto's ECR API, through the AWS SDK;
// only the repository URL points at the sandbox's local OCI registry, so image pushes are real too.
import {
    CreateRepositoryCommand,
    DeleteLifecyclePolicyCommand,
    DeleteRepositoryCommand,
    DeleteRepositoryPolicyCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    GetAuthorizationTokenCommand,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    ListTagsForResourceCommand,
    PutImageScanningConfigurationCommand,
    PutImageTagMutabilityCommand,
    PutLifecyclePolicyCommand,
    Repository as EcrRepository,
    SetRepositoryPolicyCommand,
    TagResourceCommand,
    UntagResourceCommand,
} from "@aws-sdk/client-ecr";
import { ACCOUNT_ID, autoName, awsError, diffInputs, FunctionHandler, inputsOnly, Props, regionOf, ResourceHandler, tagsAllOf, withDefaults } from "./common";
import { containsUnknown, secretValue } from "./wire";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/**
 * Where ECR calls go: AWS_ENDPOINT_URL_ECR (or AWS_ENDPOINT_URL), which the AWS SDK v3 reads itself
 * (@smithy/core getEndpointUrlConfig for serviceId "ECR"). A test double must never reach real AWS, so an
 * endpoint that is missing or not on the loopback interface is refused.
 */
function checkedEndpoint(): string {
    const endpoint = process.env.AWS_ENDPOINT_URL_ECR || process.env.AWS_ENDPOINT_URL;
    if (!endpoint) {
        throw new Error("aws (sandbox test double): set AWS_ENDPOINT_URL_ECR to the local moto server, e.g. http://127.0.0.1:5000");
    }
    if (/^true$/i.test(process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? "")) {
        throw new Error("aws (sandbox test double): AWS_IGNORE_CONFIGURED_ENDPOINT_URLS would send ECR calls to real AWS; unset it");
    }
    let host: string;
    try {
        host = new URL(endpoint).hostname;
    } catch {
        throw new Error(`aws (sandbox test double): AWS_ENDPOINT_URL_ECR is not a URL: ${endpoint}`);
    }
    if (!LOOPBACK.test(host)) {
        throw new Error(`aws (sandbox test double): AWS_ENDPOINT_URL_ECR must be a loopback address (moto on 127.0.0.1), not ${host}`);
    }
    return endpoint;
}

const clients = new Map<string, ECRClient>();

function ecr(region: string): ECRClient {
    checkedEndpoint();
    let client = clients.get(region);
    if (client === undefined) {
        const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
        const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
        if (!accessKeyId || !secretAccessKey) {
            throw new Error("aws (sandbox test double): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for moto)");
        }
        // Static credentials from the environment: the SDK's default chain would fall back to the instance metadata service.
        client = new ECRClient({
            region,
            credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined },
            maxAttempts: 2,
        });
        clients.set(region, client);
    }
    return client;
}

function errorName(error: unknown): string | undefined {
    return (error as { name?: string })?.name;
}

/** Whether the policy texts are the same JSON document (the real provider suppresses diffs between such texts). */
function sameJson(a: unknown, b: unknown): boolean {
    if (typeof a !== "string" || typeof b !== "string") {
        return a === b;
    }
    try {
        return JSON.stringify(sortKeys(JSON.parse(a))) === JSON.stringify(sortKeys(JSON.parse(b)));
    } catch {
        return a === b;
    }
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Props)[k])]));
    }
    return value;
}

// ---------------------------------------------------------------------------------------------------------
// aws:ecr/repository:Repository

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const MUTABILITY = ["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"];

/** The value a repository property has when it is not given, so leaving it out and giving the default do not differ. */
function normalizeRepositoryInput(key: string, value: unknown): unknown {
    switch (key) {
        case "encryptionConfigurations": {
            const list = Array.isArray(value) && value.length > 0 ? value : [{}];
            return list.map((c: Props) => ({ encryptionType: c?.encryptionType ?? "AES256", kmsKey: c?.kmsKey || undefined }));
        }
        case "imageScanningConfiguration":
            return { scanOnPush: (value as Props | undefined)?.scanOnPush ?? false };
        case "imageTagMutability":
            return value ?? "MUTABLE";
        case "imageTagMutabilityExclusionFilters":
            return Array.isArray(value) ? value : [];
        case "forceDelete":
            return value ?? false;
        case "tags":
            return value ?? {};
        default:
            return value;
    }
}

function exclusionFilters(inputs: Props) {
    const filters = inputs.imageTagMutabilityExclusionFilters;
    return Array.isArray(filters) && filters.length > 0
        ? filters.map((f: Props) => ({ filter: f.filter, filterType: f.filterType ?? "WILDCARD" }))
        : undefined;
}

function repositoryOutputs(inputs: Props, repo: EcrRepository, tagsAll: Record<string, string>, region: string): Props {
    const name = repo.repositoryName!;
    const registry = process.env.ECRX_SANDBOX_REGISTRY;
    const outs: Props = {
        ...inputsOnly(inputs),
        arn: repo.repositoryArn,
        name,
        registryId: repo.registryId,
        // The sandbox's local OCI registry, so `docker push` to this URL really pushes; moto's own URI is not served.
        repositoryUrl: registry ? `${registry}/${name}` : repo.repositoryUri,
        imageTagMutability: repo.imageTagMutability ?? "MUTABLE",
        imageTagMutabilityExclusionFilters: (repo.imageTagMutabilityExclusionFilters ?? [])
            .map((f) => ({ filter: f.filter, filterType: f.filterType })),
        imageScanningConfiguration: { scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false },
        encryptionConfigurations: [{
            encryptionType: repo.encryptionConfiguration?.encryptionType ?? "AES256",
            kmsKey: repo.encryptionConfiguration?.kmsKey ?? "",
        }],
        forceDelete: inputs.forceDelete ?? false,
        region,
        tagsAll,
    };
    if (inputs.tags === undefined || inputs.tags === null) {
        delete outs.tags;
    }
    return outs;
}

async function describeRepository(client: ECRClient, name: string, registryId?: string): Promise<EcrRepository | undefined> {
    try {
        const resp = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name], registryId }));
        return resp.repositories?.[0];
    } catch (error) {
        if (errorName(error) === "RepositoryNotFoundException") {
            return undefined;
        }
        throw awsError(`reading ECR Repository (${name})`, error);
    }
}

const REPOSITORY_REPLACES = ["name", "encryptionConfigurations", "region"];

export const repository: ResourceHandler = {
    async check(urn, olds, news, extras) {
        const failures: Array<{ property: string; reason: string }> = [];
        const named = autoName(urn, olds, news, extras);
        if (named.failure !== undefined) {
            failures.push({ property: "name", reason: named.failure });
        }
        const inputs = withDefaults(named.inputs, { imageTagMutability: "MUTABLE" });
        if (typeof inputs.name === "string" && !containsUnknown(inputs.name)
            && (inputs.name.length < 2 || inputs.name.length > 256 || !REPOSITORY_NAME.test(inputs.name))) {
            failures.push({ property: "name", reason: `"${inputs.name}" is not a valid ECR repository name: lowercase letters, digits, ` +
                "._- between them and / between components, 2 to 256 characters" });
        }
        if (typeof inputs.imageTagMutability === "string" && !containsUnknown(inputs.imageTagMutability)
            && !MUTABILITY.includes(inputs.imageTagMutability)) {
            failures.push({ property: "imageTagMutability", reason: `expected one of ${MUTABILITY.join(", ")}, got ${inputs.imageTagMutability}` });
        }
        return { inputs, failures };
    },

    diff(oldInputs, news, ignoreChanges) {
        return diffInputs(oldInputs, news, REPOSITORY_REPLACES, [], ignoreChanges, normalizeRepositoryInput);
    },

    async create(_urn, inputs) {
        const region = regionOf(inputs);
        const client = ecr(region);
        const tagsAll = tagsAllOf(inputs);
        const encryption = Array.isArray(inputs.encryptionConfigurations) ? inputs.encryptionConfigurations[0] : undefined;
        let repo: EcrRepository | undefined;
        try {
            const resp = await client.send(new CreateRepositoryCommand({
                repositoryName: inputs.name,
                imageTagMutability: inputs.imageTagMutability ?? "MUTABLE",
                imageTagMutabilityExclusionFilters: exclusionFilters(inputs),
                imageScanningConfiguration: inputs.imageScanningConfiguration !== undefined
                    ? { scanOnPush: inputs.imageScanningConfiguration?.scanOnPush === true } : undefined,
                encryptionConfiguration: encryption !== undefined && encryption !== null ? {
                    encryptionType: encryption.encryptionType ?? "AES256",
                    kmsKey: encryption.kmsKey || undefined,
                } : undefined,
                tags: Object.keys(tagsAll).length > 0 ? Object.entries(tagsAll).map(([Key, Value]) => ({ Key, Value })) : undefined,
            }));
            repo = resp.repository;
        } catch (error) {
            throw awsError(`creating ECR Repository (${inputs.name})`, error);
        }
        if (repo === undefined) {
            throw new Error(`creating ECR Repository (${inputs.name}): CreateRepository returned no repository`);
        }
        return { id: repo.repositoryName!, outs: repositoryOutputs(inputs, repo, tagsAll, region) };
    },

    async read(id, _urn, props) {
        const region = regionOf(props);
        const client = ecr(region);
        const repo = await describeRepository(client, id, props.registryId);
        if (repo === undefined) {
            return undefined;
        }
        const tagList = await client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
        const tagsAll = Object.fromEntries((tagList.tags ?? []).map((t) => [t.Key!, t.Value ?? ""]));
        return repositoryOutputs(props, repo, tagsAll, region);
    },

    async update(id, _urn, oldOutputs, news, oldInputs) {
        const region = regionOf(news);
        const client = ecr(region);
        const { changed } = diffInputs(oldInputs, news, REPOSITORY_REPLACES, [], [], normalizeRepositoryInput);
        const registryId = oldOutputs.registryId;
        try {
            if (changed.includes("imageTagMutability") || changed.includes("imageTagMutabilityExclusionFilters")) {
                await client.send(new PutImageTagMutabilityCommand({
                    repositoryName: id,
                    registryId,
                    imageTagMutability: news.imageTagMutability ?? "MUTABLE",
                    imageTagMutabilityExclusionFilters: exclusionFilters(news),
                }));
            }
            if (changed.includes("imageScanningConfiguration")) {
                await client.send(new PutImageScanningConfigurationCommand({
                    repositoryName: id,
                    registryId,
                    imageScanningConfiguration: { scanOnPush: news.imageScanningConfiguration?.scanOnPush === true },
                }));
            }
            const oldTags: Record<string, string> = oldOutputs.tagsAll ?? {};
            const newTags = tagsAllOf(news);
            const removed = Object.keys(oldTags).filter((key) => !(key in newTags));
            const set = Object.entries(newTags).filter(([key, value]) => oldTags[key] !== value);
            if (removed.length > 0) {
                await client.send(new UntagResourceCommand({ resourceArn: oldOutputs.arn, tagKeys: removed }));
            }
            if (set.length > 0) {
                await client.send(new TagResourceCommand({ resourceArn: oldOutputs.arn, tags: set.map(([Key, Value]) => ({ Key, Value })) }));
            }
        } catch (error) {
            throw awsError(`updating ECR Repository (${id})`, error);
        }
        const repo = await describeRepository(client, id, registryId);
        if (repo === undefined) {
            throw new Error(`updating ECR Repository (${id}): the repository no longer exists`);
        }
        return repositoryOutputs(news, repo, tagsAllOf(news), region);
    },

    async delete(id, _urn, props) {
        const client = ecr(regionOf(props));
        try {
            await client.send(new DeleteRepositoryCommand({ repositoryName: id, registryId: props.registryId, force: props.forceDelete === true }));
        } catch (error) {
            if (errorName(error) === "RepositoryNotFoundException") {
                return; // Already gone, as the real provider treats it.
            }
            // RepositoryNotEmptyException (images left and forceDelete false) surfaces with its name and message.
            throw awsError(`deleting ECR Repository (${id})`, error);
        }
    },
};

// ---------------------------------------------------------------------------------------------------------
// aws:ecr/lifecyclePolicy:LifecyclePolicy and aws:ecr/repositoryPolicy:RepositoryPolicy

function requireStrings(news: Props, keys: string[]): Array<{ property: string; reason: string }> {
    return keys.filter((key) => news[key] === undefined || news[key] === null)
        .map((key) => ({ property: key, reason: `Missing required argument: "${key}"` }));
}

interface PolicyApi {
    what: string;
    put(client: ECRClient, repositoryName: string, text: string, registryId?: string): Promise<string | undefined>;
    get(client: ECRClient, repositoryName: string, registryId?: string): Promise<string | undefined>;
    remove(client: ECRClient, repositoryName: string, registryId?: string): Promise<void>;
    notFound: string[];
}

/** A resource holding one policy text of a repository; the text goes to ECR exactly as given. */
function policyResource(api: PolicyApi): ResourceHandler {
    const outputs = (inputs: Props, registryId: string | undefined, region: string): Props => ({
        repository: inputs.repository,
        policy: inputs.policy,
        registryId: registryId ?? ACCOUNT_ID,
        region,
    });
    return {
        async check(_urn, _olds, news) {
            return { inputs: news, failures: requireStrings(news, ["repository", "policy"]) };
        },
        diff(oldInputs, news, ignoreChanges) {
            return diffInputs(oldInputs, news, ["repository", "region"], [], ignoreChanges,
                (key, value) => key === "policy" && typeof value === "string" && !containsUnknown(value) && sameJson(value, oldInputs.policy)
                    ? oldInputs.policy : value);
        },
        async create(_urn, inputs) {
            const region = regionOf(inputs);
            let registryId: string | undefined;
            try {
                registryId = await api.put(ecr(region), inputs.repository, inputs.policy);
            } catch (error) {
                throw awsError(`creating ${api.what} (${inputs.repository})`, error);
            }
            return { id: inputs.repository, outs: outputs(inputs, registryId, region) };
        },
        async read(id, _urn, props) {
            const region = regionOf(props);
            let text: string | undefined;
            try {
                text = await api.get(ecr(region), id, props.registryId);
            } catch (error) {
                if (api.notFound.includes(errorName(error) ?? "")) {
                    return undefined;
                }
                throw awsError(`reading ${api.what} (${id})`, error);
            }
            return { ...props, repository: id, policy: sameJson(text, props.policy) ? props.policy : text, region };
        },
        async update(id, _urn, oldOutputs, news) {
            const region = regionOf(news);
            let registryId: string | undefined;
            try {
                registryId = await api.put(ecr(region), news.repository, news.policy, oldOutputs.registryId);
            } catch (error) {
                throw awsError(`updating ${api.what} (${id})`, error);
            }
            return outputs(news, registryId ?? oldOutputs.registryId, region);
        },
        async delete(id, _urn, props) {
            try {
                await api.remove(ecr(regionOf(props)), props.repository ?? id, props.registryId);
            } catch (error) {
                if (api.notFound.includes(errorName(error) ?? "")) {
                    return;
                }
                throw awsError(`deleting ${api.what} (${id})`, error);
            }
        },
    };
}

export const lifecyclePolicy = policyResource({
    what: "ECR Lifecycle Policy",
    async put(client, repositoryName, lifecyclePolicyText, registryId) {
        return (await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText, registryId }))).registryId;
    },
    async get(client, repositoryName, registryId) {
        return (await client.send(new GetLifecyclePolicyCommand({ repositoryName, registryId }))).lifecyclePolicyText;
    },
    async remove(client, repositoryName, registryId) {
        await client.send(new DeleteLifecyclePolicyCommand({ repositoryName, registryId }));
    },
    notFound: ["LifecyclePolicyNotFoundException", "RepositoryNotFoundException"],
});

export const repositoryPolicy = policyResource({
    what: "ECR Repository Policy",
    async put(client, repositoryName, policyText, registryId) {
        return (await client.send(new SetRepositoryPolicyCommand({ repositoryName, policyText, registryId }))).registryId;
    },
    async get(client, repositoryName, registryId) {
        return (await client.send(new GetRepositoryPolicyCommand({ repositoryName, registryId }))).policyText;
    },
    async remove(client, repositoryName, registryId) {
        await client.send(new DeleteRepositoryPolicyCommand({ repositoryName, registryId }));
    },
    notFound: ["RepositoryPolicyNotFoundException", "RepositoryNotFoundException"],
});

// ---------------------------------------------------------------------------------------------------------
// aws:ecr/getAuthorizationToken:getAuthorizationToken

/** How long a token is said to be valid: ECR's tokens last 12 hours. */
const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * Credentials for the sandbox's local registry (ECRX_SANDBOX_REGISTRY_USER / _PASSWORD), in the shape of
 * GetAuthorizationTokenResult. Without ECRX_SANDBOX_REGISTRY it asks moto, whose token serves no registry.
 * The password and the token are returned as secrets; neither is ever logged.
 */
export const getAuthorizationToken: FunctionHandler = async (args) => {
    const region = regionOf(args);
    const registry = process.env.ECRX_SANDBOX_REGISTRY;
    let userName: string;
    let password: string;
    let proxyEndpoint: string;
    let expiresAt: string;
    if (registry) {
        userName = process.env.ECRX_SANDBOX_REGISTRY_USER ?? "";
        password = process.env.ECRX_SANDBOX_REGISTRY_PASSWORD ?? "";
        proxyEndpoint = `http://${registry}`;
        expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString();
    } else {
        let data;
        try {
            const resp = await ecr(region).send(new GetAuthorizationTokenCommand(args.registryId ? { registryIds: [args.registryId] } : {}));
            data = resp.authorizationData?.[0];
        } catch (error) {
            throw awsError("getting ECR authorization token", error);
        }
        const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        userName = colon < 0 ? decoded : decoded.slice(0, colon);
        password = colon < 0 ? "" : decoded.slice(colon + 1);
        proxyEndpoint = data?.proxyEndpoint ?? "";
        expiresAt = (data?.expiresAt ?? new Date(Date.now() + TOKEN_LIFETIME_MS)).toISOString();
    }
    return {
        authorizationToken: secretValue(Buffer.from(`${userName}:${password}`, "utf8").toString("base64")),
        expiresAt,
        id: region,
        password: secretValue(password),
        proxyEndpoint,
        region,
        registryId: args.registryId ?? ACCOUNT_ID,
        userName,
    };
};
