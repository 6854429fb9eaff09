// `ecrx.lifecycle`: the pure lifecycle-policy toolkit. Nothing here imports Pulumi.
export * from "./types";
export { buildPolicy, DEFAULT_POLICY } from "./policy";
export { parsePolicyDocument } from "./document";
export { ValidationError, ValidationProblem } from "../errors";
