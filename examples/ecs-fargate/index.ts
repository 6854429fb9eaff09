// A web app on ECS Fargate: ecrx builds ./app, pushes it to its own ECR repository, and hands the service
// the image by digest, so every change to the app rolls out a new task definition and nothing else does.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";
import * as path from "node:path";
import { retentionRules } from "./retention";

const containerName = "app";
const containerPort = 8080;

const repo = new ecrx.Repository("app", { lifeCyclePolicyArgs: { rules: retentionRules } });
// Resolved against this file rather than the working directory, so `pulumi up` works from anywhere.
const image = repo.buildAndPushImage(path.join(__dirname, "app"));

// The default VPC's subnets give instances public IPs, so tasks reach ECR without a NAT gateway.
const vpc = aws.ec2.getVpcOutput({ default: true });
const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] });

const albSecurityGroup = new aws.ec2.SecurityGroup("alb", {
    vpcId: vpc.id,
    description: "HTTP from anywhere to the load balancer",
    ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});
const taskSecurityGroup = new aws.ec2.SecurityGroup("task", {
    vpcId: vpc.id,
    description: "The app's port from the load balancer only; egress for image pulls and logs",
    ingress: [{ protocol: "tcp", fromPort: containerPort, toPort: containerPort, securityGroups: [albSecurityGroup.id] }],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});

const alb = new aws.lb.LoadBalancer("web", {
    loadBalancerType: "application",
    securityGroups: [albSecurityGroup.id],
    subnets: subnets.ids,
});
// Fargate tasks in awsvpc mode register by IP address, not by instance.
const targetGroup = new aws.lb.TargetGroup("web", {
    port: containerPort,
    protocol: "HTTP",
    targetType: "ip",
    vpcId: vpc.id,
    healthCheck: { path: "/", matcher: "200" },
    deregistrationDelay: 30,
});
const listener = new aws.lb.Listener("web", {
    loadBalancerArn: alb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
});

const cluster = new aws.ecs.Cluster("cluster");

// ECS itself uses this role to pull the image from ECR and to write the container's logs.
const executionRole = new aws.iam.Role("task-execution", {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("task-execution", {
    role: executionRole.name,
    policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy,
});

const logGroup = new aws.cloudwatch.LogGroup("app", { retentionInDays: 7 });
const region = aws.getRegionOutput();

const taskDefinition = new aws.ecs.TaskDefinition("app", {
    family: `ecrx-app-${pulumi.getStack()}`,
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    // The image is built for linux/amd64 (ecrx's default), so the task must run on x86.
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    executionRoleArn: executionRole.arn,
    containerDefinitions: pulumi.jsonStringify([{
        name: containerName,
        image: image.imageUri,
        essential: true,
        portMappings: [{ containerPort, protocol: "tcp" }],
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": logGroup.name,
                "awslogs-region": region.region,
                "awslogs-stream-prefix": containerName,
            },
        },
    }]),
});

new aws.ecs.Service("app", {
    cluster: cluster.arn,
    taskDefinition: taskDefinition.arn,
    launchType: "FARGATE",
    desiredCount: 1,
    networkConfiguration: {
        subnets: subnets.ids,
        securityGroups: [taskSecurityGroup.id],
        assignPublicIp: true,
    },
    loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName, containerPort }],
    // ECS refuses a target group that no load balancer forwards to yet.
}, { dependsOn: [listener] });

export const url = pulumi.interpolate`http://${alb.dnsName}`;
export const imageUri = image.imageUri;
