// `ecrx.lifecycle`: the pure lifecycle-policy toolkit. Nothing here imports Pulumi.
export * from "./types";
export { buildPolicy, DEFAULT_POLICY } from "./policy";
export { parsePolicyDocument, parsePolicyText, policyNotes } from "./document";
export { simulate, isIndexMediaType } from "./simulate";
export type { ImageStatus, LifecycleImage, SimulateOptions, SimulatedAction, SimulatedImage, SimulationResult } from "./simulate";
export type { Timestamp } from "./time";
export type { ImageUser, InUseMap } from "./in-use";
export { ValidationError, ValidationProblem } from "../validation/errors";
