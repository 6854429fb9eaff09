// `pulumi preview` of an Image (issue #3): the image is not pushed, so its digest is unknown, and the
// component must keep `imageUri` unknown rather than guess one. The runtime is global: this file switches
// the mocks to preview mode for its own tests and restores update mode afterwards.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Image } from "../sdk";
import { UNKNOWN } from "./support/mock-engine";
import { FAKE_ACCOUNT, FAKE_REGION, isKnownOutput, plainOccurrences, settle, valueOf } from "../sdk/testing";
import { installMocks, MockCloud } from "./support/mocks";

type Ecrx = typeof import("../sdk");

const URL = `${FAKE_ACCOUNT}.dkr.ecr.${FAKE_REGION}.amazonaws.com/app-abc1234`;

describe("Image in a preview", function () {
    let ecrx: Ecrx;
    let cloud: MockCloud;
    let dir: string;

    before(async () => {
        cloud = installMocks({ preview: true });
        ecrx = await import("../sdk");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecrx-preview-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
    });
    after(() => {
        installMocks();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => cloud.reset());

    /** `new Repository("app").buildAndPushImage(...)`, settled. */
    async function previewImage(args: Parameters<InstanceType<Ecrx["Repository"]>["buildAndPushImage"]>[0] = dir): Promise<Image> {
        const image = new ecrx.Repository("app").buildAndPushImage(args);
        await settle();
        return image;
    }

    it("runs as a preview", () => {
        assert.equal(pulumi.runtime.isDryRun(), true);
    });

    it("leaves the digest, imageUri and image() unknown; nothing is faked", async () => {
        const image = await previewImage();
        assert.equal(await isKnownOutput(image.digest), false);
        assert.equal(await isKnownOutput(image.imageUri), false);
        assert.equal(await isKnownOutput(image.image()), false);
        assert.equal(await valueOf(image.imageUri), undefined, "an unknown resolves to no value, not a placeholder URI");
        const docker = cloud.one("docker-build:index:Image");
        assert.deepEqual(plainOccurrences(docker.inputs, "sha256:"), [], "no digest is invented in the inputs either");
    });

    it("knows the repository URL and the tags it will push", async () => {
        const image = await previewImage({ context: dir, tags: ["v1", "latest"] });
        assert.equal(await isKnownOutput(image.repositoryUrl), true);
        assert.equal(await valueOf(image.repositoryUrl), URL);
        assert.deepEqual(await valueOf(image.tags), [`${URL}:v1`, `${URL}:latest`]);
        assert.deepEqual(cloud.one("docker-build:index:Image").inputs.tags, [`${URL}:v1`, `${URL}:latest`]);
    });

    it("while the repository URL is unknown, pushes a list of known length: docker-build refuses a push with unknown tags", async () => {
        const unknownUrl = pulumi.output(URL).apply(() => pulumi.unknown as unknown as string);
        new ecrx.Image("app", { repositoryUrl: unknownUrl, context: dir, tags: ["v1", "latest"], cache: false });
        await settle();
        assert.deepEqual(cloud.one("docker-build:index:Image").wireInputs!.tags, [UNKNOWN, UNKNOWN]);
    });

    it("still refuses invalid arguments before registering the image", async () => {
        const repo = new ecrx.Repository("app");
        await settle();
        cloud.reset();
        assert.throws(() => repo.buildAndPushImage({ context: dir, platforms: ["amd64"] }),
            (error: unknown) => pulumi.InputPropertiesError.isInstance(error) && error.errors[0].propertyPath === "platforms[0]");
        await settle();
        assert.deepEqual(cloud.registrations, []);
    });
});
