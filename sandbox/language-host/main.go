// Command pulumi-language-nodejs is the sandbox's language host for Node.js programs and plugins.
//
// The module proxy this project can reach serves no version of Pulumi's own host
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 403 for every
// pseudo-version), so the sandbox builds this one. It speaks the engine's LanguageRuntime protocol
// and starts programs through @pulumi/pulumi's own entry points, cmd/run and cmd/run-plugin, with
// the arguments and environment the official host passes. Everything a program does after start-up
// (config, secrets, error reporting, resource registration) is therefore the SDK's and the engine's
// own behaviour; only the launcher is ours. It does not proxy the resource monitor or offer the
// deprecated synchronous-invoke pipes, and it generates no SDKs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The exit code with which @pulumi/pulumi's cmd/run says it has already shown the user an actionable error.
const exitAfterUserActionableMessage = 32

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.String("tracing", "", "accepted for the engine's sake; tracing is not forwarded")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()

	host := &nodeHost{ctx: ctx}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
		if err := rpcutil.Healthcheck(ctx, host.engineAddress, 5*time.Minute, stop); err != nil {
			fail(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fail(fmt.Errorf("could not start the language host: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
	os.Exit(1)
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	ctx           context.Context
	engineAddress string
}

func (h *nodeHost) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages lists the provider plugins of the packages installed under the program's
// directory: every node_modules package whose package.json says `"pulumi": {"resource": true}`.
func (h *nodeHost) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	found := map[string]*pulumirpc.PackageDependency{}
	if err := collectPackages(req.Info.ProgramDirectory, false, map[string]bool{}, found); err != nil {
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

func collectPackages(dir string, inNodeModules bool, visited map[string]bool, found map[string]*pulumirpc.PackageDependency) error {
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
			if err := collectPackages(path, inNodeModules || entry.Name() == "node_modules", visited, found); err != nil {
				return err
			}
			continue
		}
		if !inNodeModules || entry.Name() != "package.json" {
			continue
		}
		dependency, err := pluginOf(path)
		if err != nil {
			return err
		}
		if dependency != nil {
			found[dependency.Name+"@"+dependency.Version] = dependency
		}
	}
	return nil
}

// pluginOf reads one package.json: the plugin it names, or nil for a package that brings none.
func pluginOf(path string) (*pulumirpc.PackageDependency, error) {
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
	pluginVersion := pkg.Pulumi.Version
	if pluginVersion == "" {
		pluginVersion = pkg.Version
	}
	if !strings.HasPrefix(pluginVersion, "v") {
		pluginVersion = "v" + pluginVersion
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: pluginVersion, Server: pkg.Pulumi.Server}, nil
}

// Run starts the program with @pulumi/pulumi/cmd/run, as the official host does.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.Info.ProgramDirectory
	runner, err := resolveModule(ctx, "@pulumi/pulumi/cmd/run", programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	configJSON, err := programConfig(req.Config)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys, err := json.Marshal(nonNil(req.ConfigSecretKeys))
	if err != nil {
		return nil, err
	}

	args := append(nodeArgs(req.Info.Options.AsMap()), runner)
	for _, flagValue := range [][2]string{
		{"monitor", req.MonitorAddress},
		{"engine", h.engineAddress},
		{"organization", req.Organization},
		{"project", req.Project},
		{"root-directory", req.Info.RootDirectory},
		{"stack", req.Stack},
		{"pwd", programDir},
	} {
		if flagValue[1] != "" {
			args = append(args, "--"+flagValue[0], flagValue[1])
		}
	}
	if req.DryRun {
		args = append(args, "--dry-run")
	}
	args = append(args, "--parallel", strconv.Itoa(int(req.Parallel)), req.Info.EntryPoint)
	args = append(args, req.Args...)

	cmd := exec.CommandContext(h.ctx, "node", args...)
	cmd.Dir = programDir
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+configJSON, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	cmd.Env = append(cmd.Env, typescriptEnv(req.Info.Options.AsMap())...)
	// Node can switch its stdio to non-blocking mode; wrapping keeps it from touching ours.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	var exit *exec.ExitError
	switch err := cmd.Run(); {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
}

// RunPlugin starts a Node.js plugin (a PulumiPlugin.yaml folder) with @pulumi/pulumi/cmd/run-plugin.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	runner, err := resolveModule(ctx, "@pulumi/pulumi/cmd/run-plugin", req.Info.ProgramDirectory)
	if err != nil {
		return err
	}
	args := append(nodeArgs(req.Info.Options.AsMap()), runner, req.Info.ProgramDirectory)
	cmd := exec.CommandContext(ctx, "node", append(args, req.Args...)...)
	cmd.Dir = req.Pwd
	cmd.Env = append(req.Env, typescriptEnv(req.Info.Options.AsMap())...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var exit *exec.ExitError
	if err := cmd.Run(); errors.As(err, &exit) {
		return fmt.Errorf("Plugin exited with non-zero exit code: %d", exit.ExitCode())
	} else if err != nil {
		return fmt.Errorf("could not run node: %w", err)
	}
	return closer.Close()
}

// InstallDependencies runs `npm install` in the program's folder.
func (h *nodeHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd := exec.CommandContext(server.Context(), "npm", "install")
	cmd.Dir = req.Info.ProgramDirectory
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s: %w", req.Info.ProgramDirectory, err)
	}
	return closer.Close()
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on the PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out)), Metadata: map[string]string{"packagemanager": "npm"}}, nil
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

func (h *nodeHost) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// resolveModule finds an @pulumi/pulumi entry point the way the program itself will load it.
func resolveModule(ctx context.Context, module, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s: is @pulumi/pulumi installed (npm install)?", module, dir)
	}
	return string(out), nil
}

// programConfig is the JSON of PULUMI_CONFIG, in the `<namespace>:config:<name>` form every
// @pulumi/pulumi version reads.
func programConfig(values map[string]string) (string, error) {
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

func nonNil(keys []string) []string {
	if keys == nil {
		return []string{}
	}
	return keys
}
