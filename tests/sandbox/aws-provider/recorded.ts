// TEST DOUBLE, NEVER SHIPPED: the non-ECR part of the sandbox's stand-in for the pulumi-aws provider (see main.ts).
// These types only exist so the examples deploy in the sandbox: nothing is created anywhere. Their inputs are
// recorded in the Pulumi state as given, and their computed outputs (IDs, ARNs in account 123456789012 and the
// resource's region, DNS names, URLs) are made up in the real provider's formats.
import { ACCOUNT_ID, autoName, diffInputs, FunctionHandler, hexSuffix, inputsOnly, Props, randomDigits, regionOf, ResourceHandler, tagsAllOf } from "./common";
import { UNKNOWN } from "./wire";

interface RecordedType {
    /** Autonamed `name` property, as the bridge does for resources with an input `name`: its maximum length. */
    autoNameMaxLength?: number;
    /** The inputs whose change replaces the resource, or "all" (but `updatable` and tags). */
    replaceOn: string[] | "all";
    updatable?: string[];
    /** Whether the type has tags/tagsAll. */
    tagged?: boolean;
    /** Made-up computed outputs, from the checked inputs and the region; `previous` is the old state on update. */
    computed(inputs: Props, region: string, previous?: Props): Props;
    /** The resource ID, from the outputs. Default: `arn`. */
    id?(outs: Props): string;
}

const hex = (n: number) => hexSuffix(n);
const nameOf = (arn: unknown) => typeof arn === "string" ? arn.slice(arn.lastIndexOf("/") + 1) : "";

/** A task definition's revision: increasing across runs of the sandbox, since the plugin keeps no state of its own. */
let lastRevision = 0;
function nextRevision(): number {
    lastRevision = Math.max(lastRevision + 1, Math.floor(Date.now() / 1000) - 1_700_000_000);
    return lastRevision;
}

const TYPES: Record<string, RecordedType> = {
    "aws:ec2/securityGroup:SecurityGroup": {
        autoNameMaxLength: 255,
        replaceOn: ["name", "namePrefix", "description", "vpcId", "region"],
        tagged: true,
        computed: (inputs, region, previous) => {
            const id = previous?.id ?? `sg-${hex(17)}`;
            return {
                id,
                arn: `arn:aws:ec2:${region}:${ACCOUNT_ID}:security-group/${id}`,
                ownerId: ACCOUNT_ID,
                description: inputs.description ?? "Managed by Pulumi",
                ingress: inputs.ingress ?? [],
                egress: inputs.egress ?? [],
                revokeRulesOnDelete: inputs.revokeRulesOnDelete ?? false,
            };
        },
        id: (outs) => outs.id,
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        autoNameMaxLength: 32,
        replaceOn: ["name", "namePrefix", "internal", "loadBalancerType", "region"],
        tagged: true,
        computed: (inputs, region, previous) => {
            if (previous?.arn !== undefined) {
                return { arn: previous.arn, arnSuffix: previous.arnSuffix, dnsName: previous.dnsName, zoneId: previous.zoneId };
            }
            const kind = inputs.loadBalancerType === "network" ? "net" : inputs.loadBalancerType === "gateway" ? "gwy" : "app";
            const suffix = `${kind}/${inputs.name}/${hex(16)}`;
            return {
                arn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}:loadbalancer/${suffix}`,
                arnSuffix: suffix,
                dnsName: `${inputs.internal ? "internal-" : ""}${inputs.name}-${randomDigits(10)}.${region}.elb.amazonaws.com`,
                zoneId: "Z35SXDOTRQ7X7K",
                loadBalancerType: inputs.loadBalancerType ?? "application",
                internal: inputs.internal ?? false,
                vpcId: `vpc-${hex(17)}`,
            };
        },
    },
    "aws:lb/targetGroup:TargetGroup": {
        autoNameMaxLength: 32,
        replaceOn: ["name", "namePrefix", "port", "protocol", "targetType", "vpcId", "region"],
        tagged: true,
        computed: (inputs, region, previous) => {
            const suffix = previous?.arnSuffix ?? `targetgroup/${inputs.name}/${hex(16)}`;
            return {
                arn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}:${suffix}`,
                arnSuffix: suffix,
                loadBalancerArns: [],
            };
        },
    },
    "aws:lb/listener:Listener": {
        replaceOn: ["loadBalancerArn", "region"],
        tagged: true,
        computed: (inputs, region, previous) => {
            if (previous?.arn !== undefined) {
                return { arn: previous.arn };
            }
            const lbArn = typeof inputs.loadBalancerArn === "string" ? inputs.loadBalancerArn : "";
            const lbPart = lbArn.includes(":loadbalancer/") ? lbArn.slice(lbArn.indexOf(":loadbalancer/") + ":loadbalancer/".length) : `app/lb/${hex(16)}`;
            return { arn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}:listener/${lbPart}/${hex(16)}` };
        },
    },
    "aws:ecs/cluster:Cluster": {
        autoNameMaxLength: 255,
        replaceOn: ["name", "region"],
        tagged: true,
        computed: (inputs, region) => ({ arn: `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/${inputs.name}` }),
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        // Every change but tags makes a new revision, as with the real provider.
        replaceOn: "all",
        updatable: ["skipDestroy", "trackLatest"],
        tagged: true,
        computed: (inputs, region, previous) => {
            const revision = previous?.revision ?? nextRevision();
            const base = `arn:aws:ecs:${region}:${ACCOUNT_ID}:task-definition/${inputs.family}`;
            return { arn: `${base}:${revision}`, arnWithoutRevision: base, revision };
        },
        id: (outs) => outs.family,
    },
    "aws:ecs/service:Service": {
        autoNameMaxLength: 255,
        replaceOn: ["name", "cluster", "launchType", "schedulingStrategy", "region"],
        tagged: true,
        computed: (inputs, region) => ({
            arn: `arn:aws:ecs:${region}:${ACCOUNT_ID}:service/${nameOf(inputs.cluster) || "default"}/${inputs.name}`,
            cluster: inputs.cluster ?? `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/default`,
        }),
    },
    "aws:iam/role:Role": {
        autoNameMaxLength: 64,
        replaceOn: ["name", "namePrefix", "path"],
        tagged: true,
        computed: (inputs, _region, previous) => ({
            arn: `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? "/"}${inputs.name}`,
            uniqueId: previous?.uniqueId ?? `AROA${hex(17).toUpperCase()}`,
            createDate: previous?.createDate ?? new Date().toISOString(),
            path: inputs.path ?? "/",
            maxSessionDuration: inputs.maxSessionDuration ?? 3600,
        }),
        id: (outs) => outs.name,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        replaceOn: ["role", "policyArn"],
        computed: () => ({}),
        id: (outs) => `${outs.role}/${outs.policyArn}`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        autoNameMaxLength: 512,
        replaceOn: ["name", "namePrefix", "logGroupClass", "region"],
        tagged: true,
        computed: (inputs, region) => ({
            arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${inputs.name}`,
            retentionInDays: inputs.retentionInDays ?? 0,
            logGroupClass: inputs.logGroupClass ?? "STANDARD",
        }),
        id: (outs) => outs.name,
    },
    "aws:lambda/function:Function": {
        autoNameMaxLength: 64,
        replaceOn: ["name", "packageType", "region"],
        tagged: true,
        computed: (inputs, region, previous) => {
            const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${inputs.name}`;
            return {
                arn,
                invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                qualifiedArn: `${arn}:$LATEST`,
                qualifiedInvokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}:$LATEST/invocations`,
                version: "$LATEST",
                lastModified: new Date().toISOString(),
                sourceCodeHash: previous?.sourceCodeHash ?? "",
                memorySize: inputs.memorySize ?? 128,
                timeout: inputs.timeout ?? 3,
                architectures: inputs.architectures ?? ["x86_64"],
            };
        },
        id: (outs) => outs.name,
    },
    "aws:lambda/functionUrl:FunctionUrl": {
        replaceOn: ["functionName", "qualifier", "region"],
        computed: (inputs, region, previous) => {
            const urlId = previous?.urlId ?? hex(32);
            return {
                urlId,
                functionUrl: `https://${urlId}.lambda-url.${region}.on.aws/`,
                functionArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${inputs.functionName}`,
                invokeMode: inputs.invokeMode ?? "BUFFERED",
            };
        },
        id: (outs) => outs.functionName,
    },
    "aws:lambda/permission:Permission": {
        replaceOn: "all",
        computed: (inputs, _region, previous) => ({
            statementId: inputs.statementId ?? previous?.statementId ?? `terraform-${randomDigits(26)}`,
        }),
        id: (outs) => outs.statementId,
    },
};

function recordedHandler(type: string, spec: RecordedType): ResourceHandler {
    const outputsOf = (inputs: Props, previous?: Props): Props => {
        const region = regionOf(inputs);
        const regional = type.startsWith("aws:iam/") ? {} : { region };
        return {
            ...inputsOnly(inputs),
            ...regional,
            ...spec.computed(inputs, region, previous),
            ...(spec.tagged ? { tagsAll: tagsAllOf(inputs) } : {}),
        };
    };
    const idOf = (outs: Props) => String((spec.id ?? ((o: Props) => o.arn))(outs));
    return {
        async check(urn, olds, news, extras) {
            if (spec.autoNameMaxLength === undefined || news.namePrefix !== undefined) {
                return { inputs: news };
            }
            const named = autoName(urn, olds, news, extras, spec.autoNameMaxLength);
            return { inputs: named.inputs, failures: named.failure ? [{ property: "name", reason: named.failure }] : [] };
        },
        diff(oldInputs, news, ignoreChanges) {
            return diffInputs(oldInputs, news, spec.replaceOn, spec.updatable, ignoreChanges);
        },
        async create(_urn, inputs) {
            const prepared = { ...inputs };
            if (prepared.namePrefix !== undefined && prepared.name === undefined) {
                prepared.name = `${prepared.namePrefix}${randomDigits(26)}`.slice(0, spec.autoNameMaxLength ?? 255);
            }
            const outs = outputsOf(prepared);
            return { id: idOf(outs), outs };
        },
        async update(_id, _urn, oldOutputs, news) {
            return outputsOf({ ...news, name: news.name ?? oldOutputs.name }, oldOutputs);
        },
        async delete() {
            // Nothing exists anywhere; the engine drops the state.
        },
    };
}

export const recordedResources: Record<string, ResourceHandler> = Object.fromEntries(
    Object.entries(TYPES).map(([type, spec]) => [type, recordedHandler(type, spec)]));

// ---------------------------------------------------------------------------------------------------------
// Invokes the examples use besides ECR's: plausible answers, the same in every run of one region.

const DEFAULT_VPC_ID = "vpc-0sandbox0default0";

export const recordedFunctions: Record<string, FunctionHandler> = {
    "aws:index/getRegion:getRegion": async (args) => {
        const region = regionOf(args);
        return { description: `Sandbox region ${region}`, endpoint: `ec2.${region}.amazonaws.com`, id: region, name: region, region };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": async () => ({
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/sandbox`,
        id: ACCOUNT_ID,
        userId: "AIDASANDBOXUSER000000",
    }),
    "aws:index/getPartition:getPartition": async () => ({
        dnsSuffix: "amazonaws.com", id: "aws", partition: "aws", reverseDnsPrefix: "com.amazonaws",
    }),
    "aws:ec2/getVpc:getVpc": async (args) => {
        const region = regionOf(args);
        const id = typeof args.id === "string" && args.id !== UNKNOWN ? args.id : DEFAULT_VPC_ID;
        return {
            arn: `arn:aws:ec2:${region}:${ACCOUNT_ID}:vpc/${id}`,
            cidrBlock: "172.31.0.0/16",
            cidrBlockAssociations: [{ associationId: "vpc-cidr-assoc-0sandbox", cidrBlock: "172.31.0.0/16", state: "associated" }],
            default: true,
            dhcpOptionsId: "dopt-0sandbox",
            enableDnsHostnames: true,
            enableDnsSupport: true,
            enableNetworkAddressUsageMetrics: false,
            ...(args.filters !== undefined ? { filters: args.filters } : {}),
            id,
            instanceTenancy: "default",
            ipv6AssociationId: "",
            ipv6CidrBlock: "",
            ipv6CidrBlockAssociations: [],
            mainRouteTableId: "rtb-0sandbox",
            ownerId: ACCOUNT_ID,
            region,
            state: "available",
            tags: args.tags ?? {},
        };
    },
    "aws:ec2/getSubnets:getSubnets": async (args) => {
        const region = regionOf(args);
        return {
            ...(args.filters !== undefined ? { filters: args.filters } : {}),
            id: region,
            ids: ["a", "b", "c"].map((zone) => `subnet-0sandbox${zone}`),
            region,
            tags: args.tags ?? {},
        };
    },
};
