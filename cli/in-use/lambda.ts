// Lambda: container-image functions, their unpublished code ($LATEST) and the published versions their
// aliases route to. Each version keeps the digest it was published with (ResolvedImageUri), whatever its tag does later.
import { FunctionConfiguration, GetFunctionCommand, LambdaClient, ListAliasesCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { allPages, AwsSourceSettings, awsCalls, awsClientConfig, SourceReport } from "./source";

// ListFunctions and ListAliases return at most 50 items a page.
const PAGE_SIZE = 50;
const LATEST = "$LATEST";

/** A function or version deleted since it was listed runs nothing: its answer is undefined rather than an error. */
async function unlessGone<T>(response: Promise<T>): Promise<T | undefined> {
    try {
        return await response;
    } catch (error) {
        if ((error as Error).name === "ResourceNotFoundException") {
            return undefined;
        }
        throw error;
    }
}

export async function discoverLambda(settings: AwsSourceSettings): Promise<SourceReport> {
    const client = new LambdaClient(awsClientConfig(settings));
    const report: SourceReport = { references: [], denials: [] };
    const call = awsCalls("lambda", settings.concurrency, report);
    try {
        const pages = await allPages((Marker) => call("ListFunctions", "the functions of the region",
            () => client.send(new ListFunctionsCommand({ Marker, MaxItems: PAGE_SIZE }))), (page) => page.NextMarker);
        const functions = pages.flatMap((page) => page.Functions ?? []).filter((fn) => fn.PackageType === "Image");
        let done = 0;
        await Promise.all(functions.map(async (fn) => {
            await functionReferences(fn);
            settings.progress.update("lambda", ++done, functions.length, "functions");
        }));
        return report;
    } finally {
        client.destroy();
    }

    async function functionReferences(fn: FunctionConfiguration): Promise<void> {
        const functionName = fn.FunctionName!;
        const scope = `function ${functionName}`;
        const aliasPages = await allPages((Marker) => call("ListAliases", scope,
            () => unlessGone(client.send(new ListAliasesCommand({ FunctionName: functionName, Marker, MaxItems: PAGE_SIZE })))), (page) => page.NextMarker);
        // Version → the aliases routing to it, including the extra versions of weighted aliases.
        const aliasesOf = new Map<string, string[]>([[LATEST, []]]);
        for (const alias of aliasPages.flatMap((page) => page.Aliases ?? [])) {
            for (const version of [alias.FunctionVersion, ...Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {})]) {
                if (version !== undefined) {
                    aliasesOf.set(version, [...aliasesOf.get(version) ?? [], alias.Name!]);
                }
            }
        }
        await Promise.all([...aliasesOf].map(async ([version, aliases]) => {
            const output = await call("GetFunction", scope, () => unlessGone(client.send(new GetFunctionCommand({
                FunctionName: functionName,
                ...(version === LATEST ? {} : { Qualifier: version }),
            }))));
            const via = [version === LATEST ? LATEST : `version ${version}`,
                ...(aliases.length === 0 ? [] : [`alias${aliases.length === 1 ? "" : "es"} ${aliases.sort().join(", ")}`])];
            // The digest Lambda resolved ImageUri to is what the version runs, even after ImageUri's tag moves on.
            const image = output?.Code?.ResolvedImageUri ?? output?.Code?.ImageUri;
            if (image !== undefined) {
                report.references.push({ image, kind: "lambda", name: `function ${functionName}`, where: "", via });
            }
        }));
    }
}
