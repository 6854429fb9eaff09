// The type tokens the tests look for, named once: those a program that uses ecrx registers, and the method.
export * from "../../sdk/testing/types";
export const BUILD_AND_PUSH_IMAGE = "ecrx:index:Repository/buildAndPushImage";
