package thconfig

import "time"

// Config mirrors pkg/config.Config of ToolHive v0.47.0 (field order, Go
// types and yaml tags); the interop module's drift test compares the two
// by reflection.
type Config struct {
	Secrets                      Secrets                   `yaml:"secrets"`
	Clients                      Clients                   `yaml:"clients"`
	RegistryUrl                  string                    `yaml:"registry_url"`
	RegistryApiUrl               string                    `yaml:"registry_api_url"`
	LocalRegistryPath            string                    `yaml:"local_registry_path"`
	AllowPrivateRegistryIp       bool                      `yaml:"allow_private_registry_ip"`
	CACertificatePath            string                    `yaml:"ca_certificate_path,omitempty"`
	OTEL                         OpenTelemetryConfig       `yaml:"otel,omitempty"`
	DefaultGroupMigration        bool                      `yaml:"default_group_migration,omitempty"`
	TelemetryConfigMigration     bool                      `yaml:"telemetry_config_migration,omitempty"`
	MiddlewareTelemetryMigration bool                      `yaml:"middleware_telemetry_migration,omitempty"`
	SecretScopeMigration         bool                      `yaml:"secret_scope_migration,omitempty"`
	DisableUsageMetrics          bool                      `yaml:"disable_usage_metrics,omitempty"`
	BuildEnv                     map[string]string         `yaml:"build_env,omitempty"`
	BuildEnvFromSecrets          map[string]string         `yaml:"build_env_from_secrets,omitempty"`
	BuildEnvFromShell            []string                  `yaml:"build_env_from_shell,omitempty"`
	BuildAuthFiles               map[string]string         `yaml:"build_auth_files,omitempty"`
	RuntimeConfigs               map[string]*RuntimeConfig `yaml:"runtime_configs,omitempty"`
	RegistryAuth                 RegistryAuth              `yaml:"registry_auth,omitempty"`
	LLM                          LLMConfig                 `yaml:"llm,omitempty"`
}

// Secrets mirrors pkg/config.Secrets.
type Secrets struct {
	ProviderType   string `yaml:"provider_type"`
	SetupCompleted bool   `yaml:"setup_completed"`
}

// Clients mirrors pkg/config.Clients.
type Clients struct {
	RegisteredClients []string `yaml:"registered_clients"`
}

// OpenTelemetryConfig mirrors pkg/config.OpenTelemetryConfig.
type OpenTelemetryConfig struct {
	Endpoint                    string   `yaml:"endpoint,omitempty"`
	SamplingRate                float64  `yaml:"sampling-rate,omitempty"`
	EnvVars                     []string `yaml:"env-vars,omitempty"`
	MetricsEnabled              *bool    `yaml:"metrics-enabled"`
	TracingEnabled              *bool    `yaml:"tracing-enabled"`
	Insecure                    bool     `yaml:"insecure,omitempty"`
	EnablePrometheusMetricsPath bool     `yaml:"enable-prometheus-metrics-path,omitempty"`
	UseLegacyAttributes         *bool    `yaml:"use-legacy-attributes"`
}

// RegistryAuth mirrors pkg/config.RegistryAuth.
type RegistryAuth struct {
	Type  string        `yaml:"type,omitempty"`
	OAuth *ClientConfig `yaml:"oauth,omitempty"`
}

// ClientConfig mirrors pkg/oidc.ClientConfig (ToolHive's
// RegistryOAuthConfig and llm.OIDCConfig are aliases of it).
type ClientConfig struct {
	Issuer                string    `yaml:"issuer,omitempty"`
	ClientID              string    `yaml:"client_id,omitempty"`
	Scopes                []string  `yaml:"scopes,omitempty"`
	Audience              string    `yaml:"audience,omitempty"`
	CallbackPort          int       `yaml:"callback_port,omitempty"`
	CachedRefreshTokenRef string    `yaml:"cached_refresh_token_ref,omitempty"`
	CachedTokenExpiry     time.Time `yaml:"cached_token_expiry,omitempty"`
}

// RuntimeConfig mirrors pkg/container/templates.RuntimeConfig.
type RuntimeConfig struct {
	BuilderImage       string            `yaml:"builder_image"`
	AdditionalPackages []string          `yaml:"additional_packages,omitempty"`
	BuildWith          []string          `yaml:"build_with,omitempty"`
	RuntimeEnv         map[string]string `yaml:"runtime_env,omitempty"`
}

// LLMConfig mirrors pkg/llm.Config (its unexported field, which YAML
// never sees, left out).
type LLMConfig struct {
	GatewayURL      string        `yaml:"gateway_url,omitempty"`
	TLSSkipVerify   bool          `yaml:"tls_skip_verify,omitempty"`
	OIDC            ClientConfig  `yaml:"oidc,omitempty"`
	Proxy           ProxyConfig   `yaml:"proxy,omitempty"`
	Bedrock         BedrockConfig `yaml:"bedrock,omitempty"`
	Models          []string      `yaml:"models,omitempty"`
	ConfiguredTools []ToolConfig  `yaml:"configured_tools,omitempty"`
}

// ProxyConfig mirrors pkg/llm.ProxyConfig.
type ProxyConfig struct {
	ListenPort int `yaml:"listen_port,omitempty"`
}

// BedrockConfig mirrors pkg/llm.BedrockConfig.
type BedrockConfig struct {
	Compat   bool `yaml:"compat,omitempty"`
	Enable1M bool `yaml:"enable_1m,omitempty"`
}

// ToolConfig mirrors pkg/llm.ToolConfig.
type ToolConfig struct {
	Tool        string `yaml:"tool"`
	Mode        string `yaml:"mode"`
	ConfigPath  string `yaml:"config_path"`
	EnvFilePath string `yaml:"env_file_path,omitempty"`
}
