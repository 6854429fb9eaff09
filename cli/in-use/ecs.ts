// ECS: the images that services' task definitions name (the current one, and those of other deployments
// still under way) and the digests their running tasks actually pulled. ECS resolves a tag to a digest
// when a deployment starts, so a running task's digest can differ from the one its tag points to now.
import {
    ContainerDefinition,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    ECSClient,
    ListClustersCommand,
    ListServicesCommand,
    ListTasksCommand,
    Service,
    Task,
} from "@aws-sdk/client-ecs";
import { withoutTagOrDigest } from "./reference";
import { allPages, AwsSourceSettings, awsCalls, awsClientConfig, chunks, SourceReport } from "./source";

// The most each call takes or returns (ECS API reference).
const SERVICES_PER_DESCRIBE = 10;
const TASKS_PER_DESCRIBE = 100;
const PAGE_SIZE = 100;

export interface EcsSettings extends AwsSourceSettings {
    /** Names or ARNs; empty for every cluster in the region. */
    clusters: readonly string[];
}

export async function discoverEcs(settings: EcsSettings): Promise<SourceReport> {
    const client = new ECSClient(awsClientConfig(settings));
    const report: SourceReport = { references: [], denials: [] };
    const call = awsCalls("ecs", settings.concurrency, report);
    try {
        const clusters = settings.clusters.length > 0 ? [...settings.clusters] : await listClusters();
        let done = 0;
        const taskDefinitions = new Map<string, Promise<ContainerDefinition[] | undefined>>();
        const containersOf = (arn: string) => {
            if (!taskDefinitions.has(arn)) {
                taskDefinitions.set(arn, call("DescribeTaskDefinition", `task definition ${nameOf(arn)}`,
                    () => client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })))
                    .then((output) => output?.taskDefinition?.containerDefinitions ?? (output === undefined ? undefined : [])));
            }
            return taskDefinitions.get(arn)!;
        };
        await Promise.all(clusters.map(async (cluster) => {
            const where = `in cluster ${nameOf(cluster)}`;
            const [services, tasks] = await Promise.all([listServices(cluster), listTasks(cluster)]);
            await Promise.all([
                ...services.map((service) => serviceReferences(service, where, containersOf)),
                ...tasks.map((task) => taskReferences(task, where)),
            ]);
            settings.progress.update("ecs", ++done, clusters.length, "clusters");
        }));
        return report;
    } finally {
        client.destroy();
    }

    async function listClusters(): Promise<string[]> {
        const pages = await allPages((nextToken) => call("ListClusters", "the clusters of the region",
            () => client.send(new ListClustersCommand({ nextToken, maxResults: PAGE_SIZE }))), (page) => page.nextToken);
        return pages.flatMap((page) => page.clusterArns ?? []);
    }

    function listServices(cluster: string): Promise<Service[]> {
        return listThenDescribe(cluster,
            "ListServices", (nextToken) => client.send(new ListServicesCommand({ cluster, nextToken, maxResults: PAGE_SIZE }))
                .then((page) => ({ nextToken: page.nextToken, arns: page.serviceArns })),
            "DescribeServices", SERVICES_PER_DESCRIBE, (services) => client.send(new DescribeServicesCommand({ cluster, services }))
                .then((output) => output.services));
    }

    function listTasks(cluster: string): Promise<Task[]> {
        return listThenDescribe(cluster,
            "ListTasks", (nextToken) => client.send(new ListTasksCommand({ cluster, nextToken, maxResults: PAGE_SIZE }))
                .then((page) => ({ nextToken: page.nextToken, arns: page.taskArns })),
            "DescribeTasks", TASKS_PER_DESCRIBE, (tasks) => client.send(new DescribeTasksCommand({ cluster, tasks }))
                .then((output) => output.tasks));
    }

    /** Every page of a cluster's ARNs, then their descriptions in the largest batches ECS takes. */
    async function listThenDescribe<Item>(cluster: string,
        listing: string, list: (nextToken: string | undefined) => Promise<{ nextToken?: string; arns?: string[] }>,
        describing: string, batchSize: number, describe: (arns: string[]) => Promise<Item[] | undefined>): Promise<Item[]> {
        const scope = `cluster ${nameOf(cluster)}`;
        const pages = await allPages((nextToken) => call(listing, scope, () => list(nextToken)), (page) => page.nextToken);
        const described = await Promise.all(chunks(pages.flatMap((page) => page.arns ?? []), batchSize)
            .map((arns) => call(describing, scope, () => describe(arns))));
        return described.flatMap((items) => items ?? []);
    }

    async function serviceReferences(service: Service, where: string,
        containersOf: (arn: string) => Promise<ContainerDefinition[] | undefined>): Promise<void> {
        // The primary deployment first, so that a task definition both current and in another deployment reads as current.
        const deployments = new Map<string, string | undefined>();
        if (service.taskDefinition !== undefined) {
            deployments.set(service.taskDefinition, undefined);
        }
        for (const deployment of [...service.deployments ?? [], ...service.taskSets ?? []]) {
            if (deployment.taskDefinition !== undefined && deployment.status !== "INACTIVE" && !deployments.has(deployment.taskDefinition)) {
                deployments.set(deployment.taskDefinition, deployment.status === "PRIMARY" ? undefined : `${deployment.status?.toLowerCase()} deployment`);
            }
        }
        await Promise.all([...deployments].map(async ([arn, deployment]) => {
            for (const container of await containersOf(arn) ?? []) {
                if (container.image !== undefined) {
                    report.references.push({
                        image: container.image,
                        kind: "ecs",
                        name: `service ${service.serviceName}`,
                        where,
                        via: [`task definition ${nameOf(arn)}`, `container ${container.name}`, ...(deployment === undefined ? [] : [deployment])],
                    });
                }
            }
        }));
    }

    function taskReferences(task: Task, where: string): void {
        const group = task.group ?? "";
        const name = group.startsWith("service:") ? `service ${group.slice("service:".length)}` : `task ${nameOf(task.taskArn ?? "?")}`;
        for (const container of task.containers ?? []) {
            if (container.image === undefined) {
                continue;
            }
            report.references.push({
                // The digest is what the task pulled; the tag in `image` may have moved on since.
                image: container.imageDigest === undefined ? container.image : `${withoutTagOrDigest(container.image)}@${container.imageDigest}`,
                kind: "ecs",
                name,
                where,
                via: [`task definition ${nameOf(task.taskDefinitionArn ?? "?")}`, `container ${container.name}`, "running task"],
            });
        }
    }
}

/**
 * The last part of an ARN: `prod` of `arn:aws:ecs:…:cluster/prod`, `api:42` of `…:task-definition/api:42`.
 * A plain name stays as it is.
 */
function nameOf(nameOrArn: string): string {
    return nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1);
}
