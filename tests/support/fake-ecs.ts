// A local stand-in for the ECS API, enough for `--in-use ecs`: the AWS JSON 1.1 protocol
// (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`) for ListClusters, ListServices,
// DescribeServices, ListTasks, DescribeTasks and DescribeTaskDefinition, paginated with ECS's limits and
// error shapes. It can throttle and deny calls, and refuses requests that are not SigV4-signed for ecs.
import { AwsJsonError, AwsJsonServer, pageOf, serveAwsJson } from "./aws-json";
import { delay, Signature, throttler } from "./loopback";

const TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";
const ACCOUNT = "123456789012";

export interface FakeContainer {
    name: string;
    image: string;
}

export interface FakeService {
    serviceName: string;
    /** `family:revision`. */
    taskDefinition: string;
    /** Other deployments, e.g. `{ taskDefinition: "api:41", status: "ACTIVE" }` during a rolling update. */
    otherDeployments?: Array<{ taskDefinition: string; status: "ACTIVE" | "INACTIVE" }>;
}

export interface FakeTask {
    /** `service:<name>` for a service's task. */
    group: string;
    taskDefinition: string;
    /** The digest ECS resolved each container's image to when the task started. */
    containers: Array<FakeContainer & { imageDigest?: string }>;
}

export interface FakeCluster {
    services: FakeService[];
    tasks: FakeTask[];
}

export interface FakeEcsOptions {
    /** `family:revision` → containers. */
    taskDefinitions: Record<string, FakeContainer[]>;
    clusters: Record<string, FakeCluster>;
    /** The most items a listing returns per page (ECS itself allows up to 100). */
    pageSize?: number;
    /** Operation → how many of its first calls to answer with ThrottlingException. */
    throttle?: Record<string, number>;
    /** `Operation` or `Operation cluster` → refused with AccessDeniedException. */
    deny?: string[];
    /** Added to every response, as a real region's round trip would be. */
    latencyMs?: number;
}

export interface EcsCall extends Signature {
    operation: string;
    body: Record<string, unknown>;
    throttled: boolean;
}

export interface FakeEcs extends AwsJsonServer {
    calls: EcsCall[];
}

export const clusterArn = (name: string) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${name}`;
export const taskDefinitionArn = (revision: string) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${revision}`;

export async function startFakeEcs(options: FakeEcsOptions): Promise<FakeEcs> {
    const calls: EcsCall[] = [];
    const throttles = throttler(options.throttle);
    const pageSize = options.pageSize ?? 100;
    const server = await serveAwsJson(TARGET_PREFIX, "ecs", async (operation, body, signature) => {
        await delay(options.latencyMs ?? 0);
        const throttled = throttles(operation);
        calls.push({ operation, body, throttled, ...signature });
        if (throttled) {
            throw new AwsJsonError("ThrottlingException", "Rate exceeded");
        }
        const cluster = body.cluster === undefined ? undefined : nameOf(String(body.cluster));
        if (options.deny?.includes(operation) || (cluster !== undefined && options.deny?.includes(`${operation} ${cluster}`))) {
            throw new AwsJsonError("AccessDeniedException", `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ` +
                `ecs:${operation} on resource: ${cluster !== undefined ? clusterArn(cluster) : "*"} because no identity-based policy allows the ecs:${operation} action`);
        }
        return handle(operation, body, cluster);
    });
    return { ...server, calls };

    function handle(operation: string, body: Record<string, unknown>, clusterName: string | undefined): unknown {
        if (operation === "ListClusters") {
            return page(Object.keys(options.clusters).map(clusterArn), body, "clusterArns");
        }
        if (operation === "DescribeTaskDefinition") {
            const revision = nameOf(String(body.taskDefinition));
            const containers = options.taskDefinitions[revision];
            if (containers === undefined) {
                throw new AwsJsonError("ClientException", "Unable to describe task definition.");
            }
            const [family, number] = revision.split(":");
            return { taskDefinition: { taskDefinitionArn: taskDefinitionArn(revision), family, revision: Number(number), containerDefinitions: containers } };
        }
        const cluster = options.clusters[clusterName ?? "default"];
        if (cluster === undefined) {
            throw new AwsJsonError("ClusterNotFoundException", "Cluster not found.");
        }
        switch (operation) {
            case "ListServices":
                return page(cluster.services.map((service) => serviceArn(clusterName!, service.serviceName)), body, "serviceArns");
            case "DescribeServices": {
                const wanted = body.services as string[];
                if (wanted.length > 10) {
                    throw new AwsJsonError("InvalidParameterException", "services can have at most 10 items.");
                }
                return { services: wanted.map((name) => describeService(clusterName!, cluster.services.find((service) => service.serviceName === nameOf(name))!)), failures: [] };
            }
            case "ListTasks":
                return page(cluster.tasks.map((_, index) => taskArn(clusterName!, index)), body, "taskArns");
            case "DescribeTasks": {
                const wanted = body.tasks as string[];
                if (wanted.length > 100) {
                    throw new AwsJsonError("InvalidParameterException", "tasks can have at most 100 items.");
                }
                return { tasks: wanted.map((arn) => describeTask(clusterName!, Number(nameOf(arn)), cluster.tasks[Number(nameOf(arn))])), failures: [] };
            }
            default: throw new AwsJsonError("UnknownOperationException", `unknown operation ${operation}`);
        }
    }

    function page(items: string[], body: Record<string, unknown>, field: string): unknown {
        const { page, continuation } = pageOf(items, body, pageSize, 10);
        return { [field]: page, ...continuation };
    }
}

function nameOf(nameOrArn: string): string {
    return nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1);
}

const serviceArn = (cluster: string, name: string) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${cluster}/${name}`;
const taskArn = (cluster: string, index: number) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/${cluster}/${index}`;

function describeService(cluster: string, service: FakeService): unknown {
    return {
        serviceArn: serviceArn(cluster, service.serviceName),
        serviceName: service.serviceName,
        clusterArn: clusterArn(cluster),
        status: "ACTIVE",
        taskDefinition: taskDefinitionArn(service.taskDefinition),
        deployments: [
            { id: "ecs-svc/1", status: "PRIMARY", taskDefinition: taskDefinitionArn(service.taskDefinition) },
            ...(service.otherDeployments ?? []).map((deployment, index) => ({ id: `ecs-svc/${index + 2}`, status: deployment.status,
                taskDefinition: taskDefinitionArn(deployment.taskDefinition) })),
        ],
    };
}

function describeTask(cluster: string, index: number, task: FakeTask): unknown {
    return {
        taskArn: taskArn(cluster, index),
        clusterArn: clusterArn(cluster),
        group: task.group,
        lastStatus: "RUNNING",
        taskDefinitionArn: taskDefinitionArn(task.taskDefinition),
        containers: task.containers.map((container) => ({ ...container, lastStatus: "RUNNING" })),
    };
}
