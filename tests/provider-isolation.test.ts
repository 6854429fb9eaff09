// A bad request to the provider plugin fails alone, fast, as INVALID_ARGUMENT, and keeps its secrets; the
// plugin keeps nothing past its deployment and finds nothing under object-method names. Run as the CLI runs it.
import { strict as assert } from "node:assert";
import * as grpc from "@grpc/grpc-js";
import { MockEngine, outputValue, resourceReference, WireValue } from "./support/mock-engine";
import { PluginProcess, RpcFailure, withPluginFixture } from "./support/plugin";
import { BUILD_AND_PUSH_IMAGE, IMAGE_COMPONENT, REPOSITORY_COMPONENT } from "./support/tokens";

const SECRET_NAME = "Not_A_Valid_Name_but_a_secret_0xC0FFEE";

let engine: MockEngine;
let plugin: PluginProcess;
let buildContext: string;

/** Everything a failure could carry text in. */
function failureText(failure: RpcFailure): string {
    return JSON.stringify([failure.details, failure.statusMessage, failure.propertyErrors]);
}

function constructAcceptingOutputs(type: string, name: string, inputs: Record<string, WireValue>, dryRun = false) {
    return plugin.construct(type, name, inputs, { dryRun, acceptsOutputValues: true });
}

describe("provider plugin: one bad request fails alone", function () {
    this.timeout(120_000);

    withPluginFixture((fixture) => ({ engine, plugin, buildContext } = fixture));

    it("a secret Output that fails its check: INVALID_ARGUMENT with the property, [secret] for the value, nothing registered, the others unharmed", async () => {
        engine.beginDeployment({ dryRun: false });
        const good = Array.from({ length: 12 }, (_, i) => constructAcceptingOutputs(REPOSITORY_COMPONENT, `good-${i}`, {}));
        const bad = PluginProcess.failure(constructAcceptingOutputs(REPOSITORY_COMPONENT, "bad", { name: outputValue({ value: SECRET_NAME, secret: true }) }));
        const [failure, ...results] = await Promise.all([bad, ...good]);

        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath), ["name"]);
        assert.match(failure.propertyErrors![0].reason, /must be 2 to 256 characters.*but is \[secret\]\.$/);
        assert.ok(!failureText(failure).includes(SECRET_NAME), failureText(failure));
        assert.equal(results.length, 12);
        assert.deepEqual(engine.registrations.filter((r) => r.urn.endsWith("::bad")), [], "the bad request registered resources");
        assert.equal(engine.ofType(REPOSITORY_COMPONENT).length, 12);
        assert.ok(!JSON.stringify(engine.logs).includes(SECRET_NAME), "the secret reached the engine's log");
        assert.ok(!plugin.output.includes(SECRET_NAME), "the secret reached the plugin's stderr");
        assert.deepEqual(engine.logs.filter((l) => l.severity === "error"), []);
    });

    it("a secret nested in an object input (a KMS key id) is masked in the reason too", async () => {
        engine.beginDeployment({ dryRun: false });
        const failure = await PluginProcess.failure(constructAcceptingOutputs(REPOSITORY_COMPONENT, "kms", {
            encryption: outputValue({ value: { type: "KMS", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/secret-key" }, secret: true }),
        }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath), ["encryption.kmsKeyId"]);
        assert.match(failure.propertyErrors![0].reason, /did you mean kmsKey\?/);
        assert.ok(!failureText(failure).includes("secret-key"), failureText(failure));
        assert.deepEqual(engine.registrations, []);
    });

    it("a duplicate resource name fails that request only, without an error log with a stack", async () => {
        engine.beginDeployment({ dryRun: false });
        const outcomes = await Promise.all(["one", "twin", "twin", "two"].map((name) =>
            plugin.construct(REPOSITORY_COMPONENT, name, {}, { dryRun: false }).then(() => "ok", (error: grpc.ServiceError) => error.details)));
        assert.deepEqual(outcomes.filter((o) => o === "ok").length, 3, outcomes.join("\n"));
        assert.match(outcomes.find((o) => o !== "ok")!, /Duplicate resource URN .*::twin/);
        assert.deepEqual(engine.logs.filter((l) => l.severity === "error"), []);
    });

    it("a 64 KB value is clipped in the message, and the channel keeps working", async () => {
        engine.beginDeployment({ dryRun: false });
        const huge = "x".repeat(64 * 1024);
        const failure = await PluginProcess.failure(plugin.construct(REPOSITORY_COMPONENT, "huge", { name: huge, imageTagMutability: huge }, { dryRun: false }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.ok(failureText(failure).length < 4000, `${failureText(failure).length} characters`);
        assert.match(failure.propertyErrors![0].reason, /\.\.\. \(65536 characters\)/);
        const schema = JSON.parse(await plugin.getSchema());
        assert.equal(schema.name, "ecrx");
    });

    it("a type or method token that names an object method is unknown", async () => {
        engine.beginDeployment({ dryRun: false });
        for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
            const failure = await PluginProcess.failure(plugin.construct(type, "x", {}, { dryRun: false }));
            assert.match(failure.details, /^unknown resource type /, `${type}: ${failure.details}`);
        }
        for (const token of ["toString", "constructor", "valueOf"]) {
            const failure = await PluginProcess.failure(plugin.call(token, {}, { dryRun: false }));
            assert.match(failure.details, /^unknown method /, `${token}: ${failure.details}`);
        }
    });

    it("a Repository of a preview does not serve the update after it", async () => {
        engine.beginDeployment({ dryRun: true });
        const preview = await plugin.construct(REPOSITORY_COMPONENT, "svc", {}, { dryRun: true });
        engine.beginDeployment({ dryRun: false });
        const failure = await PluginProcess.failure(plugin.call(BUILD_AND_PUSH_IMAGE, { __self__: resourceReference(preview.urn), context: buildContext },
            { dryRun: false, argDependencies: { __self__: [preview.urn] } }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.match(failure.propertyErrors![0].reason, /must be an ecrx Repository created in the same deployment/);
        assert.equal(failure.details, "Repository.buildAndPushImage has 1 problem");
    });

    it("a foreign resource as repository: says what was given and what to give, without dumping it", async () => {
        engine.beginDeployment({ dryRun: false });
        const failure = await PluginProcess.failure(plugin.construct(IMAGE_COMPONENT, "img", {
            repository: "123456789012.dkr.ecr.us-west-2.amazonaws.com/legacy",
            context: buildContext,
        }, { dryRun: false }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.equal(failure.propertyErrors![0].propertyPath, "repository");
        assert.match(failure.propertyErrors![0].reason, /give the URL as repositoryUrl/);
        assert.ok(failureText(failure).length < 1000, failureText(failure));
        assert.deepEqual(engine.registrations, []);
    });

    it("an aws.ecr.Repository reference as repository: its type and name, and what to give instead", async () => {
        engine.beginDeployment({ dryRun: false });
        const foreign = `urn:pulumi:${engine.stack}::${engine.project}::aws:ecr/repository:Repository::legacy`;
        // Registered by the program itself, as a real engine would have it when the reference arrives.
        engine.registrations.push({
            type: "aws:ecr/repository:Repository", name: "legacy", urn: foreign, parent: engine.stackUrn, custom: true, remote: false,
            object: {}, propertyDependencies: {}, dependencies: [], deleteBeforeReplace: false, deleteBeforeReplaceDefined: false, protect: false,
            provider: "", version: "", packageRef: "", ignoreChanges: [], additionalSecretOutputs: [], acceptSecrets: true, acceptResources: true,
            dryRun: false, id: "legacy", outputs: { name: "legacy", repositoryUrl: "123456789012.dkr.ecr.us-west-2.amazonaws.com/legacy" }, outputsRegistered: false,
        });
        const failure = await PluginProcess.failure(plugin.construct(IMAGE_COMPONENT, "img", { repository: resourceReference(foreign, "legacy"), context: buildContext },
            { dryRun: false, inputDependencies: { repository: [foreign] } }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.deepEqual(failure.propertyErrors, [{
            propertyPath: "repository",
            reason: 'must be an ecrx Repository created in the same deployment, but is a reference to the aws:ecr/repository:Repository "legacy". ' +
                "For any other repository, give its URL as repositoryUrl (for an aws.ecr.Repository: its repositoryUrl output).",
        }]);
        assert.deepEqual(engine.registrations.map((r) => r.name), ["legacy"], "registered something");
    });

    it("an Image argument of the wrong type is refused before anything registers", async () => {
        engine.beginDeployment({ dryRun: false });
        const failure = await PluginProcess.failure(plugin.construct(IMAGE_COMPONENT, "typed", {
            repositoryUrl: "123456789012.dkr.ecr.us-west-2.amazonaws.com/app",
            context: buildContext,
            buildArgs: outputValue({ value: { A: 1 }, dependencies: [] }),
            cache: "no",
        }, { dryRun: false, acceptsOutputValues: true }));
        assert.equal(failure.code, grpc.status.INVALID_ARGUMENT);
        assert.deepEqual(failure.propertyErrors?.map((e) => e.propertyPath).sort(), ["buildArgs.A", "cache"]);
        assert.deepEqual(engine.registrations, []);
    });
});
