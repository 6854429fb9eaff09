// ecrx/testing: Pulumi mocks for unit-testing a program that uses ecrx, without a cloud or a Docker daemon.
// Its own entry point, not part of the SDK's: it replaces Pulumi's runtime with mocks, which `require("ecrx")` must never do.
export { EcrMocks, EcrMocksOptions, installEcrMocks, Invocation } from "./mocks";
export { Registration } from "./registration";
export { AccountRegion, FAKE_ACCOUNT, FAKE_PASSWORD, FAKE_REGION } from "./answers";
export { fakeDigest } from "./digest";
export { isKnownOutput, isSecretOutput, settle, valueOf } from "./outputs";
export { isSecretWrapper, plainOccurrences, SECRET_KEY, SECRET_SIGNATURE } from "./secrets";
export * from "./types";
