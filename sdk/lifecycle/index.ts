// `ecrx.lifecycle`: the pure lifecycle-policy toolkit. Nothing here imports Pulumi. It is also all that the
// `ecrx` CLI uses of the package (tests/cli-imports.test.ts holds it to that), so what a tool built on the
// simulator needs besides `simulate` is exported here too, under its own JSDoc.
export * from "./types";
export { buildPolicy, DEFAULT_POLICY } from "./policy";
export { parsePolicyDocument, parsePolicyText, policyNotes } from "./document";
export { simulate } from "./simulate";
export type { LifecycleImage, SimulateOptions, SimulatedImage, SimulationResult } from "./simulate";
export type { Timestamp } from "./time";
export type { ImageUser, InUseMap } from "./in-use";
export { ValidationError, ValidationProblem } from "../validation/errors";

// For presenting a simulation and preparing its input: the digest form its reasons use, the names of
// image users, the manifest types whose children ECR protects, and the time forms images are read in.
export { shortDigest } from "./reasons";
export { describeUser } from "./in-use";
export { INDEX_MEDIA_TYPES, isIndexMediaType } from "./media-types";
export { parseTimestamp, timestampProblem } from "./time";
export { compileTagPattern } from "./tag-pattern";
export type { TagPattern } from "./tag-pattern";
