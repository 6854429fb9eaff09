// ============================================================================================================
// TEST DOUBLE -- NEVER SHIPPED. This is not the pulumi-aws provider. It is a stand-in plugin named "aws",
// version 7.48.0 (what @pulumi/aws in node_modules asks for), that the local sandbox installs as
// `pulumi-resource-aws` because the real provider cannot be built on this machine. package.json "files" does
// not include tests/, so none of this is ever published.
//
// What it does:
//   - aws:ecr/repository:Repository, aws:ecr/lifecyclePolicy:LifecyclePolicy, aws:ecr/repositoryPolicy:RepositoryPolicy
//     are real, in moto's ECR API (AWS_ENDPOINT_URL_ECR, loopback only) through @aws-sdk/client-ecr; a repository's
//     repositoryUrl is ${ECRX_SANDBOX_REGISTRY}/<name>, a local OCI registry, so image pushes are real.
//   - aws:ecr/getAuthorizationToken:getAuthorizationToken returns that registry's credentials
//     (ECRX_SANDBOX_REGISTRY_USER / ECRX_SANDBOX_REGISTRY_PASSWORD), the password as a secret.
//   - the other types and invokes the examples use (ECS, IAM, EC2 security groups, load balancers, Lambda,
//     CloudWatch log groups, getVpc/getSubnets/getRegion/getCallerIdentity) are recorded only: made-up outputs,
//     nothing created anywhere.
//
// Run: node -r ts-node/register/transpile-only tests/sandbox/aws-provider/main.ts [engine address]
// (the sandbox's launcher, see launcher.ts, does exactly that with absolute paths).
// ============================================================================================================
import * as pulumi from "@pulumi/pulumi";
import { createProvider, installExtras } from "./provider";

installExtras();
pulumi.provider.main(createProvider(), process.argv.slice(2)).catch((error) => {
    console.error(`aws (sandbox test double) failed to start: ${error?.stack ?? error}`);
    process.exit(1);
});
