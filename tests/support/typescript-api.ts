// The public TypeScript API as the compiler sees it: the properties of the argument interfaces and the
// components' outputs, with their JSDoc. One type-checked program serves every test that reads it, because
// building one over the SDK and its @pulumi dependencies takes seconds.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as ts from "typescript";

export const ROOT = path.resolve(__dirname, "..", "..");

/** A property's JSDoc: the text before any tag, with runs of white space made one space, and its `@default`. */
export interface PropertyDocs {
    summary: string;
    defaultValue?: string;
}

/** One property as the TypeScript side declares it. */
export interface TsProperty {
    optional: boolean;
    /** For a property whose type is a Pulumi resource class: where the class is declared, and its name. */
    resourceClass?: { file: string; name: string };
    /** Absent when the property has no JSDoc at all. */
    docs?: PropertyDocs;
}

/** A property declared by the public API, for naming it in messages: `RepositoryArgs.name`. */
export interface DocumentedProperty {
    owner: string;
    name: string;
    docs?: PropertyDocs;
}

function collapseWhiteSpace(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}

/** The compiler options of the package's own tsconfig.json, which builds what it publishes. */
export function packageCompilerOptions(): ts.CompilerOptions {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")); },
    });
    return config!.options;
}

export class TypeScriptApi {
    private readonly program: ts.Program;
    private readonly checker: ts.TypeChecker;

    constructor(files: string[]) {
        this.program = ts.createProgram(files.map((f) => path.join(ROOT, f)), { ...packageCompilerOptions(), noEmit: true });
        this.checker = this.program.getTypeChecker();
    }

    private declaration<T extends ts.Statement>(file: string, name: string, is: (node: ts.Node) => node is T): T {
        const source = this.program.getSourceFile(path.join(ROOT, file));
        assert.ok(source, `${file} is not part of the program`);
        const found = source.statements.filter(is).find((node) => (node as { name?: ts.Identifier }).name?.text === name);
        assert.ok(found, `${file} no longer declares ${name}: update the schema pairing`);
        return found;
    }

    /** The properties of an interface, inherited ones included (e.g. through `Omit<ImageArgs, ...>`). */
    interfaceProperties(file: string, name: string): Map<string, TsProperty> {
        const declaration = this.declaration(file, name, ts.isInterfaceDeclaration);
        const type = this.checker.getTypeAtLocation(declaration.name);
        return new Map(this.checker.getPropertiesOfType(type).map((symbol) => [symbol.name, {
            optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
            resourceClass: this.resourceClassOf(this.checker.getTypeOfSymbolAtLocation(symbol, declaration)),
            docs: this.docsOf(symbol),
        }]));
    }

    /** The public readonly instance properties a component class declares: its outputs. */
    classOutputs(file: string, name: string): Map<string, TsProperty> {
        const declaration = this.declaration(file, name, ts.isClassDeclaration);
        const outputs = new Map<string, TsProperty>();
        for (const member of publicProperties(declaration)) {
            const modifiers: ts.SyntaxKind[] = ts.getModifiers(member)?.map((m) => m.kind) ?? [];
            if (modifiers.includes(ts.SyntaxKind.StaticKeyword) || !modifiers.includes(ts.SyntaxKind.ReadonlyKeyword)) {
                continue;
            }
            outputs.set(member.name.getText(), {
                optional: member.questionToken !== undefined,
                resourceClass: this.resourceClassOf(this.checker.getTypeAtLocation(member)),
                docs: this.docsOf(this.checker.getSymbolAtLocation(member.name)!),
            });
        }
        return outputs;
    }

    /**
     * Every property that a module's exports declare in this repository's sources, with its JSDoc: the members
     * of exported interfaces and the public properties of exported classes. Re-exported namespaces
     * (`export { lifecycle }`) are walked too.
     */
    exportedProperties(file: string): DocumentedProperty[] {
        const source = this.program.getSourceFile(path.join(ROOT, file));
        assert.ok(source, `${file} is not part of the program`);
        const found = new Map<ts.Node, DocumentedProperty>();
        const seenModules = new Set<ts.Symbol>();
        const walkModule = (moduleSymbol: ts.Symbol) => {
            if (seenModules.has(moduleSymbol)) {
                return;
            }
            seenModules.add(moduleSymbol);
            for (const exported of this.checker.getExportsOfModule(moduleSymbol)) {
                const symbol = exported.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exported) : exported;
                for (const declaration of symbol.declarations ?? []) {
                    if (ts.isSourceFile(declaration) || ts.isModuleDeclaration(declaration)) {
                        walkModule(symbol);
                    } else if (isOwnSource(declaration.getSourceFile())) {
                        for (const property of this.declaredProperties(declaration)) {
                            found.set(property, { owner: symbol.name, name: property.name.getText(), docs: this.docsOf(this.checker.getSymbolAtLocation(property.name)!) });
                        }
                    }
                }
            }
        };
        walkModule(this.checker.getSymbolAtLocation(source)!);
        return [...found.values()];
    }

    private declaredProperties(declaration: ts.Declaration): Array<ts.PropertySignature | ts.PropertyDeclaration> {
        if (ts.isInterfaceDeclaration(declaration)) {
            return declaration.members.filter(ts.isPropertySignature);
        }
        if (ts.isClassDeclaration(declaration)) {
            return publicProperties(declaration);
        }
        return [];
    }

    private docsOf(symbol: ts.Symbol): PropertyDocs | undefined {
        const summary = collapseWhiteSpace(ts.displayPartsToString(symbol.getDocumentationComment(this.checker)));
        const tags = symbol.getJsDocTags(this.checker);
        const defaultTag = tags.find((tag) => tag.name === "default");
        if (summary === "" && tags.length === 0) {
            return undefined;
        }
        return { summary, ...(defaultTag !== undefined ? { defaultValue: collapseWhiteSpace(ts.displayPartsToString(defaultTag.text)) } : {}) };
    }

    /** The Pulumi resource class a property holds, if it holds one (`Repository`, `aws.ecr.Repository`, ...). */
    private resourceClassOf(type: ts.Type): TsProperty["resourceClass"] {
        const plain = this.checker.getNonNullableType(type);
        const symbol = plain.getSymbol();
        const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
        if (declaration === undefined || !this.extendsPulumiResource(plain)) {
            return undefined;
        }
        return { file: declaration.getSourceFile().fileName, name: symbol!.name };
    }

    private extendsPulumiResource(type: ts.Type): boolean {
        // A generic base such as ComponentResource<any> is a reference to its class, which has the base types.
        const target = (type as ts.TypeReference).target ?? type;
        for (const base of (target.isClassOrInterface() ? this.checker.getBaseTypes(target) : [])) {
            const declaration = base.getSymbol()?.declarations?.[0];
            const fromPulumi = declaration !== undefined && declaration.getSourceFile().fileName.includes("/@pulumi/pulumi/");
            if ((fromPulumi && base.getSymbol()!.name === "Resource") || this.extendsPulumiResource(base)) {
                return true;
            }
        }
        return false;
    }
}

function isOwnSource(source: ts.SourceFile): boolean {
    return !source.isDeclarationFile && !path.relative(ROOT, source.fileName).startsWith("..");
}

/** The properties of a class that a program can read: neither private, protected nor `#private`. */
function publicProperties(declaration: ts.ClassDeclaration): ts.PropertyDeclaration[] {
    return declaration.members.filter(ts.isPropertyDeclaration).filter((member) => ts.isIdentifier(member.name) &&
        !ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword));
}

let shared: TypeScriptApi | undefined;

/** The SDK's public API, read once per test run, through its entry points: `ecrx` (which reaches every public module but `ecrx/testing`) and `ecrx/testing`. */
export function sdkApi(): TypeScriptApi {
    shared ??= new TypeScriptApi(["sdk/index.ts", "sdk/testing/index.ts"]);
    return shared;
}
