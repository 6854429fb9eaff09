// The shapes of the Image arguments that are handed to docker-build as given: a wrong type there would
// otherwise pass through to a failed or silently different build (`cache: "no"` is truthy, so it caches).
import type { ImageArgs, ImageSsh, RegistryCredentials } from "../image";
import { anything, boolean, checkShape, listOf, mapOf, object, oneOf, Shape, string } from "./argument-shapes";
import { ProblemList } from "./errors";

const STRING_MAP = '{ NODE_ENV: "production" }';

const CACHE_FROM_REGISTRY = object("a registry cache source", { ref: string({ nonEmpty: true }) }, '{ ref: "<repository url>:buildcache" }', ["ref"]);
const CACHE_TO_REGISTRY = object("a registry cache destination", {
    ref: string({ nonEmpty: true }), mode: oneOf("min", "max"), imageManifest: boolean, ociMediaTypes: boolean,
    compression: oneOf("gzip", "estargz", "zstd"), compressionLevel: anything, forceCompression: boolean, ignoreError: boolean,
}, '{ ref: "<repository url>:buildcache", mode: "max" }', ["ref"]);
const CACHE_SOURCE = object("a cache source", {
    azblob: anything, disabled: boolean, gha: anything, local: anything, raw: string(), registry: CACHE_FROM_REGISTRY, s3: anything,
}, '{ registry: { ref: "<repository url>:buildcache" } }');
const CACHE_DESTINATION = object("a cache destination", {
    azblob: anything, disabled: boolean, gha: anything, inline: anything, local: anything, raw: string(), registry: CACHE_TO_REGISTRY, s3: anything,
}, '{ registry: { ref: "<repository url>:buildcache", mode: "max" } }');

/** Every Image argument that docker-build receives without ecrx interpreting it. */
const IMAGE_ARGUMENT_SHAPES = {
    target: string({ nonEmpty: true }),
    buildArgs: mapOf(string(), STRING_MAP),
    labels: mapOf(string(), '{ "org.opencontainers.image.source": "https://github.com/org/app" }'),
    secrets: mapOf(string(), '{ npmToken: config.requireSecret("npmToken") }'),
    ssh: listOf(object("an SSH forward",
        { id: string({ nonEmpty: true }), paths: listOf(string({ nonEmpty: true }), '["~/.ssh/id_ed25519"]') } satisfies Record<keyof ImageSsh, Shape>,
        '{ id: "default" }', ["id"]), '[{ id: "default" }]'),
    noCache: boolean,
    pull: boolean,
    network: oneOf("default", "host", "none"),
    addHosts: listOf(string({ nonEmpty: true }), '["metadata.internal:169.254.169.254"]'),
    builder: string({ nonEmpty: true }),
    buildOnPreview: boolean,
    cache: boolean,
    cacheFrom: listOf(CACHE_SOURCE, '[{ registry: { ref: "<repository url>:buildcache" } }]'),
    cacheTo: listOf(CACHE_DESTINATION, '[{ registry: { ref: "<repository url>:buildcache", mode: "max" } }]'),
    registry: object("registry", { username: string({ nonEmpty: true }), password: string({ nonEmpty: true }) } satisfies Record<keyof RegistryCredentials, Shape>,
        '{ username: "robot", password: config.requireSecret("registryPassword") }', ["username", "password"]),
} satisfies Partial<Record<keyof ImageArgs, Shape>>;

/** `values`: each argument as far as it is known now (`UNKNOWN` where not). */
export function checkImageArgumentShapes(values: Readonly<Record<string, unknown>>, problems: ProblemList): void {
    for (const [name, shape] of Object.entries(IMAGE_ARGUMENT_SHAPES)) {
        checkShape(values[name], shape, name, problems);
    }
}
