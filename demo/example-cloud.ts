// The cloud the examples run against in the demo and the tests: ecrx/testing's ECR and docker-build, plus
// the other AWS resources and data sources the examples use, answered for the same account and region.
import * as pulumi from "@pulumi/pulumi";
import { EcrMocks, FAKE_ACCOUNT, FAKE_REGION } from "../sdk/testing";
import { physicalName } from "../sdk/testing/answers";

export const FAKE_DEFAULT_VPC = "vpc-0defa017000000000";
export const FAKE_DEFAULT_SUBNETS = ["subnet-0a00000000000000a", "subnet-0b00000000000000b", "subnet-0c00000000000000c"];

export class ExampleCloud extends EcrMocks {
    protected stateOf(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
        return super.stateOf(type, name, inputs) ?? exampleResourceState(type, name, inputs);
    }

    protected invokeResultOf(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
        return super.invokeResultOf(token, inputs) ?? defaultNetworkAnswer(token, inputs);
    }
}

/**
 * What the fake cloud computes for the other resources the examples create. What the cloud picks (a load
 * balancer's DNS name, a function URL) stays unknown in a preview.
 */
function exampleResourceState(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (type) {
        case "aws:iam/role:Role": {
            const roleName = physicalName(name, inputs);
            return { ...inputs, name: roleName, arn: `arn:aws:iam::${FAKE_ACCOUNT}:role/${roleName}` };
        }
        case "aws:lambda/function:Function": {
            const functionName = physicalName(name, inputs);
            return { ...inputs, name: functionName, arn: `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${functionName}` };
        }
        case "aws:lb/loadBalancer:LoadBalancer": {
            if (pulumi.runtime.isDryRun()) {
                return inputs;
            }
            const lbName = physicalName(name, inputs);
            return {
                ...inputs,
                name: lbName,
                arn: `arn:aws:elasticloadbalancing:${FAKE_REGION}:${FAKE_ACCOUNT}:loadbalancer/app/${lbName}/50dc6c495c0c9188`,
                dnsName: `${lbName}-1234567890.${FAKE_REGION}.elb.amazonaws.com`,
            };
        }
        case "aws:lambda/functionUrl:FunctionUrl": {
            if (pulumi.runtime.isDryRun()) {
                return inputs;
            }
            const urlId = `${name.replace(/[^a-z0-9]/g, "")}abc1234`;
            return { ...inputs, urlId, functionUrl: `https://${urlId}.lambda-url.${FAKE_REGION}.on.aws/` };
        }
        default:
            return undefined;
    }
}

/** The default VPC and its subnets, which the ECS example looks up. */
export function defaultNetworkAnswer(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (token) {
        case "aws:ec2/getVpc:getVpc":
            return { id: FAKE_DEFAULT_VPC, default: true, cidrBlock: "172.31.0.0/16", arn: `arn:aws:ec2:${FAKE_REGION}:${FAKE_ACCOUNT}:vpc/${FAKE_DEFAULT_VPC}` };
        case "aws:ec2/getSubnets:getSubnets":
            return { id: FAKE_REGION, ids: FAKE_DEFAULT_SUBNETS, filters: inputs.filters };
        default:
            return undefined;
    }
}
