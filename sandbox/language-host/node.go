package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	nodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeHost runs Node.js programs and plugins through @pulumi/pulumi's cmd/run and cmd/run-plugin.
type nodeHost struct {
	*baseHost
}

// GetRequiredPackages lists the provider plugins of the packages installed under the program's
// directory: every node_modules package whose package.json says `"pulumi": {"resource": true}`.
func (h *nodeHost) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	found := map[string]*pulumirpc.PackageDependency{}
	if err := collectNodePackages(req.Info.ProgramDirectory, false, map[string]bool{}, found); err != nil {
		return nil, err
	}
	packages := make([]*pulumirpc.PackageDependency, 0, len(found))
	for _, dependency := range found {
		packages = append(packages, dependency)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func collectNodePackages(dir string, inNodeModules bool, visited map[string]bool, found map[string]*pulumirpc.PackageDependency) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil || visited[real] {
		return nil // A dangling link or a cycle of links holds no further packages.
	}
	visited[real] = true
	entries, err := os.ReadDir(real)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, entry := range entries {
		path := filepath.Join(real, entry.Name())
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			if err := collectNodePackages(path, inNodeModules || entry.Name() == "node_modules", visited, found); err != nil {
				return err
			}
			continue
		}
		if !inNodeModules || entry.Name() != "package.json" {
			continue
		}
		dependency, err := nodePluginOf(path)
		if err != nil {
			return err
		}
		if dependency != nil {
			found[dependency.Name+"@"+dependency.Version] = dependency
		}
	}
	return nil
}

// nodePluginOf reads one package.json: the plugin it names, or nil for a package that brings none.
func nodePluginOf(path string) (*pulumirpc.PackageDependency, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(text, &pkg); err != nil || !pkg.Pulumi.Resource {
		return nil, nil // Not every package.json under node_modules is a package's manifest.
	}
	name := pkg.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(pkg.Name, "@pulumi/") {
			return nil, fmt.Errorf("%s: a third-party Pulumi package must name its plugin in pulumi.name", path)
		}
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	version := pkg.Pulumi.Version
	if version == "" {
		version = pkg.Version
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: pluginVersion(version), Server: pkg.Pulumi.Server}, nil
}

// Run starts the program with @pulumi/pulumi/cmd/run, as the official host does.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.Info.ProgramDirectory
	runner, err := resolveNodeModule(ctx, "@pulumi/pulumi/cmd/run", programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	configJSON, err := legacyConfig(req.Config)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args := append(nodeArgs(req.Info.Options.AsMap()), runner)
	args = append(args, flagArgs([][2]string{
		{"monitor", req.MonitorAddress},
		{"engine", h.engineAddress},
		{"organization", req.Organization},
		{"project", req.Project},
		{"root-directory", req.Info.RootDirectory},
		{"stack", req.Stack},
		{"pwd", programDir},
	})...)
	if req.DryRun {
		args = append(args, "--dry-run")
	}
	args = append(args, "--parallel", strconv.Itoa(int(req.Parallel)), req.Info.EntryPoint)
	args = append(args, req.Args...)

	cmd := exec.CommandContext(h.ctx, "node", args...)
	cmd.Dir = programDir
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+configJSON, "PULUMI_CONFIG_SECRET_KEYS="+secretKeysJSON(req.ConfigSecretKeys))
	cmd.Env = append(cmd.Env, typescriptEnv(req.Info.Options.AsMap())...)
	return h.runProgram(cmd), nil
}

// RunPlugin starts a Node.js plugin (a PulumiPlugin.yaml folder) with @pulumi/pulumi/cmd/run-plugin.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	runner, err := resolveNodeModule(server.Context(), "@pulumi/pulumi/cmd/run-plugin", req.Info.ProgramDirectory)
	if err != nil {
		return err
	}
	args := append(nodeArgs(req.Info.Options.AsMap()), runner, req.Info.ProgramDirectory)
	cmd := exec.CommandContext(server.Context(), "node", append(args, req.Args...)...)
	cmd.Dir = req.Pwd
	cmd.Env = append(req.Env, typescriptEnv(req.Info.Options.AsMap())...)
	return runPlugin(server, cmd)
}

// InstallDependencies runs `npm install` in the program's folder.
func (h *nodeHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return installDependencies(server, req.IsTerminal, req.Info.ProgramDirectory, "npm", "install")
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return about(ctx, "node", map[string]string{"packagemanager": "npm"})
}

// GetProgramDependencies reports what `npm ls` reports.
func (h *nodeHost) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	args := []string{"ls", "--json"}
	if req.TransitiveDependencies {
		args = append(args, "--all")
	}
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = req.Info.ProgramDirectory
	out, _ := cmd.Output() // npm ls exits non-zero on extraneous packages but still prints the tree.
	var tree struct {
		Dependencies map[string]struct {
			Version string `json:"version"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(out, &tree); err != nil {
		return nil, fmt.Errorf("reading `npm ls` in %s: %w", req.Info.ProgramDirectory, err)
	}
	response := &pulumirpc.GetProgramDependenciesResponse{}
	for name, dependency := range tree.Dependencies {
		response.Dependencies = append(response.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: dependency.Version})
	}
	return response, nil
}

// resolveNodeModule finds an @pulumi/pulumi entry point the way the program itself will load it.
func resolveNodeModule(ctx context.Context, module, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s: is @pulumi/pulumi installed (npm install)?", module, dir)
	}
	return string(out), nil
}

// legacyConfig is the JSON of PULUMI_CONFIG in the `<namespace>:config:<name>` form every
// @pulumi/pulumi version reads.
func legacyConfig(values map[string]string) (string, error) {
	legacy := make(map[string]string, len(values))
	for key, value := range values {
		parsed, err := config.ParseKey(key)
		if err != nil {
			return "", fmt.Errorf("config key %q: %w", key, err)
		}
		legacy[parsed.Namespace()+":config:"+parsed.Name()] = value
	}
	text, err := json.Marshal(legacy)
	return string(text), err
}

// typescriptEnv follows the runtime options of Pulumi.yaml: TypeScript is on unless `typescript: false`.
func typescriptEnv(options map[string]any) []string {
	var env []string
	if typescript, given := options["typescript"].(bool); !given || typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env
}

// nodeArgs are the runtime option `nodeargs`, split on spaces.
func nodeArgs(options map[string]any) []string {
	if given, ok := options["nodeargs"].(string); ok {
		return strings.Fields(given)
	}
	return nil
}

func (h *nodeHost) GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return generatePackage(req, func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return nodegen.GeneratePackage("pulumi-language-nodejs", pkg, req.ExtraFiles, req.LocalDependencies, req.Local, loader)
	})
}
