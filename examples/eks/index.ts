// A web app on Kubernetes (EKS): ecrx builds ./app and pushes it to ECR, and the Deployment runs it by
// digest, so pods roll exactly when the image changes. The cluster is the current kubeconfig's context.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as ecrx from "ecrx";
import * as path from "node:path";

const config = new pulumi.Config();
// The worker nodes pull the image with their instance role. The repository policy grants it pull access,
// which is what a cluster in another account needs; in the same account it makes the grant explicit.
const nodeRoleArn = config.require("nodeRoleArn");

const repo = new ecrx.Repository("web", { access: { pull: [nodeRoleArn] } });
// Resolved against this file rather than the working directory, so `pulumi up` works from anywhere.
const image = repo.buildAndPushImage(path.join(__dirname, "app"));

const labels = { app: "ecrx-web" };

new k8s.apps.v1.Deployment("web", {
    metadata: { labels },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                securityContext: { runAsNonRoot: true },
                containers: [{
                    name: "web",
                    image: image.imageUri,
                    ports: [{ name: "http", containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: "/", port: "http" } },
                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                }],
            },
        },
    },
});

const service = new k8s.core.v1.Service("web", {
    metadata: { labels },
    spec: {
        type: "LoadBalancer",
        selector: labels,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
    },
});

export const imageUri = image.imageUri;
/** The load balancer's host name, once the cluster's cloud controller has provisioned it. */
export const hostname = service.status.loadBalancer.ingress[0].hostname;
