// End-to-end test of the sandbox's test-double `aws` provider (tests/sandbox/aws-provider), run by hand, not by
// `npm test`:
//
//   npx mocha -r ts-node/register/transpile-only tests/e2e/aws-double.e2e.ts
//
// Needs moto (`pip install 'moto[server]'`, for `moto_server`). It starts its own moto on a free 127.0.0.1 port,
// writes the plugin's launcher to a temporary directory and starts the plugin through it, exactly as the sandbox's
// Pulumi CLI will, talks gRPC to it as the engine does, checks every effect in moto itself through the AWS SDK,
// and stops both processes it started.
import * as grpc from "@grpc/grpc-js";
import {
    DescribeRepositoriesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    PutImageCommand,
} from "@aws-sdk/client-ecr";
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { writeLauncher } from "../sandbox/aws-provider/launcher";

const REGION = "us-east-1";
const REGISTRY = "127.0.0.1:5999";
const REGISTRY_USER = "sandbox-user";
const REGISTRY_PASSWORD = "pw-never-logged-7f3a";
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const urnOf = (type: string, name: string) => `urn:pulumi:dev::sandbox::ecrx:index:Repository$${type}::${name}`;
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.pid === undefined) {
            throw new Error(`moto_server exited (${child.exitCode}) or did not start (pip install 'moto[server]' for moto_server)`);
        }
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
            socket.once("error", () => resolve(false));
        });
        if (open) {
            return;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
        return;
    }
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
}

const struct = (value: Record<string, unknown>) => structproto.Struct.fromJavaScript(value as any);
const js = (value: structproto.Struct | undefined) => (value?.toJavaScript() ?? {}) as Record<string, any>;

describe("the sandbox's test-double aws provider, against moto", function () {
    this.timeout(120_000);

    let moto: ChildProcess | undefined;
    let plugin: ChildProcess | undefined;
    let client: provrpc.ResourceProviderClient;
    let ecr: ECRClient;
    let stderr = "";
    let tmp: string;

    function rpc<Req, Res>(method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
        return new Promise((resolve, reject) => method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + 30_000 },
            (error, response) => error ? reject(error) : resolve(response)));
    }

    async function failureOf(promise: Promise<unknown>): Promise<grpc.ServiceError> {
        try {
            await promise;
        } catch (error) {
            return error as grpc.ServiceError;
        }
        throw new Error("expected the RPC to fail, but it succeeded");
    }

    async function check(type: string, name: string, news: Record<string, unknown>, olds: Record<string, unknown> = {},
        extras: (req: provproto.CheckRequest) => void = () => undefined) {
        const req = new provproto.CheckRequest().setUrn(urnOf(type, name)).setName(name).setType(type).setOlds(struct(olds)).setNews(struct(news));
        extras(req);
        const resp = await rpc<provproto.CheckRequest, provproto.CheckResponse>(client.check, req);
        return { inputs: js(resp.getInputs()), failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    }

    async function create(type: string, name: string, inputs: Record<string, unknown>) {
        const resp = await rpc<provproto.CreateRequest, provproto.CreateResponse>(client.create,
            new provproto.CreateRequest().setUrn(urnOf(type, name)).setName(name).setType(type).setProperties(struct(inputs)));
        return { id: resp.getId(), outs: js(resp.getProperties()) };
    }

    async function diff(type: string, name: string, id: string, oldInputs: Record<string, unknown>, oldOutputs: Record<string, unknown>, news: Record<string, unknown>) {
        const resp = await rpc<provproto.DiffRequest, provproto.DiffResponse>(client.diff, new provproto.DiffRequest()
            .setId(id).setUrn(urnOf(type, name)).setName(name).setType(type)
            .setOldInputs(struct(oldInputs)).setOlds(struct(oldOutputs)).setNews(struct(news)));
        return { changes: resp.getChanges(), replaces: resp.getReplacesList(), diffs: resp.getDiffsList(), deleteBeforeReplace: resp.getDeletebeforereplace() };
    }

    async function update(type: string, name: string, id: string, oldInputs: Record<string, unknown>, oldOutputs: Record<string, unknown>, news: Record<string, unknown>) {
        const resp = await rpc<provproto.UpdateRequest, provproto.UpdateResponse>(client.update, new provproto.UpdateRequest()
            .setId(id).setUrn(urnOf(type, name)).setName(name).setType(type)
            .setOldInputs(struct(oldInputs)).setOlds(struct(oldOutputs)).setNews(struct(news)));
        return js(resp.getProperties());
    }

    function remove(type: string, name: string, id: string, props: Record<string, unknown>) {
        return rpc<provproto.DeleteRequest, emptyproto.Empty>(client.delete, new provproto.DeleteRequest()
            .setId(id).setUrn(urnOf(type, name)).setName(name).setType(type).setProperties(struct(props)));
    }

    async function invoke(token: string, args: Record<string, unknown>) {
        const resp = await rpc<provproto.InvokeRequest, provproto.InvokeResponse>(client.invoke,
            new provproto.InvokeRequest().setTok(token).setArgs(struct(args)));
        return js(resp.getReturn());
    }

    before(async function () {
        const motoPort = await freePort();
        moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(motoPort)], { stdio: ["ignore", "ignore", "pipe"] });
        const started = await Promise.race([
            waitForPort(motoPort, moto, 30_000).then(() => undefined),
            new Promise<Error>((resolve) => moto!.once("error", resolve)),
        ]);
        if (started !== undefined) {
            throw new Error(`could not start moto_server (pip install 'moto[server]'): ${started.message}`);
        }
        const endpoint = `http://127.0.0.1:${motoPort}`;
        const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
        ecr = new ECRClient({ region: REGION, endpoint, credentials });

        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aws-double-"));
        const launcher = writeLauncher(tmp);
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            AWS_ENDPOINT_URL_ECR: endpoint,
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            ECRX_SANDBOX_REGISTRY: REGISTRY,
            ECRX_SANDBOX_REGISTRY_USER: REGISTRY_USER,
            ECRX_SANDBOX_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
        };
        // From another directory, as the CLI may start it anywhere.
        plugin = spawn(launcher, [], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] });
        plugin.stderr!.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the plugin printed no port in 60 s\n${stderr}`)), 60_000);
            readline.createInterface({ input: plugin!.stdout! }).once("line", (line) => { clearTimeout(timer); resolve(Number(line.trim())); });
            plugin!.once("exit", (code) => { clearTimeout(timer); reject(new Error(`the plugin exited (${code})\n${stderr}`)); });
        });
        client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(async function () {
        client?.close();
        await stop(plugin);
        await stop(moto);
        if (tmp !== undefined) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("says it is aws 7.48.0 and serves the ECR schema subset", async function () {
        const info = await rpc<emptyproto.Empty, plugproto.PluginInfo>(client.getPluginInfo, new emptyproto.Empty());
        assert.equal(info.getVersion(), "7.48.0");
        const schema = JSON.parse((await rpc<provproto.GetSchemaRequest, provproto.GetSchemaResponse>(client.getSchema, new provproto.GetSchemaRequest())).getSchema());
        assert.equal(schema.name, "aws");
        assert.equal(schema.version, "7.48.0");
        assert.equal(schema.meta.moduleFormat, "(.*)(?:/[^/]*)");
        for (const token of [REPOSITORY, LIFECYCLE, REPOSITORY_POLICY]) {
            assert.ok(schema.resources[token], token);
        }
    });

    it("takes the config @pulumi/aws sends, and negotiates plain values and autonaming", async function () {
        const config = { region: REGION, skipCredentialsValidation: "false", skipRegionValidation: "true", version: "7.48.0" };
        const checked = await rpc<provproto.CheckRequest, provproto.CheckResponse>(client.checkConfig,
            new provproto.CheckRequest().setUrn("urn:pulumi:dev::sandbox::pulumi:providers:aws::default").setNews(struct(config)).setOlds(struct({})));
        assert.deepEqual(checked.getFailuresList(), []);
        assert.deepEqual(js(checked.getInputs()), config);
        const req = new provproto.ConfigureRequest().setArgs(struct(config)).setAcceptsecrets(true).setAcceptresources(true);
        req.getVariablesMap().set("aws:config:region", REGION);
        const resp = await rpc<provproto.ConfigureRequest, provproto.ConfigureResponse>(client.configure, req);
        assert.equal(resp.getAcceptsecrets(), false);
        assert.equal(resp.getSupportsAutonamingConfiguration(), true);
    });

    it("auto-names a repository like the bridge, keeps the name on update, and honours the engine's autonaming", async function () {
        const first = await check(REPOSITORY, "app", { forceDelete: false });
        assert.match(first.inputs.name, /^app-[0-9a-f]{7}$/);
        assert.equal(first.inputs.imageTagMutability, "MUTABLE");
        const again = await check(REPOSITORY, "app", { forceDelete: true }, first.inputs);
        assert.equal(again.inputs.name, first.inputs.name);
        const explicit = await check(REPOSITORY, "app", { name: "given-name" }, first.inputs);
        assert.equal(explicit.inputs.name, "given-name");
        const seed = new Uint8Array([1, 2, 3, 4]);
        const seeded = [1, 2].map(() => check(REPOSITORY, "app", {}, {}, (r) => r.setRandomseed(seed)));
        const [s1, s2] = await Promise.all(seeded);
        assert.equal(s1.inputs.name, s2.inputs.name, "the same random seed gives the same name");
        const proposed = await check(REPOSITORY, "app", {}, {}, (r) => r.setAutonaming(
            new provproto.CheckRequest.AutonamingOptions().setProposedName("dev-app-x1").setMode(provproto.CheckRequest.AutonamingOptions.Mode.PROPOSE)));
        assert.equal(proposed.inputs.name, "dev-app-x1");
        const disabled = await check(REPOSITORY, "app", {}, {}, (r) => r.setAutonaming(
            new provproto.CheckRequest.AutonamingOptions().setMode(provproto.CheckRequest.AutonamingOptions.Mode.DISABLE)));
        assert.deepEqual(disabled.failures.map((f) => f.property), ["name"]);
        const invalid = await check(REPOSITORY, "app", { name: "Not_Valid" });
        assert.deepEqual(invalid.failures.map((f) => f.property), ["name"]);
    });

    it("creates, diffs, updates and deletes a repository in moto; a non-empty one only with forceDelete", async function () {
        const { inputs } = await check(REPOSITORY, "app", {
            forceDelete: false,
            imageTagMutability: "MUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            tags: { team: "platform" },
        });
        const name: string = inputs.name;
        const { id, outs } = await create(REPOSITORY, "app", inputs);
        assert.equal(id, name);
        assert.equal(outs.name, name);
        assert.equal(outs.repositoryUrl, `${REGISTRY}/${name}`);
        assert.equal(outs.arn, `arn:aws:ecr:${REGION}:123456789012:repository/${name}`);
        assert.equal(outs.registryId, "123456789012");
        assert.equal(outs.region, REGION);
        assert.equal(outs.forceDelete, false);
        assert.deepEqual(outs.tagsAll, { team: "platform" });
        assert.deepEqual(outs.imageScanningConfiguration, { scanOnPush: true });
        const [live] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories!;
        assert.equal(live.imageScanningConfiguration?.scanOnPush, true);
        assert.equal(live.imageTagMutability, "MUTABLE");

        // Diff: mutable fields update in place, name and encryption replace, nothing is a change.
        assert.deepEqual(await diff(REPOSITORY, "app", id, inputs, outs, inputs),
            { changes: provproto.DiffResponse.DiffChanges.DIFF_NONE, replaces: [], diffs: [], deleteBeforeReplace: false });
        const mutable = await diff(REPOSITORY, "app", id, inputs, outs, { ...inputs, imageTagMutability: "IMMUTABLE", tags: { team: "apps" } });
        assert.equal(mutable.changes, provproto.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepEqual(mutable.replaces, []);
        assert.deepEqual(mutable.diffs.sort(), ["imageTagMutability", "tags"]);
        const renamed = await diff(REPOSITORY, "app", id, inputs, outs, { ...inputs, name: `${name}-2` });
        assert.deepEqual(renamed.replaces, ["name"]);
        assert.equal(renamed.deleteBeforeReplace, false, "deleteBeforeReplace is the engine's business");
        const rekeyed = await diff(REPOSITORY, "app", id, inputs, outs, { ...inputs, encryptionConfigurations: [{ encryptionType: "KMS" }] });
        assert.deepEqual(rekeyed.replaces, ["encryptionConfigurations"]);

        const newInputs = { ...inputs, imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: false }, tags: { team: "apps" } };
        const updated = await update(REPOSITORY, "app", id, inputs, outs, newInputs);
        assert.equal(updated.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(updated.tagsAll, { team: "apps" });
        const [after] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories!;
        assert.equal(after.imageTagMutability, "IMMUTABLE");
        assert.equal(after.imageScanningConfiguration?.scanOnPush, false);

        // An image in the repository: deleting without forceDelete fails with moto's error, and the repository stays.
        await ecr.send(new PutImageCommand({
            repositoryName: name,
            imageTag: "v1",
            imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] }),
        }));
        const failure = await failureOf(remove(REPOSITORY, "app", id, updated));
        assert.match(failure.details, /RepositoryNotEmptyException/);
        assert.match(failure.details, new RegExp(name));
        assert.equal((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.length, 1);

        const forced = await update(REPOSITORY, "app", id, newInputs, updated, { ...newInputs, forceDelete: true });
        assert.equal(forced.forceDelete, true);
        await remove(REPOSITORY, "app", id, forced);
        await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), { name: "RepositoryNotFoundException" });
    });

    it("puts lifecycle and repository policies byte for byte, and deletes them", async function () {
        const { inputs } = await check(REPOSITORY, "pol", {});
        const { id: repoId, outs: repoOuts } = await create(REPOSITORY, "pol", inputs);
        // Unusual spacing and key order: moto must hold exactly this text.
        const lifecycleText = '{"rules":[ {"rulePriority":1,"description":"keep one untagged",' +
            '"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}';
        const lp = await check(LIFECYCLE, "pol", { repository: repoId, policy: lifecycleText });
        assert.deepEqual(lp.failures, []);
        const lifecycle = await create(LIFECYCLE, "pol", lp.inputs);
        assert.equal(lifecycle.id, repoId);
        assert.deepEqual(lifecycle.outs, { repository: repoId, policy: lifecycleText, registryId: "123456789012", region: REGION });
        const stored = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repoId }));
        assert.equal(stored.lifecyclePolicyText, lifecycleText);
        // The same document spelled differently is no change (as the real provider's JSON diff suppression).
        const respaced = JSON.stringify(JSON.parse(lifecycleText), null, 2);
        assert.equal((await diff(LIFECYCLE, "pol", lifecycle.id, lp.inputs, lifecycle.outs, { ...lp.inputs, policy: respaced })).changes,
            provproto.DiffResponse.DiffChanges.DIFF_NONE);
        assert.deepEqual((await diff(LIFECYCLE, "pol", lifecycle.id, lp.inputs, lifecycle.outs, { ...lp.inputs, repository: "other" })).replaces, ["repository"]);

        const policyText = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" },
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }],
        });
        const rp = await check(REPOSITORY_POLICY, "pol", { repository: repoId, policy: policyText });
        const repositoryPolicy = await create(REPOSITORY_POLICY, "pol", rp.inputs);
        assert.equal(repositoryPolicy.outs.policy, policyText);
        assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repoId }))).policyText, policyText);

        await remove(REPOSITORY_POLICY, "pol", repositoryPolicy.id, repositoryPolicy.outs);
        await assert.rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repoId })), { name: "RepositoryPolicyNotFoundException" });
        await remove(LIFECYCLE, "pol", lifecycle.id, lifecycle.outs);
        await assert.rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repoId })), { name: "LifecyclePolicyNotFoundException" });
        // A second delete of a policy that is gone is not an error, as with the real provider.
        await remove(LIFECYCLE, "pol", lifecycle.id, lifecycle.outs);
        await remove(REPOSITORY, "pol", repoId, repoOuts);
    });

    it("returns the local registry's credentials from getAuthorizationToken, the password as a secret, never logged", async function () {
        const token = await invoke("aws:ecr/getAuthorizationToken:getAuthorizationToken", {});
        assert.equal(token.userName, REGISTRY_USER);
        assert.deepEqual(token.password, { [SECRET_KEY]: SECRET_SIG, value: REGISTRY_PASSWORD });
        assert.deepEqual(token.authorizationToken,
            { [SECRET_KEY]: SECRET_SIG, value: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString("base64") });
        assert.equal(token.proxyEndpoint, `http://${REGISTRY}`);
        assert.equal(token.region, REGION);
        assert.equal(token.id, REGION);
        assert.equal(token.registryId, "123456789012");
        assert.ok(Date.parse(token.expiresAt) > Date.now());
        assert.ok(!stderr.includes(REGISTRY_PASSWORD), "the password must never reach the plugin's output");
    });

    it("records the other types the examples use, with plausible outputs", async function () {
        const lbChecked = await check("aws:lb/loadBalancer:LoadBalancer", "web", { loadBalancerType: "application", subnets: ["subnet-1"] });
        assert.match(lbChecked.inputs.name, /^web-[0-9a-f]{7}$/);
        const lb = await create("aws:lb/loadBalancer:LoadBalancer", "web", lbChecked.inputs);
        assert.match(lb.outs.dnsName, new RegExp(`^${lbChecked.inputs.name}-\\d{10}\\.${REGION}\\.elb\\.amazonaws\\.com$`));
        assert.equal(lb.id, lb.outs.arn);
        const fnChecked = await check("aws:lambda/function:Function", "hello", { packageType: "Image", imageUri: "x@sha256:1", role: "arn" });
        const fn = await create("aws:lambda/function:Function", "hello", fnChecked.inputs);
        assert.equal(fn.outs.arn, `arn:aws:lambda:${REGION}:123456789012:function:${fnChecked.inputs.name}`);
        const url = await create("aws:lambda/functionUrl:FunctionUrl", "hello", { functionName: fn.id, authorizationType: "NONE" });
        assert.match(url.outs.functionUrl, new RegExp(`^https://[0-9a-f]{32}\\.lambda-url\\.${REGION}\\.on\\.aws/$`));
        const td = await create("aws:ecs/taskDefinition:TaskDefinition", "app", { family: "ecrx-app-dev", containerDefinitions: "[]" });
        assert.match(td.outs.arn, new RegExp(`^arn:aws:ecs:${REGION}:123456789012:task-definition/ecrx-app-dev:\\d+$`));
        assert.deepEqual((await diff("aws:ecs/taskDefinition:TaskDefinition", "app", td.id, { family: "ecrx-app-dev", containerDefinitions: "[]" }, td.outs,
            { family: "ecrx-app-dev", containerDefinitions: "[{}]" })).replaces, ["containerDefinitions"]);
        const vpc = await invoke("aws:ec2/getVpc:getVpc", { default: true });
        const subnets = await invoke("aws:ec2/getSubnets:getSubnets", { filters: [{ name: "vpc-id", values: [vpc.id] }] });
        assert.equal(subnets.ids.length, 3);
        assert.equal((await invoke("aws:index/getRegion:getRegion", {})).region, REGION);
        assert.equal((await invoke("aws:index/getCallerIdentity:getCallerIdentity", {})).accountId, "123456789012");
    });

    it("names the type of an unknown resource or function in its error", async function () {
        const resource = await failureOf(create("aws:s3/bucket:Bucket", "b", {}));
        assert.match(resource.details, /aws:s3\/bucket:Bucket is not implemented/);
        const fn = await failureOf(invoke("aws:s3/getBucket:getBucket", {}));
        assert.match(fn.details, /aws:s3\/getBucket:getBucket is not implemented/);
    });
});
